"""credits: training_results.entry_id dropped

A passed result's ledger entry is the one whose source is 'result:<id>' (unique): filling a
second link row by row made confirming 10,000 results several times slower than inserting the
ledger rows (benchmarks/credits.py).

Revision ID: c003
Revises: c002
"""
from alembic import op
import sqlalchemy as sa

revision = 'c003'
down_revision = 'c002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('training_results') as batch:
        batch.drop_column('entry_id')


def downgrade() -> None:
    with op.batch_alter_table('training_results') as batch:
        batch.add_column(sa.Column('entry_id', sa.Integer(), nullable=True))
