"""cost entries: a stable uid, so that an import updates the entries it names

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-02

The costs table of an export names each cost entry by its `uid` (as 0009 did for the other
child rows of a pilot), so that importing a file into the database it came from updates the
entries that changed, keeps the ones that did not and adds the new ones, instead of
recording every entry again. Existing entries get a random version-4 UUID here, in SQL on
both databases; the column stays nullable in the schema (as in 0009), the model always
gives one.
"""

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0017'
branch_labels = None
depends_on = None

# A version-4 UUID in SQLite's own SQL (each randomblob() call is evaluated per row).
_SQLITE_UUID = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || "
    "lower(hex(randomblob(6)))"
)


def upgrade() -> None:
    uuid_sql = (
        'gen_random_uuid()::text' if op.get_bind().dialect.name == 'postgresql' else _SQLITE_UUID
    )
    op.add_column('cost_entries', sa.Column('uid', sa.String(length=36), nullable=True))
    op.execute(sa.text(f'UPDATE cost_entries SET uid = {uuid_sql} WHERE uid IS NULL'))
    op.create_index('ix_cost_entries_uid', 'cost_entries', ['uid'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_cost_entries_uid', table_name='cost_entries')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later), not a batch rebuild.
    op.drop_column('cost_entries', 'uid')
