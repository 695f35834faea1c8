"""pilot page: a pilot's newest audit entries by (pilot_id, at, id)

The pilot page shows a pilot's 20 newest audit entries. With only `ix_audit_log_at` and
`ix_audit_log_pilot_id`, SQLite walks the whole audit log in time order until it has found 20
of the pilot's entries (and PostgreSQL sorts all of the pilot's entries): a read that grows
with the log. This index answers the query as written, from the pilot's end.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-02 13:20:00
"""

from alembic import op

revision = "0018"
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_pilot_at", ["pilot_id", "at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_pilot_at")
