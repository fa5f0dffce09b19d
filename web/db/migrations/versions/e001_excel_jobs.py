"""excel: the jobs table (background imports and exports with their progress and result)

Revision ID: e001
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import web.db.base
from sqlalchemy.dialects import postgresql

revision = 'e001'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('phase', sa.String(length=24), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('options', JSON, nullable=False),
    sa.Column('result', JSON, nullable=True),
    sa.Column('report_path', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', web.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', web.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index('ix_jobs_creator', 'jobs', ['created_by_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_jobs_creator', table_name='jobs')
    op.drop_table('jobs')
