"""review: cases (a file's journey along a route), their events (the timeline), collection windows

Revision ID: r001
Revises: e001
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import web.db.base

revision = 'r001'
down_revision = 'e001'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
TS = web.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'review_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('levels', JSON, nullable=False),
        sa.Column('units', JSON, nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('waiting_unit_id', sa.Integer(), nullable=True),
        sa.Column('waiting_level', sa.String(length=12), nullable=True),
        sa.Column('waiting_since', TS, nullable=True),
        sa.Column('submitted_at', TS, nullable=True),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', TS, nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('record_ids', JSON, nullable=False),
        sa.Column('snapshot', JSON, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_review_cases_teacher_id_teachers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_cases')),
    )
    op.create_index('ix_review_cases_queue', 'review_cases', ['waiting_unit_id', 'status', 'waiting_since', 'id'])
    op.create_index('ix_review_cases_teacher', 'review_cases', ['teacher_id', 'status'])
    op.create_index('ix_review_cases_unit', 'review_cases', ['unit_id', 'status', 'kind'])
    op.create_table(
        'review_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('at', TS, nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=64), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('level', sa.String(length=12), nullable=True),
        sa.Column('from_status', sa.String(length=24), nullable=True),
        sa.Column('to_status', sa.String(length=24), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_events_case_id_review_cases'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_events')),
    )
    op.create_index('ix_review_events_teacher', 'review_events', ['teacher_id', 'at'])
    op.create_index('ix_review_events_case', 'review_events', ['case_id', 'id'])
    op.create_table(
        'collection_windows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('title_en', sa.String(length=100), nullable=True),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('closed', sa.Boolean(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_collection_windows_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_windows')),
    )
    op.create_index('ix_collection_windows_unit', 'collection_windows', ['unit_id', 'due_on'])
    # the state of each file's records: the queue of additions/changes and the progress page count them
    op.create_index('ix_records_teacher_state', 'records', ['teacher_id', 'state'])


def downgrade() -> None:
    op.drop_index('ix_records_teacher_state', table_name='records')
    op.drop_index('ix_collection_windows_unit', table_name='collection_windows')
    op.drop_table('collection_windows')
    op.drop_index('ix_review_events_case', table_name='review_events')
    op.drop_index('ix_review_events_teacher', table_name='review_events')
    op.drop_table('review_events')
    op.drop_index('ix_review_cases_unit', table_name='review_cases')
    op.drop_index('ix_review_cases_teacher', table_name='review_cases')
    op.drop_index('ix_review_cases_queue', table_name='review_cases')
    op.drop_table('review_cases')

