"""excel: teachers are looked up by ID number alone (any ID type): index it

Revision ID: e002
Revises: r002
"""
from alembic import op

revision = 'e002'
down_revision = 'r002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the unique (id_type, id_number) index cannot serve "who has this number?": without this
    # index an import's look-ups scan every teacher of the province
    op.create_index('ix_teachers_id_number', 'teachers', ['id_number'])


def downgrade() -> None:
    op.drop_index('ix_teachers_id_number', table_name='teachers')
