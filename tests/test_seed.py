"""`flask --app wsgi seed-demo`: a realistic demo portfolio, idempotent."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.business_id import is_valid_business_id
from pilot_tracker.domain.enums import Role, SplitMethod, Stage, Theme
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    Decision,
    Kpi,
    Measurement,
    Participation,
    Pilot,
    StatusUpdate,
    User,
    Vendor,
)


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_seed_demo_builds_a_full_portfolio_once(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo portfolio created: 40 pilots, 6 vendors." in first.output
    for email in ("admin@", "koordinaattori@", "valtuutettu@", "lempaala@", "toimittaja@"):
        assert email in first.output
    with app.app_context():
        counts = {
            m.__name__: _count(m)
            for m in (Pilot, Vendor, User, Kpi, Measurement, StatusUpdate, Decision)
        }
        assert counts["Pilot"] == 40
        assert {p.theme for p in db.session.scalars(sa.select(Pilot))} == set(Theme)
        assert {p.stage for p in db.session.scalars(sa.select(Pilot))} == set(Stage)
        assert {p.split_method for p in db.session.scalars(sa.select(Pilot))} == set(SplitMethod)
        assert {u.role for u in db.session.scalars(sa.select(User))} == set(Role)
        assert all(
            is_valid_business_id(v.business_id) for v in db.session.scalars(sa.select(Vendor))
        )
        sizes = (
            db.session.execute(
                sa.select(sa.func.count())
                .select_from(Participation)
                .group_by(Participation.pilot_id)
            )
            .scalars()
            .all()
        )
        assert min(sizes) >= 2 and max(sizes) <= 8
        # A year of monthly measurements on KPIs of running pilots.
        per_kpi = (
            db.session.execute(
                sa.select(sa.func.count()).select_from(Measurement).group_by(Measurement.kpi_id)
            )
            .scalars()
            .all()
        )
        assert max(per_kpi) == 12
        # Shares always add up to the net cost.
        for pilot_id, budget, funding, shares in db.session.execute(
            sa.select(
                Pilot.id,
                Pilot.budget_cents,
                Pilot.external_funding_cents,
                sa.func.sum(Participation.share_cents),
            )
            .join(Participation)
            .group_by(Pilot.id, Pilot.budget_cents, Pilot.external_funding_cents)
        ):
            assert shares == max(0, budget - funding), pilot_id
        # Decisions carry the snapshot the deciders saw.
        decision = db.session.scalars(
            sa.select(Decision).where(Decision.stage_after == Stage.SCALING)
        ).first()
        assert decision is not None and decision.snapshot["participants"]

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    with app.app_context():
        assert {
            m.__name__: _count(m)
            for m in (Pilot, Vendor, User, Kpi, Measurement, StatusUpdate, Decision)
        } == counts


def test_the_demo_looks_like_a_real_portfolio(app: Flask) -> None:
    import itertools
    from collections import Counter
    from datetime import date, timedelta

    from pilot_tracker.domain.enums import Outcome
    from pilot_tracker.services.seed import seed_demo

    today = date.today()
    with app.app_context():
        seed_demo(today=today)
        pilots = list(db.session.scalars(sa.select(Pilot)))
        themes = Counter(p.theme for p in pilots)
        stages = Counter(p.stage for p in pilots)
        # Uneven, as a region's portfolio is: many booking pilots, one robotics experiment.
        assert max(themes.values()) >= 5 * min(themes.values())
        assert stages[Stage.PILOTING] >= 3 * stages[Stage.STOPPED] >= 6
        assert len({p.name for p in pilots}) == 40
        assert {p.language for p in pilots} == {"fi", "sv"}

        decisions = list(db.session.scalars(sa.select(Decision)))
        newest: dict[int, Decision] = {}
        for d in sorted(decisions, key=lambda d: (d.decided_on, d.id)):
            newest[d.pilot_id] = d
        assert all(d.decided_on <= today for d in decisions)
        overdue = {
            pilot_id: d.next_review
            for pilot_id, d in newest.items()
            if d.next_review is not None and d.next_review < today
        }
        assert len(overdue) >= 8
        lempaala = {
            p.pilot_id
            for p in db.session.scalars(
                sa.select(Participation).where(Participation.municipality_code == "418")
            )
        }
        lempaala_overdue = sorted(v for k, v in overdue.items() if k in lempaala)
        assert lempaala_overdue == [today - timedelta(days=177), today - timedelta(days=120)]

        running = (Stage.PILOTING, Stage.EVALUATION)
        past_end = [p for p in pilots if p.stage in running and p.end_date < today]
        assert len(past_end) >= 3 and any(p.stage is Stage.PILOTING for p in past_end)
        stopped = [p for p in pilots if p.stage is Stage.STOPPED]
        assert stopped and all(newest[p.id].outcome is Outcome.NO_GO for p in stopped)
        assert all(len(newest[p.id].rationale) > 60 for p in stopped)
        # Stale pilots: running, with no status update for over 30 days.
        stale = [
            p for p in pilots if p.stage in running and p.last_status_on < today - timedelta(30)
        ]
        assert len(stale) >= 2

        # Measurements have noise: some KPI's monthly series goes the wrong way now and then.
        wrong_way = 0
        for kpi in db.session.scalars(sa.select(Kpi)):
            values = list(
                db.session.scalars(
                    sa.select(Measurement.value)
                    .where(Measurement.kpi_id == kpi.id)
                    .order_by(Measurement.measured_on)
                )
            )
            steps = [b - a for a, b in itertools.pairwise(values)]
            expected = 1 if kpi.target > kpi.baseline else -1
            wrong_way += sum(1 for s in steps if s * expected < 0)
        assert wrong_way >= 20
        days = {m.day for m in db.session.scalars(sa.select(Measurement.measured_on))}
        assert len(days) > 3  # not all on the same day of the month
        # Nothing in the demo trips the plausibility rules.
        assert all(p.external_funding_cents <= p.budget_cents < 5_000_000_00 for p in pilots)
