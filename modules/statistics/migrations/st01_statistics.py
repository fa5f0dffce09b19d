"""statistics: stat_facts, stat_unit_counts, stat_refreshes (modules/statistics/models.py)

Follows the module's first migration (sn01, the snapshots).

Revision ID: st01
Revises: sn01
"""
from alembic import op
import sqlalchemy as sa

import web.db.base

revision = 'st01'
down_revision = 'sn01'
branch_labels = None
depends_on = None

TS = web.db.base.UTCDateTime(timezone=True)
COLUMNS = ("school_type", "urban_rural", "gender", "ethnic_group", "ethnicity", "political_status", "education",
           "title", "title_level", "post_category", "subject", "on_establishment", "person_status",
           "staff_category", "age_band", "teaching_years_band")


def upgrade() -> None:
    op.create_table(
        'stat_facts',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=True),
        sa.Column('age', sa.SmallInteger(), nullable=True),
        *[sa.Column(c, sa.String(length=32 if c == 'school_type' else 8 if c == 'urban_rural' else 16), nullable=False)
          for c in COLUMNS],
        sa.Column('extra', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql'), nullable=False),
        sa.PrimaryKeyConstraint('snapshot_id', 'teacher_id', name=op.f('pk_stat_facts')),
    )
    op.create_index('ix_stat_facts_unit', 'stat_facts', ['snapshot_id', 'unit_id'])
    op.create_table(
        'stat_unit_counts',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('table_key', sa.String(length=64), nullable=False),
        sa.Column('school_type', sa.String(length=32), nullable=False),
        sa.Column('cell', sa.String(length=200), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('age_sum', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('aged', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('snapshot_id', 'unit_id', 'table_key', 'school_type', 'cell',
                                name=op.f('pk_stat_unit_counts')),
    )
    op.create_table(
        'stat_refreshes',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('built_at', TS, nullable=False),
        sa.Column('changed_at', TS, nullable=False),
        sa.Column('definitions', sa.String(length=64), nullable=False),
        sa.Column('teachers', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('snapshot_id', name=op.f('pk_stat_refreshes')),
    )


def downgrade() -> None:
    op.drop_table('stat_refreshes')
    op.drop_table('stat_unit_counts')
    op.drop_index('ix_stat_facts_unit', table_name='stat_facts')
    op.drop_table('stat_facts')
