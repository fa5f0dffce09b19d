"""Spot-check tests: the people tests' fixtures (real database, the world, principals, a frozen
clock) and an area of their own (a county with two schools under 南昌市, its accounts and
teachers), so the counts here do not depend on what other tests do."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.people.conftest import *  # noqa: E402,F401,F403
from tests.review.conftest import add_teacher  # noqa: E402
from tests.web.conftest import add_staff  # noqa: E402

COUNTY, SCHOOL_A, SCHOOL_B, OTHER_COUNTY = "360190", "3601900001", "3601900002", "360191"


@dataclass
class Area:
    units: dict[str, int] = field(default_factory=dict)
    approved: dict[str, list[int]] = field(default_factory=dict)   # school -> approved, on the roll
    others: list[int] = field(default_factory=list)                # not in a teacher sample


@pytest.fixture(scope="session")
def area(ctx, world, cats) -> Area:
    from web.db.models import Teacher
    from web.services import units as unit_service

    a = Area()
    cat = cats["36"]
    with ctx.sessions() as db:
        city = unit_service.by_code(db, "3601")
        county = unit_service.create_unit_raw(db, code=COUNTY, name="抽查测试区", level="county", parent=city)
        other = unit_service.create_unit_raw(db, code=OTHER_COUNTY, name="抽查旁区", level="county", parent=city)
        schools = {SCHOOL_A: unit_service.create_unit_raw(db, code=SCHOOL_A, name="抽查一小", level="school",
                                                          parent=county, school_type="primary"),
                   SCHOOL_B: unit_service.create_unit_raw(db, code=SCHOOL_B, name="抽查二中", level="school",
                                                          parent=county, school_type="junior")}
        db.flush()
        for code, unit in [(COUNTY, county), (OTHER_COUNTY, other), *schools.items()]:
            a.units[code] = unit.id
            for role in ("info_manager", "info_reviewer", "info_viewer", "system_admin"):
                add_staff(db, ctx, f"{role}@{code}", unit, role)
        for code, n in ((SCHOOL_A, 4), (SCHOOL_B, 3)):
            for _ in range(n):
                tid = add_teacher(db, cat, code, complete=False, name="抽查教师")
                db.get(Teacher, tid).state = "approved"
                a.approved.setdefault(code, []).append(tid)
        a.others.append(add_teacher(db, cat, SCHOOL_A, complete=False, name="未报送教师"))  # not approved
        gone = add_teacher(db, cat, SCHOOL_B, complete=False, name="已离职教师")
        db.get(Teacher, gone).state, db.get(Teacher, gone).left_on = "approved", date(2020, 1, 1)
        a.others.append(gone)
        db.commit()
    return a
