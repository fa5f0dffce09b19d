"""credits: a submitted result can be rejected with a reason (training_results.reason)

The reviewer rejects one row (state 'rejected', the reason kept here); the institution sees the
reason on the project's page and resubmits the row, which makes it 'submitted' again.

Revision ID: c020
Revises: c010
"""
from alembic import op
import sqlalchemy as sa

revision = 'c020'
down_revision = 'c010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('training_results') as batch:
        batch.add_column(sa.Column('reason', sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('training_results') as batch:
        batch.drop_column('reason')
