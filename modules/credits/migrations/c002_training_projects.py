"""credits: training institutions, their accounts, projects and participants' results

Revision ID: c002
Revises: c001
"""
from alembic import op
import sqlalchemy as sa

import web.db.base

revision = 'c002'
down_revision = 'c001'
branch_labels = None
depends_on = None

TS = web.db.base.UTCDateTime(timezone=True)
AMOUNT = sa.Numeric(10, 2)


def upgrade() -> None:
    op.create_table(
        'training_institutions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('units.id', name='fk_training_institutions_unit_id_units'),
                  nullable=False),
        sa.Column('created_at', TS, nullable=False),
    )
    op.create_index('ix_training_institutions_unit_id', 'training_institutions', ['unit_id'])
    op.create_table(
        'training_inst_accounts',
        sa.Column('account_id', sa.Integer(), sa.ForeignKey('accounts.id', ondelete='CASCADE',
                  name='fk_training_inst_accounts_account_id_accounts'), primary_key=True),
        sa.Column('institution_id', sa.Integer(), sa.ForeignKey('training_institutions.id', ondelete='CASCADE',
                  name='fk_training_inst_accounts_institution_id_training_institutions'), nullable=False),
    )
    op.create_index('ix_training_inst_accounts_institution_id', 'training_inst_accounts',
                    ['institution_id'])
    op.create_table(
        'training_projects',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('level', sa.String(16), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('hours', AMOUNT, nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('organiser', sa.String(100), nullable=False),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('units.id', name='fk_training_projects_unit_id_units'),
                  nullable=False),
        sa.Column('institution_id', sa.Integer(), sa.ForeignKey(
            'training_institutions.id', name='fk_training_projects_institution_id_training_institutions'), nullable=True),
        sa.Column('state', sa.String(12), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
    )
    op.create_index('ix_training_projects_unit_id', 'training_projects', ['unit_id'])
    op.create_index('ix_training_projects_institution_id', 'training_projects', ['institution_id'])
    op.create_table(
        'training_results',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('project_id', sa.Integer(), sa.ForeignKey('training_projects.id', ondelete='CASCADE',
                  name='fk_training_results_project_id_training_projects'), nullable=False),
        sa.Column('teacher_id', sa.Integer(), sa.ForeignKey('teachers.id', ondelete='CASCADE',
                  name='fk_training_results_teacher_id_teachers'), nullable=False),
        sa.Column('hours', AMOUNT, nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('score', AMOUNT, nullable=True),
        sa.Column('state', sa.String(12), nullable=False),
        sa.Column('submitted_by', sa.Integer(), nullable=True),
        sa.Column('submitted_at', TS, nullable=False),
        sa.Column('confirmed_by', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', TS, nullable=True),
        sa.Column('credits', AMOUNT, nullable=True),
        sa.Column('rule_version', sa.String(64), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
    )
    op.create_index('ix_training_results_teacher_id', 'training_results', ['teacher_id'])
    op.create_index('uq_training_results_project_teacher', 'training_results', ['project_id', 'teacher_id'], unique=True)
    op.create_index('ix_training_results_project_state', 'training_results', ['project_id', 'state'])


def downgrade() -> None:
    op.drop_table('training_results')
    op.drop_table('training_projects')
    op.drop_table('training_inst_accounts')
    op.drop_table('training_institutions')
