"""spot_check: spot_checks and spot_check_items (随机抽查, modules/spot_check/models.py)

Revision ID: sc01
Revises:
Depends on: pg01
"""
from alembic import op
import sqlalchemy as sa

import web.db.base

revision = 'sc01'
down_revision = None
branch_labels = ('spot_check',)
depends_on = 'pg01'

TS = web.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'spot_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('seed', sa.String(length=32), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('population', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_by_name', sa.String(length=50), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('published_at', TS, nullable=True),
        sa.Column('published_by_name', sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_spot_checks_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_checks')),
    )
    op.create_index('ix_spot_checks_unit', 'spot_checks', ['unit_id', 'state'])
    op.create_table(
        'spot_check_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_name', sa.String(length=100), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=True),
        sa.Column('teacher_name', sa.String(length=50), nullable=True),
        sa.Column('result', sa.String(length=8), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('checked_by_name', sa.String(length=50), nullable=True),
        sa.Column('checked_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['check_id'], ['spot_checks.id'], ondelete='CASCADE',
                                name=op.f('fk_spot_check_items_check_id_spot_checks')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_spot_check_items_unit_id_units')),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], ondelete='SET NULL',
                                name=op.f('fk_spot_check_items_teacher_id_teachers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_items')),
    )
    op.create_index('ix_spot_check_items_check', 'spot_check_items', ['check_id', 'position'])
    op.create_index('ix_spot_check_items_unit', 'spot_check_items', ['unit_id'])


def downgrade() -> None:
    op.drop_index('ix_spot_check_items_unit', table_name='spot_check_items')
    op.drop_index('ix_spot_check_items_check', table_name='spot_check_items')
    op.drop_table('spot_check_items')
    op.drop_index('ix_spot_checks_unit', table_name='spot_checks')
    op.drop_table('spot_checks')
