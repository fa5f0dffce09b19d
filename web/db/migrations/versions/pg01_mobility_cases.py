"""cases: mobility_cases (transfers, rotations, status changes) and case_transitions

Cases with two parties (web/cases, engine/workflow.py): the resolved steps on the row, the
acting unit for queues, one open case per teacher (unique open_teacher_id), an append-only
transition log with names copied in and no foreign key into it (nothing cascades).

Revision ID: pg01
Revises: ex01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import web.db.base

revision = 'pg01'
down_revision = 'ex01'
branch_labels = None
depends_on = None

TS = web.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'mobility_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('variant', sa.String(length=24), nullable=True),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('teacher_name', sa.String(length=50), nullable=False),
        sa.Column('initiator_unit_id', sa.Integer(), nullable=False),
        sa.Column('counterpart_unit_id', sa.Integer(), nullable=True),
        sa.Column('counterpart_code', sa.String(length=20), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('steps', JSON, nullable=False),
        sa.Column('acting_unit_id', sa.Integer(), nullable=True),
        sa.Column('payload', JSON, nullable=False),
        sa.Column('effect', JSON, nullable=True),
        sa.Column('open_teacher_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.Column('completed_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_mobility_cases_teacher_id_teachers')),
        sa.ForeignKeyConstraint(['initiator_unit_id'], ['units.id'],
                                name=op.f('fk_mobility_cases_initiator_unit_id_units')),
        sa.ForeignKeyConstraint(['counterpart_unit_id'], ['units.id'],
                                name=op.f('fk_mobility_cases_counterpart_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_cases')),
        sa.UniqueConstraint('open_teacher_id', name=op.f('uq_mobility_cases_open_teacher_id')),
    )
    op.create_index('ix_mobility_cases_queue', 'mobility_cases', ['acting_unit_id', 'state'])
    op.create_index('ix_mobility_cases_teacher', 'mobility_cases', ['teacher_id', 'id'])
    op.create_index('ix_mobility_cases_initiator', 'mobility_cases', ['initiator_unit_id', 'state'])
    op.create_table(
        'case_transitions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=12), nullable=False),
        sa.Column('from_state', sa.String(length=12), nullable=True),
        sa.Column('to_state', sa.String(length=12), nullable=False),
        sa.Column('step_key', sa.String(length=40), nullable=True),
        sa.Column('step_label', sa.String(length=100), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=100), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('unit_name', sa.String(length=100), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('at', TS, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_transitions')),
    )
    op.create_index('ix_case_transitions_case_id', 'case_transitions', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_case_transitions_case_id', table_name='case_transitions')
    op.drop_table('case_transitions')
    op.drop_index('ix_mobility_cases_initiator', table_name='mobility_cases')
    op.drop_index('ix_mobility_cases_teacher', table_name='mobility_cases')
    op.drop_index('ix_mobility_cases_queue', table_name='mobility_cases')
    op.drop_table('mobility_cases')
