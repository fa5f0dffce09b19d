"""records: region codes the old GB/T 2260 table had wrong, moved to the right ones (issue 20)

The region table (schemas/codes/region.yaml) is rebuilt from published lists by
scripts/region_table.py. Four codes of the old table were no place's code; a person who chose
them meant the place named, so a stored value moves to that place's code:
139001 定州市 → 130682, 139002 辛集市 → 130181 (both listed twice), 520114 观山湖区 → 520115
(520114 was 小河区, abolished 2012), 632899 自治州直辖 → 632800 海西蒙古族藏族自治州.
The national core keeps a region code in 基本信息's 出生地 (birth_place) only. Abolished codes
the old table had are still in the new one (marked 已撤销), so nothing else changes.
Downgrade leaves the corrected values: the old codes named the same places.

Revision ID: ex01
Revises: hb01
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = 'ex01'
down_revision = 'hb01'
branch_labels = None
depends_on = None

MOVED = {"139001": "130682", "139002": "130181", "520114": "520115", "632899": "632800"}
FIELDS = {"basic": ("birth_place",)}


def upgrade() -> None:
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("set_key", sa.String),
                       sa.column("document", sa.JSON().with_variant(JSONB(), "postgresql")))
    bind = op.get_bind()
    for set_key, fields in FIELDS.items():
        for field in fields:
            value = records.c.document[field].as_string()
            rows = bind.execute(sa.select(records.c.id, records.c.document)
                                .where(records.c.set_key == set_key, value.in_(list(MOVED)))).all()
            for rid, document in rows:
                bind.execute(records.update().where(records.c.id == rid)
                             .values(document={**document, field: MOVED[document[field]]}))


def downgrade() -> None:
    pass
