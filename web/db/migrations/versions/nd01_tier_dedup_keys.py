"""two tiers: the national duplicate report's keys, kept as files arrive (issue 19)

Two side tables count the files under each match key: ``tier_dedup_ids`` (ID number + type) and
``tier_dedup_people`` (name + birth date + gender). On PostgreSQL a row trigger on ``tier_files``
keeps them (insert, update of a key, delete; a TRUNCATE empties them), enabled ALWAYS so it fires
for the rows a subscription applies and for its initial copy. The report then reads only the keys
held by more than one file (a partial index on ``n > 1``) instead of grouping every file.

Nothing here can refuse a replicated row: the side tables' keys are written by upserts
(``ON CONFLICT … DO UPDATE``), there is no constraint on ``tier_files``, and the trigger raises
nothing of its own. Existing files are counted once by the upgrade.

Revision ID: nd01
Revises: nt02
"""
from alembic import op
import sqlalchemy as sa

revision = 'nd01'
down_revision = 'nt02'
branch_labels = None
depends_on = None

TRIGGER = """
CREATE OR REPLACE FUNCTION tier_dedup_keys() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM tier_dedup_ids;
    DELETE FROM tier_dedup_people;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.id_number = NEW.id_number AND OLD.id_type = NEW.id_type
     AND OLD.name = NEW.name AND OLD.birth_date = NEW.birth_date AND OLD.gender = NEW.gender THEN
    RETURN NULL;  -- most updates (records, unit, left_on) leave both keys alone
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE tier_dedup_ids SET n = n - 1 WHERE id_number = OLD.id_number AND id_type = OLD.id_type;
    UPDATE tier_dedup_people SET n = n - 1
     WHERE name = OLD.name AND birth_date = OLD.birth_date AND gender = OLD.gender;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO tier_dedup_ids AS k (id_number, id_type, n) VALUES (NEW.id_number, NEW.id_type, 1)
      ON CONFLICT (id_number, id_type) DO UPDATE SET n = k.n + 1;
    INSERT INTO tier_dedup_people AS k (name, birth_date, gender, n) VALUES (NEW.name, NEW.birth_date, NEW.gender, 1)
      ON CONFLICT (name, birth_date, gender) DO UPDATE SET n = k.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER tier_dedup_keys AFTER INSERT OR UPDATE OR DELETE ON tier_files
  FOR EACH ROW EXECUTE FUNCTION tier_dedup_keys();
CREATE TRIGGER tier_dedup_keys_truncate AFTER TRUNCATE ON tier_files
  FOR EACH STATEMENT EXECUTE FUNCTION tier_dedup_keys();
ALTER TABLE tier_files ENABLE ALWAYS TRIGGER tier_dedup_keys;
ALTER TABLE tier_files ENABLE ALWAYS TRIGGER tier_dedup_keys_truncate;
"""

# the same statements as web/tier/dedup.py REBUILD_KEYS (a migration does not import the app)
REBUILD = """
DELETE FROM tier_dedup_ids;
DELETE FROM tier_dedup_people;
INSERT INTO tier_dedup_ids (id_number, id_type, n) SELECT id_number, id_type, count(*) FROM tier_files GROUP BY 1, 2;
INSERT INTO tier_dedup_people (name, birth_date, gender, n)
  SELECT name, birth_date, gender, count(*) FROM tier_files GROUP BY 1, 2, 3;
"""


def upgrade() -> None:
    op.create_table(
        'tier_dedup_ids',
        sa.Column('id_number', sa.String(length=32), nullable=False),
        sa.Column('id_type', sa.String(length=4), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id_number', 'id_type', name=op.f('pk_tier_dedup_ids')),
    )
    op.create_index('ix_tier_dedup_ids_shared', 'tier_dedup_ids', ['id_number', 'id_type'],
                    postgresql_where=sa.text('n > 1'), sqlite_where=sa.text('n > 1'))
    op.create_table(
        'tier_dedup_people',
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('gender', sa.String(length=2), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', 'birth_date', 'gender', name=op.f('pk_tier_dedup_people')),
    )
    op.create_index('ix_tier_dedup_people_shared', 'tier_dedup_people', ['name', 'birth_date', 'gender'],
                    postgresql_where=sa.text('n > 1'), sqlite_where=sa.text('n > 1'))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(TRIGGER)
        op.execute(REBUILD)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS tier_dedup_keys_truncate ON tier_files")
        op.execute("DROP TRIGGER IF EXISTS tier_dedup_keys ON tier_files")
        op.execute("DROP FUNCTION IF EXISTS tier_dedup_keys()")
    op.drop_table('tier_dedup_people')
    op.drop_table('tier_dedup_ids')
