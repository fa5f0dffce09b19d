"""initial tables: units + closure, teachers, records, accounts, grants, sessions, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 07:41:43.700026
"""
from alembic import op
import sqlalchemy as sa
import web.db.base
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_log',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('target_type', sa.String(length=24), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_audit_target', ['target_type', 'target_id'], unique=False)

    # the chain starts from a fixed genesis link (seq 0, 64 zeros)
    head = sa.table('audit_head', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                    sa.column('hash', sa.String))
    op.bulk_insert(head, [{'id': 1, 'seq': 0, 'hash': '0' * 64}])

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('school_type', sa.String(length=32), nullable=True),
    sa.Column('urban_rural', sa.String(length=8), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('teacher_login_enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('teachers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_type', sa.String(length=4), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('gender', sa.String(length=2), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('teacher_number', sa.String(length=24), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('created_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_teachers_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teachers')),
    sa.UniqueConstraint('id_type', 'id_number', name='uq_teachers_identity'),
    sa.UniqueConstraint('teacher_number', name=op.f('uq_teachers_teacher_number'))
    )
    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.create_index('ix_teachers_state', ['unit_id', 'state'], unique=False)
        batch_op.create_index('ix_teachers_unit_name', ['unit_id', 'name', 'id'], unique=False)

    op.create_table('unit_closure',
    sa.Column('ancestor_id', sa.Integer(), nullable=False),
    sa.Column('descendant_id', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ancestor_id'], ['units.id'], name=op.f('fk_unit_closure_ancestor_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['descendant_id'], ['units.id'], name=op.f('fk_unit_closure_descendant_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ancestor_id', 'descendant_id', name=op.f('pk_unit_closure'))
    )
    with op.batch_alter_table('unit_closure', schema=None) as batch_op:
        batch_op.create_index('ix_unit_closure_descendant', ['descendant_id', 'ancestor_id'], unique=False)

    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('real_name', sa.String(length=50), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('initial_password', sa.Text(), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', web.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('password_changed_at', web.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', web.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_accounts_teacher_id_teachers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_accounts_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('teacher_id', name=op.f('uq_accounts_teacher_id')),
    sa.UniqueConstraint('username', name=op.f('uq_accounts_username'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_unit_id'), ['unit_id'], unique=False)

    op.create_table('records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('set_key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('catalogue_version', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('copy_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['copy_of_id'], ['records.id'], name=op.f('fk_records_copy_of_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_records_teacher_id_teachers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index('ix_records_teacher_set', ['teacher_id', 'set_key', 'position'], unique=False)

    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role_key', sa.String(length=32), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_grants_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_grants_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('account_id', 'unit_id', 'role_key', name='uq_grants_account_unit_role')
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index('ix_grants_unit_role', ['unit_id', 'role_key'], unique=False)

    op.create_table('web_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.Column('entry', sa.String(length=8), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_web_sessions_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_web_sessions_account_id'))

    op.drop_table('web_sessions')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index('ix_grants_unit_role')

    op.drop_table('grants')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_teacher_set')

    op.drop_table('records')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_unit_id'))

    op.drop_table('accounts')
    with op.batch_alter_table('unit_closure', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_closure_descendant')

    op.drop_table('unit_closure')
    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.drop_index('ix_teachers_unit_name')
        batch_op.drop_index('ix_teachers_state')

    op.drop_table('teachers')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_target')
        batch_op.drop_index(batch_op.f('ix_audit_log_unit_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    op.drop_table('audit_head')
