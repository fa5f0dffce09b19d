"""audit log: a keyed chain (issue 14, finding 10)

Each entry records how its hash was made (``scheme``): the entries written so far keep
'sha256' (the unkeyed digest) and still verify as they are; from now on entries are sealed with
HMAC-SHA256 under TMIS_AUDIT_KEY ('hmac-sha256:<key id>'). The first keyed entry's HMAC covers the
hash of the last unkeyed one, so rewriting the old part breaks the keyed part: no re-sealing is
needed. ``audit_head.mac`` is the head's HMAC, so the head cannot be moved back without the key.

Revision ID: hb01
Revises: g001
"""
import sqlalchemy as sa
from alembic import op

revision = 'hb01'
down_revision = 'g001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('scheme', sa.String(length=40), nullable=False, server_default='sha256'))
    with op.batch_alter_table('audit_head') as batch:
        batch.add_column(sa.Column('mac', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_head') as batch:
        batch.drop_column('mac')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('scheme')
