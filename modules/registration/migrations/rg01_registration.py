"""registration: registration_batches, registration_applications, registration_decisions

The module's first migration (its own branch, depending on the core's pg01): a school's batch
application for periodic re-registration, one row per teacher's qualification (one open
application per qualification: unique open_record_id), and the append-only log of decisions.

Revision ID: rg01
Revises:
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import web.db.base

revision = 'rg01'
down_revision = None
branch_labels = ('registration',)
depends_on = 'pg01'

TS = web.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'registration_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('steps', JSON, nullable=False),
        sa.Column('acting_unit_id', sa.Integer(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('completed_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_registration_batches_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_batches')),
    )
    op.create_index('ix_registration_batches_queue', 'registration_batches', ['acting_unit_id', 'state'])
    op.create_index('ix_registration_batches_unit', 'registration_batches', ['unit_id', 'state'])
    op.create_table(
        'registration_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('teacher_name', sa.String(length=50), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('open_record_id', sa.Integer(), nullable=True),
        sa.Column('cycle_start', sa.Date(), nullable=False),
        sa.Column('cycle_end', sa.Date(), nullable=False),
        sa.Column('eligible', sa.Boolean(), nullable=False),
        sa.Column('unmet', JSON, nullable=False),
        sa.Column('decision', sa.String(length=12), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_step', sa.String(length=40), nullable=True),
        sa.Column('outcome_date', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['registration_batches.id'], ondelete='CASCADE',
                                name=op.f('fk_registration_applications_batch_id_registration_batches')),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], ondelete='CASCADE',
                                name=op.f('fk_registration_applications_teacher_id_teachers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_applications')),
        sa.UniqueConstraint('open_record_id', name=op.f('uq_registration_applications_open_record_id')),
    )
    op.create_index(op.f('ix_registration_applications_batch_id'), 'registration_applications', ['batch_id'])
    op.create_index(op.f('ix_registration_applications_teacher_id'), 'registration_applications', ['teacher_id'])
    op.create_table(
        'registration_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('step_key', sa.String(length=40), nullable=True),
        sa.Column('action', sa.String(length=12), nullable=False),
        sa.Column('decision', sa.String(length=12), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=100), nullable=False),
        sa.Column('unit_name', sa.String(length=100), nullable=True),
        sa.Column('at', TS, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_decisions')),
    )
    op.create_index(op.f('ix_registration_decisions_application_id'), 'registration_decisions', ['application_id'])
    op.create_index(op.f('ix_registration_decisions_batch_id'), 'registration_decisions', ['batch_id'])


def downgrade() -> None:
    op.drop_table('registration_decisions')
    op.drop_table('registration_applications')
    op.drop_table('registration_batches')
