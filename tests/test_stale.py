"""Stale as PRODUCT.md defines it ("Status update"), the day a pilot enters piloting, and
migration 0008's back-fill of it."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from pilot_tracker import create_app
from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Pilot
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.pilots import update_pilot
from pilot_tracker.services.reporting import is_stale, stale_clause
from tests.factories import make_pilot
from tests.test_migrations import empty_database  # noqa: F401  (the fixture)

TODAY = date(2026, 12, 2)
DAYS = (None, TODAY - timedelta(days=31), TODAY - timedelta(days=30), TODAY - timedelta(days=2))


@dataclass
class Facts:
    stage: Stage
    last_status_on: date | None
    piloting_since: date | None
    start_date: date | None


@pytest.mark.parametrize(
    ("stage", "status", "since", "start"),
    list(itertools.product(Stage, DAYS, DAYS, DAYS)),
)
def test_is_stale_by_the_latest_of_three_dates(
    stage: Stage, status: date | None, since: date | None, start: date | None
) -> None:
    facts = Facts(stage, status, since, start)
    dates = [d for d in (status, since, start) if d]
    expected = stage in (Stage.PILOTING, Stage.EVALUATION) and (
        not dates or max(dates) < TODAY - timedelta(days=30)
    )
    assert is_stale(facts, TODAY) is expected


def test_stale_clause_agrees_with_is_stale(app: Flask) -> None:
    """The SQL rule (lists, counts, dashboards, API) and the Python one (badges) agree."""
    with app.app_context():
        pilots = []
        for stage, status, since, start in itertools.product(
            (Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION), DAYS, DAYS, DAYS
        ):
            pilot = make_pilot(("418",), stage=stage, start_date=start)
            pilot.last_status_on, pilot.piloting_since = status, since
            pilots.append(pilot)
        db.session.flush()
        ids = [p.id for p in pilots]
        in_sql = set(
            db.session.scalars(sa.select(Pilot.id).where(Pilot.id.in_(ids), stale_clause(TODAY)))
        )
        fresh_sql = set(
            db.session.scalars(
                sa.select(Pilot.id).where(Pilot.id.in_(ids), sa.not_(stale_clause(TODAY)))
            )
        )
        in_python = {p.id for p in pilots if is_stale(p, TODAY)}
    assert in_sql == in_python and in_sql
    assert fresh_sql == set(ids) - in_python


def test_the_start_decision_records_the_day_it_enters_piloting(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418",), stage=Stage.PLANNING, start_date=date(2026, 1, 1))
        record_decision(pilot, Gate.START, Outcome.GO, date(2026, 11, 20), "hallitus", "Aloitus.")
        stored = db.session.get(Pilot, pilot.id)
        assert stored is not None
        # Started 12 days ago with no status yet: not late (the first complaint).
        assert stored.piloting_since == date(2026, 11, 20)
        assert is_stale(stored, TODAY) is False
        assert is_stale(stored, date(2026, 12, 21)) is True
        entry = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "pilot", AuditEntry.entity_id == str(pilot.id))
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None and entry.old is not None and entry.new is not None
        assert (entry.old["piloting_since"], entry.new["piloting_since"]) == (None, "2026-11-20")


def test_a_plain_update_into_piloting_records_today(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418",), stage=Stage.PLANNING)
        update_pilot(pilot, {"stage": Stage.PILOTING}, pilot.version)
        stored = db.session.get(Pilot, pilot.id)
        assert stored is not None and stored.piloting_since == date.today()


def test_stopped_pilots_are_never_stale(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418",), stage=Stage.PILOTING, start_date=date(2025, 1, 1))
        assert is_stale(pilot, TODAY)
        record_decision(pilot, Gate.MIDPOINT, Outcome.NO_GO, TODAY, "hallitus", "Lopetus.")
        stored = db.session.get(Pilot, pilot.id)
        assert stored is not None and stored.stage is Stage.STOPPED
        assert not is_stale(stored, TODAY)


def _insert_pilot(conn: sa.Connection, pilot_id: int, stage: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    conn.execute(
        sa.text(
            "INSERT INTO pilots (id, name, summary, theme, track, stage, lead_municipality_code,"
            " budget_cents, external_funding_cents, estimated_annual_savings_cents,"
            " split_method, is_public, language, version, created_at, updated_at)"
            " VALUES (:id, :name, '', 'permits', 'quick', :stage, '418', 0, 0, 0, 'equal',"
            " :false, 'fi', 1, :now, :now)"
        ),
        {"id": pilot_id, "name": f"P{pilot_id}", "stage": stage, "now": now, "false": False},
    )


def test_migration_0008_back_fills_piloting_since(empty_database: str) -> None:  # noqa: F811
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            for pilot_id, stage in ((1, "piloting"), (2, "evaluation"), (3, "planning")):
                _insert_pilot(conn, pilot_id, stage)
            # 1: two start decisions (sent back to planning in between): the newest counts.
            for decision_id, day in ((1, date(2025, 3, 1)), (2, date(2025, 9, 1))):
                conn.execute(
                    sa.text(
                        "INSERT INTO decisions (id, pilot_id, gate, outcome, decided_on,"
                        " decided_by, rationale, follow_up, stage_before, stage_after, snapshot,"
                        " created_at) VALUES (:id, 1, 'start', 'go', :day, 'hallitus', 'x', '',"
                        " 'planning', 'piloting', :snapshot, :now)"
                    ),
                    {
                        "id": decision_id,
                        "day": day,
                        "snapshot": json.dumps({}),
                        "now": datetime(2026, 1, 1, tzinfo=UTC),
                    },
                )
            # 2: moved to piloting by a plain edit (the audit log has every field), then on.
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (at, action, entity, entity_id, pilot_id, new)"
                    " VALUES (:at, 'update', 'pilot', '2', 2, :new)"
                ),
                {
                    "at": datetime(2025, 5, 6, 10, 0, tzinfo=UTC),
                    "new": json.dumps({"name": "P2", "stage": "piloting", "version": 2}),
                },
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT id, piloting_since FROM pilots")).all())
        db.engine.dispose()
    as_dates = {k: (date.fromisoformat(str(v)) if v else None) for k, v in rows.items()}
    assert as_dates == {1: date(2025, 9, 1), 2: date(2025, 5, 6), 3: None}
