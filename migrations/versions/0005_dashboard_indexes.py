"""dashboard indexes: pilots by end date, participations by municipality with shares

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

The portfolio timeline reads the pilots ending soonest first (ix_pilots_end_date lets the
database stop after the rows it shows), and net cost by municipality sums share_cents per
municipality from ix_participations_municipality_share alone (an index-only scan).
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX (no batch mode): a batch rebuild of `pilots` on SQLite would drop
    # and re-create the table that participations, KPIs and decisions cascade from.
    op.create_index('ix_pilots_end_date', 'pilots', ['end_date'], unique=False)
    op.create_index(
        'ix_participations_municipality_share',
        'participations',
        ['municipality_code', 'share_cents'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_participations_municipality_share', table_name='participations')
    op.drop_index('ix_pilots_end_date', table_name='pilots')
