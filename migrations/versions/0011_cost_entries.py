"""cost entries: actual costs with their funding and shares; membership dates; hybrid split

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Cost entries store their funded part and one share row per municipality (derived, kept
current by the costs service) so billing a municipality for a period reads one index.
Participations get joined_on / left_on; pilots get the funding rate and the hybrid
method's equal part, and the split-method CHECK constraint admits `hybrid`.
"""

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_METHODS = "'equal', 'per_capita', 'manual'"
NEW_METHODS = "'equal', 'per_capita', 'manual', 'hybrid'"


def _replace_split_method_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        # SQLite cannot alter a CHECK constraint, and a batch rebuild of `pilots` would drop
        # the table that everything cascades from (foreign keys are on and cannot be turned
        # off inside the migration's transaction). Widening an IN list changes no stored
        # row, so the schema text is edited in place: the procedure SQLite documents for
        # changes that leave the on-disk format alone (sqlite.org/lang_altertable.html).
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'pilots'"
        ).scalar_one()
        marker = f"split_method IN ({old})"
        if marker not in sql:
            raise RuntimeError(f"pilots has no CHECK {marker}")
        version = bind.exec_driver_sql('PRAGMA schema_version').scalar_one()
        bind.exec_driver_sql('PRAGMA writable_schema = ON')
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'pilots'",
            (sql.replace(marker, f"split_method IN ({new})"),),
        )
        bind.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
        bind.exec_driver_sql('PRAGMA writable_schema = OFF')
        return
    op.drop_constraint(op.f('ck_pilots_split_method'), 'pilots', type_='check')
    op.create_check_constraint(
        op.f('ck_pilots_split_method'), 'pilots', sa.text(f'split_method IN ({new})')
    )


def upgrade() -> None:
    # Plain ADD COLUMN (no batch mode), as in 0005 to 0007.
    op.add_column('pilots', sa.Column('equal_percent', sa.Numeric(precision=5, scale=2), nullable=True))
    op.add_column(
        'pilots',
        sa.Column('external_funding_rate_percent', sa.Numeric(precision=5, scale=2), nullable=True),
    )
    op.add_column('participations', sa.Column('joined_on', sa.Date(), nullable=True))
    op.add_column('participations', sa.Column('left_on', sa.Date(), nullable=True))
    _replace_split_method_check(OLD_METHODS, NEW_METHODS)

    op.create_table('cost_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('vendor_invoice', 'own_work', 'other', name='cost_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('funded_cents', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_cost_entries_pilot_id_pilots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_cost_entries_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_entries'))
    )
    with op.batch_alter_table('cost_entries', schema=None) as batch_op:
        batch_op.create_index('ix_cost_entries_date', ['entry_date'], unique=False)
        batch_op.create_index('ix_cost_entries_pilot_date', ['pilot_id', 'entry_date', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cost_entries_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('cost_shares',
    sa.Column('cost_entry_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('share_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cost_entry_id'], ['cost_entries.id'], name=op.f('fk_cost_shares_cost_entry_id_cost_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_cost_shares_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_cost_shares_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cost_entry_id', 'municipality_code', name=op.f('pk_cost_shares'))
    )
    with op.batch_alter_table('cost_shares', schema=None) as batch_op:
        batch_op.create_index('ix_cost_shares_billing', ['municipality_code', 'entry_date', 'cost_entry_id', 'share_cents'], unique=False)
        batch_op.create_index(batch_op.f('ix_cost_shares_pilot_id'), ['pilot_id'], unique=False)


def downgrade() -> None:
    op.drop_table('cost_shares')
    op.drop_table('cost_entries')
    # The three older methods cannot say "hybrid": those pilots fall back to per capita.
    op.execute("UPDATE pilots SET split_method = 'per_capita' WHERE split_method = 'hybrid'")
    _replace_split_method_check(NEW_METHODS, OLD_METHODS)
    op.drop_column('participations', 'left_on')
    op.drop_column('participations', 'joined_on')
    op.drop_column('pilots', 'external_funding_rate_percent')
    op.drop_column('pilots', 'equal_percent')
