"""credits: the ID numbers a training institution could not match, per day (credit_result_probes)

An institution reads no teacher data, yet the answer to its results (accepted or not) says whether
an ID number is a teacher the project takes: the number of unmatched numbers it may send a day is
bounded (modules/credits/probing.py), counted here by keyed digest.

Revision ID: c028
Revises: c027
"""
from alembic import op
import sqlalchemy as sa

revision = 'c028'
down_revision = 'c027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'credit_result_probes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('institution_id', sa.Integer(), sa.ForeignKey('training_institutions.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('digest', sa.String(64), nullable=False),
    )
    op.create_index('uq_credit_result_probes', 'credit_result_probes', ['institution_id', 'day', 'digest'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_credit_result_probes', 'credit_result_probes')
    op.drop_table('credit_result_probes')
