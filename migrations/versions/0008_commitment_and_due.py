"""pilots.piloting_since: the day a pilot entered piloting (for the stale rule)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A pilot is stale when it is piloting or in evaluation and the latest of its newest status
update, the day it entered piloting and its planned start is more than 30 days ago
(PRODUCT.md). The day it entered piloting is recorded from now on by the decision service;
for the pilots that exist it is back-filled from the newest start `go` decision (the
decisions record the stage before and after) and, for pilots moved to piloting by a plain
update, from the newest such update in the audit log.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


DASHBOARD_COLUMNS = [
    'stage', 'theme', 'track', 'last_rag', 'last_status_on', 'piloting_since', 'budget_cents',
    'external_funding_cents', 'estimated_annual_savings_cents', 'start_date', 'end_date',
]


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def upgrade() -> None:
    # A nullable column: a plain ADD COLUMN on both databases, no batch rebuild of `pilots`.
    op.add_column('pilots', sa.Column('piloting_since', sa.Date(), nullable=True))
    # The portfolio's covering index gains the column: the stale rule reads it.
    op.drop_index('ix_pilots_dashboard', table_name='pilots')
    op.create_index('ix_pilots_dashboard', 'pilots', DASHBOARD_COLUMNS, unique=False)
    conn = op.get_bind()
    since: dict[int, date] = {}
    entries = conn.execute(
        sa.text(
            "SELECT pilot_id, at, new FROM audit_log "
            "WHERE entity = 'pilot' AND action = 'update' AND pilot_id IS NOT NULL "
            "ORDER BY id"
        )
    )
    for pilot_id, at, new in entries:
        values = _json(new)
        # A plain update records every field (so also the name); the entry a decision
        # writes records only the stage and version, and the decision has its own date.
        if values.get('stage') == 'piloting' and 'name' in values:
            day = _as_date(at)
            if day is not None:
                since[int(pilot_id)] = day  # the newest entry wins (ordered by id)
    decisions = conn.execute(
        sa.text(
            "SELECT pilot_id, MAX(decided_on) FROM decisions "
            "WHERE gate = 'start' AND outcome = 'go' AND stage_after = 'piloting' "
            "GROUP BY pilot_id"
        )
    )
    for pilot_id, decided_on in decisions:
        day = _as_date(decided_on)
        if day is not None:
            # The start decision's date (what the meeting decided) wins over the day a
            # plain update was saved.
            since[int(pilot_id)] = day
    update = sa.text("UPDATE pilots SET piloting_since = :day WHERE id = :id")
    for pilot_id, day in sorted(since.items()):
        conn.execute(update, {"day": day, "id": pilot_id})


def downgrade() -> None:
    op.drop_index('ix_pilots_dashboard', table_name='pilots')
    op.create_index(
        'ix_pilots_dashboard', 'pilots', [c for c in DASHBOARD_COLUMNS if c != 'piloting_since']
    )
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no batch rebuild of `pilots`.
    op.drop_column('pilots', 'piloting_since')
