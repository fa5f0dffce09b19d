"""A small sample school for screenshots, browser tests and the benchmark (not the demo province).

``seed(ctx, teachers=N)`` creates 江西 → 南昌市 → 东湖区 → a primary school, a 信息管理员 account
``manager`` and N teachers, each with a teacher account (username = ID number) and, for all but
the first, a 基本信息 that passes the engine plus a few repeating-set records. The first teacher
is left as a school creates it (four items only), for the first-login path.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine import idnumber
from web.context import AppContext
from web.db.models import Account, Grant, Record
from web.services import teachers as teacher_service
from web.services import units as unit_service

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂英", "建华", "志强", "丽娟", "海燕", "文博", "思远", "晓东", "雅琴", "国平", "春梅"]


@dataclass
class Sample:
    school_id: int
    school_code: str
    manager: str
    password: str
    teachers: list[int] = field(default_factory=list)
    usernames: dict[int, str] = field(default_factory=dict)


def basic_record(items: teacher_service.FourItems, rng: random.Random) -> dict[str, Any]:
    work_year = items.birth_date.year + 22
    return {
        "name": items.name, "former_name": "无", "gender": items.gender, "staff_number": "0",
        "nationality": "156", "id_type": "1", "id_number": items.id_number,
        "birth_date": items.birth_date.isoformat(), "ethnic_group": "01", "political_status": ["13"],
        "marital_status": "20", "health_status": "1",
        "work_start_month": f"{work_year}-09", "entry_month": f"{work_year + rng.randint(0, 6)}-09",
        "staff_source": "11", "staff_category": "11", "on_establishment": True, "contract": "1",
        "normal_major": True, "special_ed_trained": False, "special_ed_certificate": False,
        "it_ability": "2", "free_normal_student": "0", "grassroots_service": "0",
        "special_grade_teacher": False, "backbone_teacher": False, "psych_teacher": "0", "person_status": "100",
    }


def education_records(items: teacher_service.FourItems) -> list[dict[str, Any]]:
    y = items.birth_date.year
    return [
        {"edu_level": "61", "edu_country": "156", "institution": "南昌市第二中学", "major": "无", "normal_major": False,
         "enrolment_month": f"{y + 15}-09", "graduation_month": f"{y + 18}-07", "degree_level": "0",
         "study_mode": "1", "unit_kind": "1"},
        {"edu_level": "21", "edu_country": "156", "institution": "江西师范大学", "major": "汉语言文学",
         "normal_major": True, "enrolment_month": f"{y + 18}-09", "graduation_month": f"{y + 22}-07",
         "degree_level": "4", "degree": "405", "degree_country": "156", "degree_institution": "江西师范大学",
         "degree_month": f"{y + 22}-07", "study_mode": "1", "unit_kind": "1"},
    ]


def seed(ctx: AppContext, *, teachers: int = 12, password: str = "Sample@2024", seed_value: int = 7,
         school_code: str = "3601029001") -> Sample:
    rng = random.Random(seed_value)
    cat = ctx.catalogue
    with ctx.sessions() as db:
        parent = None
        for code, name, level in (("36", "江西省", "province"), ("3601", "南昌市", "city"),
                                  ("360102", "东湖区", "county")):
            unit = unit_service.by_code(db, code)
            if unit is None:
                unit = unit_service.create_unit_raw(db, code=code, name=name, level=level, parent=parent)
            parent = unit
        school = unit_service.by_code(db, school_code) or unit_service.create_unit_raw(
            db, code=school_code, name="东湖区示范小学", level="school", parent=parent, school_type="primary")
        pw = ctx.hasher.hash(password)
        manager = f"manager{school_code[-4:]}"
        if db.query(Account).filter_by(username=manager).first() is None:
            acc = Account(username=manager, real_name="刘老师（信息管理员）", unit_id=school.id, kind="staff",
                          password_hash=pw, must_change_password=False, failed_attempts=0, enabled=True)
            db.add(acc)
            db.flush()
            db.add(Grant(account_id=acc.id, unit_id=school.id, role_key="info_manager"))
        out = Sample(school.id, school_code, manager, password)
        for i in range(teachers):
            male = i % 2 == 1
            birth = date(1970 + rng.randint(0, 28), rng.randint(1, 12), rng.randint(1, 28))
            idn = idnumber.make("360102", birth, rng.randint(0, 498) // 2 * 2 + (1 if male else 0))
            if teacher_service.find_person(db, "1", idn) is not None:
                continue
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            items = teacher_service.FourItems.parse(name, "1" if male else "2", birth, idn)
            t = teacher_service.create_raw(db, school, items, catalogue_version=cat.version)
            acc = Account(username=idn, real_name=name, unit_id=school.id, kind="teacher", teacher_id=t.id,
                          password_hash=pw, must_change_password=(i == 0), failed_attempts=0, enabled=True)
            db.add(acc)
            db.flush()
            db.add(Grant(account_id=acc.id, unit_id=school.id, role_key="teacher"))
            out.teachers.append(t.id)
            out.usernames[t.id] = idn
            if i == 0:
                continue
            basic = db.query(Record).filter_by(teacher_id=t.id, set_key="basic").one()
            basic.document = basic_record(items, rng)
            for pos, rec in enumerate(education_records(items)):
                db.add(Record(teacher_id=t.id, set_key="education", position=pos, document=rec,
                              catalogue_version=cat.version))
            db.add(Record(teacher_id=t.id, set_key="contact", position=0, catalogue_version=cat.version,
                          document={"mobile": f"139{rng.randint(10**7, 10**8 - 1)}", "address": "南昌市东湖区八一大道 1 号"}))
        db.commit()
    return out
