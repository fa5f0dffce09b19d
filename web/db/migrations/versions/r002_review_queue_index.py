"""review: the queue index also carries the case's unit and kind (index-only counts of big queues)

Revision ID: r002
Revises: r001
"""
from alembic import op

revision = 'r002'
down_revision = 'r001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostgreSQL: INCLUDE makes "how many wait for me, within my scope, of this kind" an
    # index-only scan; SQLite ignores the INCLUDE clause (same index as before).
    op.drop_index('ix_review_cases_queue', table_name='review_cases')
    op.create_index('ix_review_cases_queue', 'review_cases', ['waiting_unit_id', 'status', 'waiting_since', 'id'],
                    postgresql_include=['unit_id', 'kind'])


def downgrade() -> None:
    op.drop_index('ix_review_cases_queue', table_name='review_cases')
    op.create_index('ix_review_cases_queue', 'review_cases', ['waiting_unit_id', 'status', 'waiting_since', 'id'])
