"""two tiers: covering indexes for the national duplicate report

The report groups tier_files by ID number and by name + birth date + gender. With the members'
province and key (and, for people, the number) INCLUDEd in the indexes, PostgreSQL streams each
GROUP BY from an index-only scan: no sort, no heap (benchmarks/national.py, part 3).

Revision ID: nt02
Revises: nt01
"""
from alembic import op

revision = 'nt02'
down_revision = 'nt01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_tier_files_id_number', table_name='tier_files')
    op.drop_index('ix_tier_files_person', table_name='tier_files')
    op.create_index('ix_tier_files_id_number', 'tier_files', ['id_number', 'id_type'],
                    postgresql_include=['province', 'teacher_key'])
    op.create_index('ix_tier_files_person', 'tier_files', ['name', 'birth_date', 'gender'],
                    postgresql_include=['id_number', 'province', 'teacher_key'])


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_tier_files_id_number', table_name='tier_files')
    op.drop_index('ix_tier_files_person', table_name='tier_files')
    op.create_index('ix_tier_files_id_number', 'tier_files', ['id_number', 'id_type'])
    op.create_index('ix_tier_files_person', 'tier_files', ['name', 'birth_date', 'gender'])
