"""gate meetings: planned meetings for a pilot's next gate

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gate_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('gate', sa.Enum('start', 'midpoint', 'scale_up', name='gate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('meets_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=True),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.Column('body', sa.Enum('council', 'board', 'committee', 'official', name='body', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('municipality_code IS NOT NULL OR body IS NULL', name=op.f('ck_gate_meetings_body_only_for_municipality')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gate_meetings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_gate_meetings_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_gate_meetings_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_meetings'))
    )
    with op.batch_alter_table('gate_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_meetings_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gate_meetings_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index('ix_gate_meetings_pilot_meets_on', ['pilot_id', 'meets_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gate_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_gate_meetings_pilot_meets_on')
        batch_op.drop_index(batch_op.f('ix_gate_meetings_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_gate_meetings_created_by_id'))
    op.drop_table('gate_meetings')
