"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=True),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_pilot_id'), ['pilot_id'], unique=False)

    op.create_table('municipalities',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name_fi', sa.String(length=100), nullable=False),
    sa.Column('name_sv', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('region_name', sa.String(length=100), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('population_year', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('lon', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.CheckConstraint('length(code) = 3', name=op.f('ck_municipalities_code_three_digits')),
    sa.CheckConstraint('population >= 0', name=op.f('ck_municipalities_population_not_negative')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipalities'))
    )
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipalities_region_code'), ['region_code'], unique=False)

    op.create_table('vendors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('business_id', sa.String(length=9), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('business_id', name=op.f('uq_vendors_business_id'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'coordinator', 'council', 'vendor', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('session_nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role = 'vendor') = (vendor_id IS NOT NULL)", name=op.f('ck_users_vendor_iff_vendor_role')),
    sa.CheckConstraint("municipality_code IS NULL OR role = 'council'", name=op.f('ck_users_municipality_only_council')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_users_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_users_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('pilots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('theme', sa.Enum('transport_optimisation', 'permits', 'facility_booking', 'feedback', 'e_services', 'customer_data', 'geodata', 'property_management', 'mobile_work', 'other', name='theme', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('track', sa.Enum('quick', 'slow', name='track', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('stage', sa.Enum('idea', 'planning', 'piloting', 'evaluation', 'scaling', 'stopped', name='stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('lead_municipality_code', sa.String(length=3), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('budget_cents', sa.BigInteger(), nullable=False),
    sa.Column('external_funding_cents', sa.BigInteger(), nullable=False),
    sa.Column('estimated_annual_savings_cents', sa.BigInteger(), nullable=False),
    sa.Column('split_method', sa.Enum('equal', 'per_capita', 'manual', name='split_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('last_status_on', sa.Date(), nullable=True),
    sa.Column('last_rag', sa.Enum('green', 'amber', 'red', name='last_rag', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('budget_cents >= 0', name=op.f('ck_pilots_budget_not_negative')),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_pilots_end_after_start')),
    sa.CheckConstraint('estimated_annual_savings_cents >= 0', name=op.f('ck_pilots_savings_not_negative')),
    sa.CheckConstraint('external_funding_cents >= 0', name=op.f('ck_pilots_funding_not_negative')),
    sa.ForeignKeyConstraint(['coordinator_id'], ['users.id'], name=op.f('fk_pilots_coordinator_id_users')),
    sa.ForeignKeyConstraint(['lead_municipality_code'], ['municipalities.code'], name=op.f('fk_pilots_lead_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_pilots_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilots'))
    )
    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilots_coordinator_id'), ['coordinator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_is_public'), ['is_public'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_lead_municipality_code'), ['lead_municipality_code'], unique=False)
        batch_op.create_index('ix_pilots_stage_theme', ['stage', 'theme'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_track'), ['track'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('gate', sa.Enum('start', 'midpoint', 'scale_up', name='gate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome', sa.Enum('go', 'no_go', 'continue', name='outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.Column('next_review', sa.Date(), nullable=True),
    sa.Column('stage_before', sa.Enum('idea', 'planning', 'piloting', 'evaluation', 'scaling', 'stopped', name='stage_before', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('stage_after', sa.Enum('idea', 'planning', 'piloting', 'evaluation', 'scaling', 'stopped', name='stage_after', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_decisions_pilot_id_pilots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_decisions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_next_review'), ['next_review'], unique=False)
        batch_op.create_index('ix_decisions_pilot_date', ['pilot_id', 'decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('kpis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=False),
    sa.Column('baseline', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('target', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('direction', sa.Enum('increase', 'decrease', name='direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_savings', sa.Boolean(), nullable=False),
    sa.Column('latest_value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('latest_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('target <> baseline', name=op.f('ck_kpis_target_differs')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_kpis_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpis'))
    )
    with op.batch_alter_table('kpis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpis_pilot_id'), ['pilot_id'], unique=False)

    op.create_table('participations',
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('share_cents', sa.BigInteger(), nullable=False),
    sa.Column('manual_percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.CheckConstraint('manual_percent IS NULL OR (manual_percent >= 0 AND manual_percent <= 100)', name=op.f('ck_participations_manual_percent_range')),
    sa.CheckConstraint('share_cents >= 0', name=op.f('ck_participations_share_not_negative')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_participations_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_participations_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pilot_id', 'municipality_code', name=op.f('pk_participations'))
    )
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participations_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('pilot_goals',
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('goal', sa.Enum('attract_residents', 'cut_costs', 'use_resources_better', 'resident_satisfaction', 'brand', name='goal', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_pilot_goals_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pilot_id', 'goal', name=op.f('pk_pilot_goals'))
    )
    op.create_table('status_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('rag', sa.Enum('green', 'amber', 'red', name='rag', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('progress_percent', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress_percent >= 0 AND progress_percent <= 100', name=op.f('ck_status_updates_progress_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_status_updates_author_id_users')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_status_updates_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_updates'))
    )
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_updates_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_status_updates_pilot_date', ['pilot_id', 'reported_on'], unique=False)

    op.create_table('measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_measurements_kpi_id_kpis'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_measurements_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurements'))
    )
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.create_index('ix_measurements_kpi_date', ['kpi_id', 'measured_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurements_recorded_by_id'), ['recorded_by_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurements_recorded_by_id'))
        batch_op.drop_index('ix_measurements_kpi_date')

    op.drop_table('measurements')
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_status_updates_pilot_date')
        batch_op.drop_index(batch_op.f('ix_status_updates_author_id'))

    op.drop_table('status_updates')
    op.drop_table('pilot_goals')
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participations_municipality_code'))

    op.drop_table('participations')
    with op.batch_alter_table('kpis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpis_pilot_id'))

    op.drop_table('kpis')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_recorded_by_id'))
        batch_op.drop_index('ix_decisions_pilot_date')
        batch_op.drop_index(batch_op.f('ix_decisions_next_review'))
        batch_op.drop_index(batch_op.f('ix_decisions_decided_on'))

    op.drop_table('decisions')
    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilots_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_pilots_track'))
        batch_op.drop_index('ix_pilots_stage_theme')
        batch_op.drop_index(batch_op.f('ix_pilots_lead_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_pilots_is_public'))
        batch_op.drop_index(batch_op.f('ix_pilots_coordinator_id'))

    op.drop_table('pilots')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_users_municipality_code'))

    op.drop_table('users')
    op.drop_table('vendors')
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipalities_region_code'))

    op.drop_table('municipalities')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_pilot_id'))
        batch_op.drop_index('ix_audit_log_entity')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
