"""excel: two indexes fewer to maintain on every write (an import of 100,000 teachers writes half
a million rows)

- ``uq_teachers_identity`` becomes (id_number, id_type): the same uniqueness, and it also serves
  "who has this number?", so ``ix_teachers_id_number`` (e002) goes;
- ``ix_records_teacher_state`` goes: its one reader (a teacher's pending additions) filters by
  teacher first, which ``ix_records_teacher_set`` serves; a teacher has a few dozen records.

Revision ID: e003
Revises: e002
"""
from alembic import op

revision = 'e003'
down_revision = 'e002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('teachers') as batch:
        batch.drop_constraint('uq_teachers_identity', type_='unique')
        batch.create_unique_constraint('uq_teachers_identity', ['id_number', 'id_type'])
    op.drop_index('ix_teachers_id_number', table_name='teachers')
    op.drop_index('ix_records_teacher_state', table_name='records')


def downgrade() -> None:
    op.create_index('ix_records_teacher_state', 'records', ['teacher_id', 'state'])
    op.create_index('ix_teachers_id_number', 'teachers', ['id_number'])
    with op.batch_alter_table('teachers') as batch:
        batch.drop_constraint('uq_teachers_identity', type_='unique')
        batch.create_unique_constraint('uq_teachers_identity', ['id_type', 'id_number'])
