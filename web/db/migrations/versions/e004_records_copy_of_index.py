"""records: an index on copy_of_id (copies only)

Deleting a record makes the database check that no correction copy points at it
(``copy_of_id`` → ``records.id``). Without an index that check scans the whole table once per
deleted record, so deleting many (a "replace" import, files removed) grew with the square of the
table: 40,000 records took 23 s, 400,000 over ten minutes; with the index 0.2 s and 2 s.
Copies are few, so the index holds only them.

Revision ID: e004
Revises: e003
"""
import sqlalchemy as sa
from alembic import op

revision = 'e004'
down_revision = 'e003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_records_copy_of', 'records', ['copy_of_id'],
                    postgresql_where=sa.text('copy_of_id IS NOT NULL'), sqlite_where=sa.text('copy_of_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_records_copy_of', table_name='records')
