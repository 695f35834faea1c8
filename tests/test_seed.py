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
