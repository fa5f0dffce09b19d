"""credits: a school-based plan is rejected with a reason (training_projects.reason)

The authority's reviewer writes why it does not approve a school's 校本研修 plan; the school reads
the reason in the plan's row of 培训项目 (walk finding 23).

Revision ID: c027
Revises: c020
"""
from alembic import op
import sqlalchemy as sa

revision = 'c027'
down_revision = 'c020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('training_projects') as batch:
        batch.add_column(sa.Column('reason', sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('training_projects') as batch:
        batch.drop_column('reason')
