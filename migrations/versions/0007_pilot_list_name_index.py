"""pilot list: an index for its default order (lower(name), id)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

The pilot list opens sorted by name. Without an index both databases read and sort every
pilot to show the first 25 (about 12 ms on PostgreSQL at 10 000 pilots); with it they read
the first 25 entries of the index in order and stop.
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX (no batch mode), as in 0006: a batch rebuild of `pilots` on SQLite
    # would drop and re-create the table the rest cascade from.
    op.create_index('ix_pilots_name_lower', 'pilots', [sa.text('lower(name)'), 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pilots_name_lower', table_name='pilots')
