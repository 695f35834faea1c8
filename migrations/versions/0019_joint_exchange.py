"""joint exchange: a stable uid for municipal decisions, follow-up items, their comments and
lessons learned

Revision ID: 0019
Revises: 0013
Create Date: 2026-12-02

The export names each row of these tables by its `uid`, as it does the rows of the older child
tables (migration 0009), so that importing a file into the database it came from updates
those rows instead of creating copies. Existing rows get a random version-4 UUID here, in SQL
on both databases; the columns stay nullable as in 0009 (the models always give a uid).

The similar-pilot search also looks for its stems in the lessons learned (LIKE '%stem%'); on
PostgreSQL a trigram index serves that, as ix_pilots_search_trgm (0003) does for the pilots'
texts (outside the ORM, like it). SQLite reads the lessons, a small table, as they are.
"""

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('municipal_decisions', 'follow_up_items', 'follow_up_comments', 'lessons')

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
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX ix_lessons_search_trgm ON lessons USING gin (text gin_trgm_ops)')


def downgrade() -> None:
    op.execute('DROP INDEX IF EXISTS ix_lessons_search_trgm')
    for table in reversed(TABLES):
        op.drop_index(f'ix_{table}_uid', table_name=table)
        op.drop_column(table, 'uid')
