"""pilot uids: a stable UUID for every pilot and for each row of its child tables

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Exports name every pilot, KPI, measurement, status update and decision by its `uid`, so that
importing a file into the database it came from updates those rows instead of creating
copies. Existing rows get a random version-4 UUID here, in SQL on both databases. The columns
stay nullable in the schema (SQLite cannot add a NOT NULL column to a table without
rebuilding it, and a batch rebuild of `pilots` would drop the table the rest cascade from);
the models always give a uid.
"""

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ('pilots', 'kpis', 'measurements', 'status_updates', 'decisions')

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
    for table in TABLES:
        op.add_column(table, sa.Column('uid', sa.String(length=36), nullable=True))
        op.execute(sa.text(f'UPDATE {table} SET uid = {uuid_sql} WHERE uid IS NULL'))
        op.create_index(f'ix_{table}_uid', table, ['uid'], unique=True)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f'ix_{table}_uid', table_name=table)
        # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later), not a batch rebuild.
        op.drop_column(table, 'uid')
