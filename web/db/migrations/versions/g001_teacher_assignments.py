"""people: teacher_assignments (dated appointment and secondment rows) and teachers.left_on

People move, files do not (web/people): a transfer, a secondment or a departure writes dated
rows here instead of copying anything; ``teachers.left_on`` marks the first day a teacher who
left, retired or died is no longer on the roll.

Revision ID: g001
Revises: e005
"""
from alembic import op
import sqlalchemy as sa

import web.db.base

revision = 'g001'
down_revision = 'e005'
branch_labels = None
depends_on = None

TS = web.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'teacher_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('personnel_unit_id', sa.Integer(), nullable=False),
        sa.Column('working_unit_id', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('end_reason', sa.String(length=16), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=True),
        sa.Column('source_case_id', sa.Integer(), nullable=True),
        sa.Column('start_applied', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'],
                                name=op.f('fk_teacher_assignments_teacher_id_teachers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['personnel_unit_id'], ['units.id'],
                                name=op.f('fk_teacher_assignments_personnel_unit_id_units')),
        sa.ForeignKeyConstraint(['working_unit_id'], ['units.id'],
                                name=op.f('fk_teacher_assignments_working_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher_assignments')),
    )
    op.create_index('ix_teacher_assignments_teacher', 'teacher_assignments', ['teacher_id', 'kind', 'valid_from'])
    op.create_index('ix_teacher_assignments_working', 'teacher_assignments',
                    ['working_unit_id', 'kind', 'valid_from'])
    with op.batch_alter_table('teachers') as batch:
        batch.add_column(sa.Column('left_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('teachers') as batch:
        batch.drop_column('left_on')
    op.drop_index('ix_teacher_assignments_working', table_name='teacher_assignments')
    op.drop_index('ix_teacher_assignments_teacher', table_name='teacher_assignments')
    op.drop_table('teacher_assignments')
