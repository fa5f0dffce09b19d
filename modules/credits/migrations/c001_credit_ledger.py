"""credits: credit_entries, the append-only credit bank (学分银行)

The module's first migration (brief-common: its own branch, depending on the core's pg01).
An UPDATE of a ledger row is refused by the database itself (a trigger on both dialects):
corrections are new entries. Deleting rows stays possible only through the teacher's deletion
(ON DELETE CASCADE), which removes the whole file.

Revision ID: c001
Revises:
"""
from alembic import op
import sqlalchemy as sa

import web.db.base

revision = 'c001'
down_revision = None
branch_labels = ('credits',)
depends_on = 'pg01'

TS = web.db.base.UTCDateTime(timezone=True)
AMOUNT = sa.Numeric(10, 2)


def upgrade() -> None:
    op.create_table(
        'credit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('credits', AMOUNT, nullable=False),
        sa.Column('hours', AMOUNT, nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('effective', sa.Date(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('rule_version', sa.String(length=64), nullable=False),
        sa.Column('confirmed_by', sa.Integer(), nullable=True),
        sa.Column('recorded_at', TS, nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=True),
        sa.Column('corrects_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_credit_entries_teacher_id_teachers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['corrects_id'], ['credit_entries.id'],
                                name=op.f('fk_credit_entries_corrects_id_credit_entries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_entries')),
        sa.UniqueConstraint('source', name=op.f('uq_credit_entries_source')),
    )
    op.create_index('ix_credit_entries_teacher_effective', 'credit_entries', ['teacher_id', 'effective'])
    op.create_index('ix_credit_entries_project', 'credit_entries', ['project_id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""CREATE FUNCTION credit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'credit_entries is append-only'; END $$""")
        op.execute("""CREATE TRIGGER credit_entries_no_update BEFORE UPDATE ON credit_entries
            FOR EACH ROW EXECUTE FUNCTION credit_entries_append_only()""")
    else:
        op.execute("""CREATE TRIGGER credit_entries_no_update BEFORE UPDATE ON credit_entries
            BEGIN SELECT RAISE(ABORT, 'credit_entries is append-only'); END""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS credit_entries_no_update" +
               (" ON credit_entries" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS credit_entries_append_only()")
    op.drop_index('ix_credit_entries_project', table_name='credit_entries')
    op.drop_index('ix_credit_entries_teacher_effective', table_name='credit_entries')
    op.drop_table('credit_entries')
