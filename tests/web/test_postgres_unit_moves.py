"""Moving units on PostgreSQL with real concurrent transactions: while a county moves to another
city, schools are created below it and other schools move into it; afterwards the closure table
is exactly what the parent links say (no unit keeps a link to an ancestor it left)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.conftest import run_together
from web.db.models import Unit, UnitClosure
from web.principal import Principal
from web.services import units as unit_service

pytestmark = pytest.mark.postgres


def _closure_matches_parents(db) -> bool:
    parents = dict(db.execute(select(Unit.id, Unit.parent_id)).all())
    want = set()
    for uid in parents:
        node, depth = uid, 0
        while node is not None:
            want.add((node, uid, depth))
            node, depth = parents[node], depth + 1
    have = set(db.execute(select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)).all())
    return have == want


def test_concurrent_moves_and_creates_keep_the_closure_exact(pg_ctx):
    with pg_ctx.sessions() as db:
        prov = unit_service.create_unit_raw(db, code="91", name="测试省", level="province", parent=None)
        cities = [unit_service.create_unit_raw(db, code=f"91{i:02d}", name=f"市{i}", level="city", parent=prov)
                  for i in (1, 2)]
        db.commit()
        admin = Principal(account_id=0, username="mover", real_name="mover", kind="staff", unit_id=prov.id,
                          teacher_id=None, grants=((prov.id, "system_admin"),), roles=pg_ctx.roles)
    for round_ in range(6):
        county_code = f"9101{round_:02d}"
        other_code = f"9102{round_:02d}"
        with pg_ctx.sessions() as db:
            city1 = db.get(Unit, cities[0].id)
            city2 = db.get(Unit, cities[1].id)
            county = unit_service.create_unit_raw(db, code=county_code, name="移动区", level="county", parent=city1)
            other = unit_service.create_unit_raw(db, code=other_code, name="邻区", level="county", parent=city2)
            for k in range(3):
                unit_service.create_unit_raw(db, code=f"{county_code}{k:04d}", name="校", level="school", parent=county)
                unit_service.create_unit_raw(db, code=f"{other_code}{k:04d}", name="校", level="school", parent=other)
            db.commit()

        def work(i: int) -> None:
            with pg_ctx.sessions() as db:
                if i == 0:  # the county (with its schools) moves to the other city
                    unit_service.move(db, admin, county_code, "9102")
                elif i == 1:  # a school is created below the moving county
                    unit_service.create_unit_raw(db, code=f"{county_code}9999", name="新校", level="school",
                                                 parent=unit_service.by_code(db, county_code))
                else:  # a school of the neighbour moves into the moving county
                    unit_service.move(db, admin, f"{other_code}{i - 2:04d}", county_code)
                db.commit()

        errors = run_together(4, work)
        assert errors == [], [repr(e)[:400] for e in errors]
        with pg_ctx.sessions() as db:
            assert _closure_matches_parents(db), f"round {round_}"
            moved = unit_service.by_code(db, f"{county_code}9999")
            assert unit_service.path_text(db, moved.id) == "测试省 / 市2 / 移动区 / 新校"
