"""credits: credit_claims, teachers' self-study claims (自主研修) with their evidence file

Revision ID: c010
Revises: c003
"""
from alembic import op
import sqlalchemy as sa

import web.db.base

revision = 'c010'
down_revision = 'c003'
branch_labels = None
depends_on = None

TS = web.db.base.UTCDateTime(timezone=True)
AMOUNT = sa.Numeric(10, 2)


def upgrade() -> None:
    op.create_table(
        'credit_claims',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('teacher_id', sa.Integer(), sa.ForeignKey('teachers.id', ondelete='CASCADE',
                                                            name='fk_credit_claims_teacher_id_teachers'), nullable=False),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('units.id', name='fk_credit_claims_unit_id_units'), nullable=False),
        sa.Column('title', sa.String(100), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('hours', AMOUNT, nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('state', sa.String(12), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('submitted_at', TS, nullable=False),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', TS, nullable=True),
        sa.Column('confirmed_by', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', TS, nullable=True),
        sa.Column('credits', AMOUNT, nullable=True),
        sa.Column('rule_version', sa.String(64), nullable=True),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('evidence_name', sa.String(200), nullable=False),
        sa.Column('evidence_type', sa.String(40), nullable=False),
        sa.Column('evidence_size', sa.Integer(), nullable=False),
        sa.Column('evidence_sha256', sa.String(64), nullable=False),
        sa.Column('evidence', sa.LargeBinary(), nullable=False),
    )
    op.create_index('ix_credit_claims_teacher_id', 'credit_claims', ['teacher_id'])
    op.create_index('ix_credit_claims_unit_id', 'credit_claims', ['unit_id'])
    op.create_index('ix_credit_claims_state', 'credit_claims', ['state'])


def downgrade() -> None:
    op.drop_table('credit_claims')
