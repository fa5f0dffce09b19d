"""Migration ex01 (issue 20.17): stored 出生地 values with a wrong code of the old region table
move to the code of the place that was meant; everything else stays. SQLite, and PostgreSQL
with TMIS_TEST_DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import create_engine, insert, select

from tests.web.conftest import _pg_url, fresh_pg_database
from web.db.migrate import upgrade
from web.db.models import Record, Teacher, Unit


def test_wrong_region_codes_move_to_the_places_meant(tmp_path) -> None:
    pg = _pg_url() if os.environ.get("TMIS_TEST_DATABASE_URL") else None
    url, drop = fresh_pg_database(pg) if pg else (f"sqlite:///{tmp_path / 'm.sqlite3'}", None)
    try:
        from alembic.script import ScriptDirectory

        from web.db.migrate import alembic_config

        before = ScriptDirectory.from_config(alembic_config(url)).get_revision("ex01").down_revision
        upgrade(url, before)  # the database as ex01 finds it
        engine = create_engine(url)
        now = dt.datetime.now(dt.timezone.utc)
        with engine.begin() as conn:
            unit = conn.execute(insert(Unit).values(code="3601020001", name="学校", level="school",
                                                    created_at=now, updated_at=now).returning(Unit.id)).scalar_one()
            births = {"139001": "130682", "139002": "130181", "520114": "520115", "632899": "632800",
                      "360102": "360102", "441723": "441723"}
            for i, code in enumerate(births):
                tid = conn.execute(insert(Teacher).values(
                    id_type="1", id_number=f"36010219850314{i:03d}X", name=f"教师{i}", gender="1",
                    birth_date=dt.date(1985, 3, 14), unit_id=unit, state="unsubmitted", created_at=now,
                    updated_at=now).returning(Teacher.id)).scalar_one()
                for set_key, doc in (("basic", {"name": f"教师{i}", "birth_place": code}),
                                     ("work", {"unit_name": code})):  # not a region field: untouched
                    conn.execute(insert(Record).values(teacher_id=tid, set_key=set_key, position=0, document=doc,
                                                       catalogue_version="t", version=1, state="draft",
                                                       created_at=now, updated_at=now))
        upgrade(url)
        with engine.connect() as conn:
            got = {r.document.get("name"): r.document for r in conn.execute(
                select(Record.document).where(Record.set_key == "basic"))}
            work = sorted(r.document["unit_name"] for r in conn.execute(select(Record.document)
                                                                        .where(Record.set_key == "work")))
        assert {doc["birth_place"] for doc in got.values()} == set(births.values())
        for i, (old, new) in enumerate(births.items()):
            assert got[f"教师{i}"] == {"name": f"教师{i}", "birth_place": new}, old
        assert work == sorted(births)
        engine.dispose()
    finally:
        if drop:
            drop()
