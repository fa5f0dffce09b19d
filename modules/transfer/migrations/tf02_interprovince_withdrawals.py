"""transfer: a receiving school withdraws its request to another province (issue 19)

tier_xfer_withdrawals: one row per withdrawn request, written by the requesting province A (key
(province = A, request_id)), relayed by the national tier to the releasing province only (row filter
target_province), which closes its 外省调出 case if it is still open. Never updated; no constraint
beyond the key (a replicated row is never refused).

Revision ID: tf02
Revises: tf01
"""
from alembic import op
import sqlalchemy as sa

import web.db.base

revision = 'tf02'
down_revision = 'tf01'
branch_labels = None
depends_on = None

TS = web.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'tier_xfer_withdrawals',
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('target_province', sa.String(length=2), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('withdrawn_by', sa.String(length=100), nullable=True),
        sa.Column('withdrawn_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('province', 'request_id'),
    )


def downgrade() -> None:
    op.drop_table('tier_xfer_withdrawals')
