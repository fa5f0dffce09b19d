"""transfer: the messages of a transfer between provinces (issue 19), relayed by the national tier

tier_xfer_requests (a receiving school's request, written by its province A, key (province = A,
request_id)), tier_xfer_decisions (the releasing province B's answer, key (province = B,
request_province = A, request_id), with the approved file when it is released) and xfer_inbox
(local to each database: which relayed message this database has acted on, so acting is once only).

The two message tables exist with the same definition in every province and in the national
database (logical replication matches tables by name and columns): each province publishes the rows
it writes (row filter province = its code), the national tier subscribes to every province and
republishes each row to the province it concerns (row filters target_province / request_province:
web/tier, docs/two-level.md). Rows are never updated; no constraint beyond the key, no foreign key:
a replicated row is never refused.

Revision ID: tf01
Revises:
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import web.db.base

revision = 'tf01'
down_revision = None
branch_labels = ('transfer',)
depends_on = 'nt01'

TS = web.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'tier_xfer_requests',
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('target_province', sa.String(length=2), nullable=False),
        sa.Column('id_type', sa.String(length=4), nullable=False),
        sa.Column('id_number', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('to_unit_code', sa.String(length=20), nullable=False),
        sa.Column('to_unit_name', sa.String(length=100), nullable=False),
        sa.Column('requested_by', sa.String(length=100), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('province', 'request_id'),
    )
    op.create_index('ix_tier_xfer_requests_target', 'tier_xfer_requests', ['target_province'])
    op.create_table(
        'tier_xfer_decisions',
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('request_province', sa.String(length=2), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('teacher_key', sa.Integer(), nullable=True),
        sa.Column('file', JSON, nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decided_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('province', 'request_province', 'request_id'),
    )
    op.create_index('ix_tier_xfer_decisions_request', 'tier_xfer_decisions', ['request_province', 'request_id'])
    op.create_table(
        'xfer_inbox',
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('request_province', sa.String(length=2), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('teacher_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('done_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('kind', 'province', 'request_province', 'request_id'),
    )
    op.create_index('ix_xfer_inbox_case', 'xfer_inbox', ['case_id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE SEQUENCE IF NOT EXISTS tier_xfer_request_seq")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP SEQUENCE IF EXISTS tier_xfer_request_seq")
    op.drop_table('xfer_inbox')
    op.drop_table('tier_xfer_decisions')
    op.drop_table('tier_xfer_requests')
