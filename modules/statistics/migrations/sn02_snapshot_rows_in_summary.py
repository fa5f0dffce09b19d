"""statistics: a snapshot's rows live in the summary tables (stat_facts, stat_unit_counts with its
id as snapshot_id); stats_snapshot_facts (sn01), their first home, is dropped

Revision ID: sn02
Revises: st01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'sn02'
down_revision = 'st01'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.drop_index('ix_stats_snapshot_facts_unit', table_name='stats_snapshot_facts')
    op.drop_table('stats_snapshot_facts')


def downgrade() -> None:
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
