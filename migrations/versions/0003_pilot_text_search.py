"""Text search for similar pilots: pilot language, FTS5 (SQLite) or tsvector + pg_trgm.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

The search structures live outside the ORM metadata (they differ per database); env.py's
include_object keeps autogenerate from reporting them. Both are maintained by the database
itself on every insert, update and delete of a pilot.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PG_CONFIG = (
    "(CASE language WHEN 'sv' THEN 'swedish'::regconfig "
    "WHEN 'en' THEN 'english'::regconfig ELSE 'finnish'::regconfig END)"
)
PG_DOCUMENT = "(coalesce(name, '') || ' ' || coalesce(summary, ''))"


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild of `pilots` on SQLite would drop and re-create the
    # table that participations, KPIs and decisions cascade from.
    op.add_column("pilots", sa.Column("language", sa.String(2), nullable=False, server_default="fi"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX ix_pilots_search_tsv ON pilots "
            f"USING gin (to_tsvector({PG_CONFIG}, {PG_DOCUMENT}))"
        )
        op.execute(
            f"CREATE INDEX ix_pilots_search_trgm ON pilots USING gin ({PG_DOCUMENT} gin_trgm_ops)"
        )
        return
    # SQLite: an external-content FTS5 table with the trigram tokenizer, kept in step by
    # triggers, so inflected and compound Finnish words still share most trigrams.
    op.execute(
        "CREATE VIRTUAL TABLE pilot_search_fts USING fts5("
        "name, summary, content='pilots', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER pilots_search_ai AFTER INSERT ON pilots BEGIN "
        "INSERT INTO pilot_search_fts(rowid, name, summary) "
        "VALUES (new.id, new.name, new.summary); END"
    )
    op.execute(
        "CREATE TRIGGER pilots_search_ad AFTER DELETE ON pilots BEGIN "
        "INSERT INTO pilot_search_fts(pilot_search_fts, rowid, name, summary) "
        "VALUES ('delete', old.id, old.name, old.summary); END"
    )
    op.execute(
        "CREATE TRIGGER pilots_search_au AFTER UPDATE OF name, summary ON pilots BEGIN "
        "INSERT INTO pilot_search_fts(pilot_search_fts, rowid, name, summary) "
        "VALUES ('delete', old.id, old.name, old.summary); "
        "INSERT INTO pilot_search_fts(rowid, name, summary) "
        "VALUES (new.id, new.name, new.summary); END"
    )
    op.execute("INSERT INTO pilot_search_fts(pilot_search_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_pilots_search_trgm")
        op.execute("DROP INDEX IF EXISTS ix_pilots_search_tsv")
    else:
        for trigger in ("pilots_search_ai", "pilots_search_ad", "pilots_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS pilot_search_fts")
        # SQLite 3.35+ drops a column in place (no table rebuild, no cascades).
        op.execute("ALTER TABLE pilots DROP COLUMN language")
        return
    op.drop_column("pilots", "language")
