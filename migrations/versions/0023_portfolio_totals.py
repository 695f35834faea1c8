"""aggregates: the portfolio's totals, kept by each pilot's contribution

The unfiltered portfolio summed every pilot's maintained rows on each request (the cost by
municipality hashed 85 000 money rows and 50 000 participations, the decisions by month
13 500 decisions, the money by year 17 000 rows, the due counts 47 000 entries at 10 000
pilots), so its cost grew with the portfolio. `pilot_totals` holds each pilot's contribution
to every total, `portfolio_totals` their sums, kept by adding the difference whenever a
pilot's rows are refreshed (services.aggregates). The due page of a user who sees every
entry is chosen by walking each kind's entries in page order (`ix_due_entries_order`)
instead of sorting the 47 000 shown. This migration does the back-fill of all
aggregate rows (moved here from 0022).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pilot_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_totals")),
    )
    with op.batch_alter_table("pilot_totals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilot_totals_pilot_id"), ["pilot_id"], unique=False)
    op.create_table(
        "portfolio_totals",
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("measure", "key", name=op.f("pk_portfolio_totals")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_pilots_start_date", "pilots", ["start_date"], unique=False)
    with op.batch_alter_table("due_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_due_entries_order",
            [
                "kind",
                "due_on",
                "pilot_id",
                "ref_id",
                "municipality_code",
                "overdue_from",
                "shows_on",
                "id",
            ],
            unique=False,
        )
    # Back-fill: every existing pilot's rows, by the same rules the app keeps them with.
    from pilot_tracker.services import aggregates

    aggregates.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_pilots_start_date", table_name="pilots")
    with op.batch_alter_table("due_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_due_entries_order")
    op.drop_table("portfolio_totals")
    with op.batch_alter_table("pilot_totals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_totals_pilot_id"))
    op.drop_table("pilot_totals")
