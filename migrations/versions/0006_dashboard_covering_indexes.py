"""dashboard covering indexes: pilots grouped for the portfolio, savings KPIs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

ix_pilots_dashboard holds every column the portfolio's grouped pilot query reads, in its
GROUP BY order, so SQLite answers it from the index without a sort (about a third of the
time at 10 000 pilots); PostgreSQL keeps its hash aggregate over the table. ix_kpis_savings
lets the realised-savings sum read only the savings KPIs, from the index.
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX (no batch mode): a batch rebuild of `pilots` on SQLite would drop
    # and re-create the table that participations, KPIs and decisions cascade from.
    op.create_index(
        'ix_pilots_dashboard',
        'pilots',
        [
            'stage',
            'theme',
            'track',
            'last_rag',
            'last_status_on',
            'budget_cents',
            'external_funding_cents',
            'estimated_annual_savings_cents',
            'start_date',
            'end_date',
        ],
        unique=False,
    )
    op.create_index(
        'ix_kpis_savings', 'kpis', ['is_savings', 'pilot_id', 'latest_value'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_kpis_savings', table_name='kpis')
    op.drop_index('ix_pilots_dashboard', table_name='pilots')
