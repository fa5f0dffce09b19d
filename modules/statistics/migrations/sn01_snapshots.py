"""statistics: stats_snapshots and stats_snapshot_facts (modules/statistics/models.py, snapshots.py)

Revision ID: sn01
Revises:
Depends on: pg01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import web.db.base

revision = 'sn01'
down_revision = None
branch_labels = ('statistics',)
depends_on = 'pg01'

TS = web.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'stats_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=12), nullable=False),
        sa.Column('deadline_key', sa.String(length=10), nullable=True),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('label_en', sa.String(length=100), nullable=True),
        sa.Column('trigger', sa.String(length=12), nullable=False),
        sa.Column('teachers', sa.Integer(), nullable=False),
        sa.Column('taken_at', TS, nullable=False),
        sa.Column('taken_by_name', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_snapshots')),
        sa.UniqueConstraint('deadline_key', name=op.f('uq_stats_snapshots_deadline_key')),
    )
    op.create_index('ix_stats_snapshots_as_of', 'stats_snapshots', ['as_of'])
    op.create_table(
        'stats_snapshot_facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('school_type', sa.String(length=32), nullable=True),
        sa.Column('age', sa.Integer(), nullable=True),
        sa.Column('dims', JSON, nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['stats_snapshots.id'], ondelete='CASCADE',
                                name=op.f('fk_stats_snapshot_facts_snapshot_id_stats_snapshots')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_snapshot_facts')),
    )
    op.create_index('ix_stats_snapshot_facts_unit', 'stats_snapshot_facts', ['snapshot_id', 'unit_id'])


def downgrade() -> None:
    op.drop_index('ix_stats_snapshot_facts_unit', table_name='stats_snapshot_facts')
    op.drop_table('stats_snapshot_facts')
    op.drop_index('ix_stats_snapshots_as_of', table_name='stats_snapshots')
    op.drop_table('stats_snapshots')
