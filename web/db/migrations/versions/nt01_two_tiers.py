"""two tiers: the tables a province publishes and the national tier subscribes to (issue 19)

tier_config (which tier this database is), tier_units, tier_files, tier_movements (published by a
province), tier_identifiers (published back by the national tier), tier_duplicates (the national
review queue). Keys start with the province code; no unique constraint or foreign key beyond the key
(a replicated row must never be refused). On PostgreSQL also: the sequences of movements and formal
identifiers, and the trigger that keeps tier_units equal to units in a publishing province (it does
nothing until ``tmis tier publish`` has written tier_config).

Revision ID: nt01
Revises: pg01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import web.db.base

revision = 'nt01'
down_revision = 'pg01'
branch_labels = None
depends_on = None

TS = web.db.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

# A province's units, as published: one row per unit, its parent by code. Fires for every change of
# ``units`` once tier_config names this database a publishing province.
UNITS_TRIGGER = """
CREATE OR REPLACE FUNCTION tier_units_from_units() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $$
DECLARE prov text;
BEGIN
  SELECT province INTO prov FROM tier_config WHERE tier = 'province' AND published_at IS NOT NULL LIMIT 1;
  IF prov IS NULL THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM tier_units WHERE province = prov AND code = OLD.code;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.code <> NEW.code THEN
    DELETE FROM tier_units WHERE province = prov AND code = OLD.code;
  END IF;
  INSERT INTO tier_units (province, code, name, level, parent_code, school_type, urban_rural, updated_at)
  VALUES (prov, NEW.code, NEW.name, NEW.level, (SELECT code FROM units WHERE id = NEW.parent_id),
          NEW.school_type, NEW.urban_rural, now())
  ON CONFLICT (province, code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level,
    parent_code = EXCLUDED.parent_code, school_type = EXCLUDED.school_type,
    urban_rural = EXCLUDED.urban_rural, updated_at = EXCLUDED.updated_at;
  IF TG_OP = 'UPDATE' AND OLD.code <> NEW.code THEN  -- children name their parent by code
    UPDATE tier_units SET parent_code = NEW.code WHERE province = prov AND parent_code = OLD.code;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER tier_units_from_units AFTER INSERT OR UPDATE OR DELETE ON units
  FOR EACH ROW EXECUTE FUNCTION tier_units_from_units();
"""


def upgrade() -> None:
    op.create_table(
        'tier_config',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tier', sa.String(length=12), nullable=False),
        sa.Column('province', sa.String(length=2), nullable=True),
        sa.Column('published_at', TS, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_config')),
    )
    op.create_table(
        'tier_units',
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('parent_code', sa.String(length=20), nullable=True),
        sa.Column('school_type', sa.String(length=32), nullable=True),
        sa.Column('urban_rural', sa.String(length=8), nullable=True),
        sa.Column('updated_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('province', 'code', name=op.f('pk_tier_units')),
    )
    op.create_table(
        'tier_files',
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('teacher_key', sa.Integer(), nullable=False),
        sa.Column('id_type', sa.String(length=4), nullable=False),
        sa.Column('id_number', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('gender', sa.String(length=2), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('unit_code', sa.String(length=20), nullable=False),
        sa.Column('teacher_number', sa.String(length=24), nullable=True),
        sa.Column('temp_identifier', sa.String(length=24), nullable=True),
        sa.Column('left_on', sa.Date(), nullable=True),
        sa.Column('approved_at', TS, nullable=False),
        sa.Column('records', JSON, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('province', 'teacher_key', name=op.f('pk_tier_files')),
    )
    op.create_index('ix_tier_files_id_number', 'tier_files', ['id_number', 'id_type'])
    op.create_index('ix_tier_files_person', 'tier_files', ['name', 'birth_date', 'gender'])
    op.create_table(
        'tier_movements',
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('seq', BIG, autoincrement=False, nullable=False),
        sa.Column('teacher_key', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('from_unit', sa.String(length=20), nullable=True),
        sa.Column('to_unit', sa.String(length=20), nullable=True),
        sa.Column('detail', JSON, nullable=False),
        sa.Column('at', TS, nullable=False),
        sa.PrimaryKeyConstraint('province', 'seq', name=op.f('pk_tier_movements')),
    )
    op.create_table(
        'tier_identifiers',
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('teacher_key', sa.Integer(), nullable=False),
        sa.Column('formal_identifier', sa.String(length=24), nullable=False),
        sa.Column('issued_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('province', 'teacher_key', name=op.f('pk_tier_identifiers')),
    )
    op.create_index('ix_tier_identifiers_formal_identifier', 'tier_identifiers', ['formal_identifier'])
    op.create_table(
        'tier_duplicates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('match_key', sa.String(length=200), nullable=False),
        sa.Column('members', JSON, nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('found_at', TS, nullable=False),
        sa.Column('resolved_at', TS, nullable=True),
        sa.Column('resolved_by', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_duplicates')),
    )
    op.create_index('ix_tier_duplicates_key', 'tier_duplicates', ['kind', 'match_key'])
    op.create_index('ix_tier_duplicates_state', 'tier_duplicates', ['state'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE SEQUENCE tier_movement_seq")
        op.execute("CREATE SEQUENCE tier_formal_seq")
        op.execute(UNITS_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS tier_units_from_units ON units")
        op.execute("DROP FUNCTION IF EXISTS tier_units_from_units()")
        op.execute("DROP SEQUENCE IF EXISTS tier_formal_seq")
        op.execute("DROP SEQUENCE IF EXISTS tier_movement_seq")
    for table in ('tier_duplicates', 'tier_identifiers', 'tier_movements', 'tier_files', 'tier_units', 'tier_config'):
        op.drop_table(table)
