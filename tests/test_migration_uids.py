"""Migration 0009 gives every existing pilot and child row a unique version-4 UUID."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask_migrate import upgrade

from pilot_tracker.extensions import db
from tests.test_migrations import _migrated_app, empty_database  # noqa: F401

NOW = "2026-11-30 10:00:00+00:00"


def test_upgrade_back_fills_unique_uids(empty_database: str) -> None:  # noqa: F811
    app = _migrated_app(empty_database)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            for n in (1, 2, 3):
                conn.execute(
                    sa.text(
                        "INSERT INTO pilots (id, name, summary, theme, track, stage, "
                        "lead_municipality_code, budget_cents, external_funding_cents, "
                        "estimated_annual_savings_cents, split_method, is_public, version, "
                        "created_at, updated_at) VALUES (:id, :name, '', 'permits', 'quick', "
                        "'idea', '418', 0, 0, 0, 'equal', false, 1, :now, :now)"
                    ),
                    {"id": n, "name": f"Kokeilu {n}", "now": NOW},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO kpis (id, pilot_id, name, unit, baseline, target, direction, "
                    "is_savings, created_at) VALUES (1, 1, 'M', '', 0, 1, 'increase', false, :now)"
                ),
                {"now": NOW},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO measurements (kpi_id, measured_on, value, note, created_at) "
                    "VALUES (1, '2026-11-01', 1, '', :now), (1, '2026-11-02', 2, '', :now)"
                ),
                {"now": NOW},
            )
        upgrade()
        with db.engine.connect() as conn:
            pilots = list(conn.execute(sa.text("SELECT uid FROM pilots")).scalars())
            measurements = list(conn.execute(sa.text("SELECT uid FROM measurements")).scalars())
            kpis = list(conn.execute(sa.text("SELECT uid FROM kpis")).scalars())
        db.engine.dispose()
    for uids in (pilots, measurements, kpis):
        assert len(set(uids)) == len(uids)
        for text in uids:
            parsed = uuid.UUID(text)
            assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert len(pilots) == 3 and len(measurements) == 2
