"""municipal decisions, follow-up plan, lessons

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:49:32.480078
"""

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('municipal_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('gate', sa.Enum('start', 'midpoint', 'scale_up', name='gate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome', sa.Enum('go', 'no_go', 'continue', name='outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('body', sa.Enum('council', 'board', 'committee', 'official', name='body', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('minutes_url', sa.String(length=2000), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_municipal_decisions_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_municipal_decisions_pilot_id_pilots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_municipal_decisions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipal_decisions'))
    )
    with op.batch_alter_table('municipal_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipal_decisions_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index('ix_municipal_decisions_pilot_gate', ['pilot_id', 'gate', 'municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipal_decisions_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('follow_up_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_kind', sa.Enum('vendor', 'municipality', 'coordinator', name='owner_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('owner_municipality_code', sa.String(length=3), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='item_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(owner_kind = 'municipality') = (owner_municipality_code IS NOT NULL)", name=op.f('ck_follow_up_items_owner_municipality_iff_kind')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_follow_up_items_decision_id_decisions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_municipality_code'], ['municipalities.code'], name=op.f('fk_follow_up_items_owner_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_follow_up_items_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_items'))
    )
    with op.batch_alter_table('follow_up_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_items_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_items_due_on'), ['due_on'], unique=False)
        batch_op.create_index('ix_follow_up_items_pilot_status', ['pilot_id', 'status', 'due_on'], unique=False)

    op.create_table('lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_lessons_decision_id_decisions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_lessons_pilot_id_pilots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_lessons_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lessons'))
    )
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lessons_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lessons_pilot_id'), ['pilot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lessons_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('follow_up_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_follow_up_comments_author_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['follow_up_items.id'], name=op.f('fk_follow_up_comments_item_id_follow_up_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_comments'))
    )
    with op.batch_alter_table('follow_up_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_comments_item_id'), ['item_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('follow_up_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_comments_item_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_comments_author_id'))

    op.drop_table('follow_up_comments')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lessons_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_lessons_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_lessons_decision_id'))

    op.drop_table('lessons')
    with op.batch_alter_table('follow_up_items', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_items_pilot_status')
        batch_op.drop_index(batch_op.f('ix_follow_up_items_due_on'))
        batch_op.drop_index(batch_op.f('ix_follow_up_items_decision_id'))

    op.drop_table('follow_up_items')
    with op.batch_alter_table('municipal_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipal_decisions_recorded_by_id'))
        batch_op.drop_index('ix_municipal_decisions_pilot_gate')
        batch_op.drop_index(batch_op.f('ix_municipal_decisions_municipality_code'))

    op.drop_table('municipal_decisions')
