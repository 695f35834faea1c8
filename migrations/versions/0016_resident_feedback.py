"""residents' feedback on public pilots

Revision ID: 0016
Revises: 0020
Create Date: 2026-12-02 12:55:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resident_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_status', sa.Enum('none', 'pending', 'approved', 'hidden', name='text_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_resident_feedback_rating_range')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_resident_feedback_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_resident_feedback_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_feedback'))
    )
    with op.batch_alter_table('resident_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_feedback_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index('ix_resident_feedback_summary', ['pilot_id', 'municipality_code', 'rating'], unique=False)
        batch_op.create_index('ix_resident_feedback_texts', ['pilot_id', 'text_status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resident_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_feedback_texts')
        batch_op.drop_index('ix_resident_feedback_summary')
        batch_op.drop_index(batch_op.f('ix_resident_feedback_municipality_code'))

    op.drop_table('resident_feedback')
