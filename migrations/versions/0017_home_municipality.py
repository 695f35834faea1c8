"""a council member's chosen home municipality

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-02 12:50:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_municipality_code', sa.String(length=3), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_home_municipality_code'), ['home_municipality_code'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_home_municipality_code_municipalities'), 'municipalities', ['home_municipality_code'], ['code'])
        batch_op.create_check_constraint(batch_op.f('ck_users_home_only_council'), "home_municipality_code IS NULL OR role = 'council'")


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_home_only_council'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_users_home_municipality_code_municipalities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_home_municipality_code'))
        batch_op.drop_column('home_municipality_code')
