"""``tmis demo`` on an empty database: the province, the accounts of every role, valid teachers."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.web.conftest import Client, fresh_database, make_settings
from engine import idnumber
from web.app import create_app
from web.db.models import Record, Teacher, Unit
from web.demo import CHAIN_ACCOUNTS, FIRST_LOGIN, DemoError, build_demo

PASSWORD = "Demo@2024x"


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("demo")) as url:
        settings = make_settings(url)
        build_demo(settings, password=PASSWORD, teachers=36, seed=7)
        yield settings
        create_app(settings).state.ctx.engine.dispose()


@pytest.fixture(scope="module")
def demo_app(demo_settings):
    return create_app(demo_settings)


def test_demo_tree(demo_app):
    ctx = demo_app.state.ctx
    with ctx.sessions() as db:
        levels = dict(db.execute(select(Unit.level, func.count()).group_by(Unit.level)).all())
        assert levels == {"province": 1, "city": 2, "county": 4, "school": 12}
        school = db.scalar(select(Unit).where(Unit.code == "3601020001"))
        assert school.school_type == "primary" and school.parent.code == "360102"
        types = set(db.scalars(select(Unit.school_type).where(Unit.level == "school")))
        assert len(types) >= 4


def test_demo_accounts_sign_in_without_forced_change(demo_app):
    app = demo_app
    for username, role, unit, _ in CHAIN_ACCOUNTS:
        c = Client(app, username, PASSWORD)
        assert c.login_body["must_change_password"] is False
        me = c.get("/api/v1/auth/me").json()
        assert me["roles"] == [role] and me["unit_code"] == unit


def test_every_unit_has_a_manager_and_a_reviewer_beside_its_admin(demo_app):
    with demo_app.state.ctx.sessions() as db:
        units = {u.code: u.level for u in db.scalars(select(Unit))}
    for code in ("3604", "360403", "3604030002"):
        assert code in units
        for prefix, role in (("admin", "system_admin"), ("manager", "info_manager"), ("reviewer", "info_reviewer")):
            me = Client(demo_app, f"{prefix}-{code}", PASSWORD).get("/api/v1/auth/me").json()
            assert me["roles"] == [role] and me["unit_code"] == code
    for code in units:  # the chain's units too (their admin is province-admin, …)
        for prefix in ("manager", "reviewer"):
            assert Client(demo_app, f"{prefix}-{code}", PASSWORD).login_body["must_change_password"] is False


def test_demo_teachers_have_valid_ids_accounts_and_every_set(demo_app):
    app = demo_app
    ctx = app.state.ctx
    cat = ctx.catalogue
    with ctx.sessions() as db:
        teachers = db.scalars(select(Teacher)).all()
        assert len(teachers) == 36
        assert all(idnumber.is_valid(t.id_number) and idnumber.birth_date(t.id_number) == t.birth_date.isoformat()
                   for t in teachers)
        sets = defaultdict(set)
        for tid, key in db.execute(select(Record.teacher_id, Record.set_key)):
            sets[tid].add(key)
        for t in teachers:
            assert sets[t.id] == set(cat.set_keys(cat.family_of(t.unit.school_type))), t.unit.school_type
        t = teachers[0]
    c = Client(app, t.id_number, PASSWORD, entry="teacher")
    file = c.get(f"/api/v1/teachers/{t.id}").json()
    assert file["sets"]["basic"][0]["values"]["id_number"] == t.id_number


def test_demo_basic_records_pass_the_catalogue(demo_app):
    ctx = demo_app.state.ctx
    cat = ctx.catalogue
    with ctx.sessions() as db:
        rows = db.execute(select(Record.document, Unit.school_type).join(Teacher, Teacher.id == Record.teacher_id)
                          .join(Unit, Unit.id == Teacher.unit_id).where(Record.set_key == "basic")).all()
    for doc, st in rows:
        errors = [v for v in cat.validator("basic", cat.family_of(st)).validate(doc) if v.severity == "error"]
        assert errors == [], (doc, errors)


PLACEHOLDERS = {"示例", "良好", "教学工作", "测试"}


def test_demo_values_are_ones_a_trainer_can_show(demo_app):
    """Issue 20.18: no placeholder text (籍贯 示例/良好), no salary of 0, every set with real records,
    a 专业技术职务 and a 教师资格 for every teacher."""
    ctx = demo_app.state.ctx
    cat = ctx.catalogue
    with ctx.sessions() as db:
        rows = db.execute(select(Record.teacher_id, Record.set_key, Record.document)).all()
        teachers = set(db.scalars(select(Teacher.id)))
    real: dict[str, set[int]] = defaultdict(set)
    for tid, key, doc in rows:
        words = [v for k, v in doc.items() if isinstance(v, str)]
        assert not PLACEHOLDERS & set(words), (key, doc)
        if key == "basic":
            assert doc.get("native_place") not in (None, "无"), doc
        if key == "salary":
            assert doc["annual_income"] >= 12 * doc["basic_pay"] > 0 and doc["performance_pay"] > 0, doc
        none = cat.sets[key].none
        if none is None or doc.get(none.field) != none.code:
            real[key].add(tid)
    assert set(real) == set(cat.sets)  # every set shows real records somewhere
    for key in ("education", "title", "qualification"):
        assert real[key] == teachers, key
    kinds = [doc["kind"] for _, key, doc in rows if key == "qualification"]
    assert len(kinds) == len(teachers)  # one 教师资格 each, of the school's kind
    with ctx.sessions() as db:
        school_of = {t.id: t.unit.school_type for t in db.scalars(select(Teacher))}
    qualification = {tid: doc["kind"] for tid, key, doc in rows if key == "qualification"}
    assert all(qualification[t] == "1" for t, st in school_of.items() if st == "kindergarten")
    assert all(qualification[t] == "2" for t, st in school_of.items() if st == "primary")


def test_one_demo_teacher_must_change_the_password_and_the_readme_names_her(demo_app):
    c = Client(demo_app, FIRST_LOGIN.id_number, PASSWORD, entry="teacher")
    assert c.login_body["must_change_password"] is True
    ctx = demo_app.state.ctx
    with ctx.sessions() as db:
        t = db.scalar(select(Teacher).where(Teacher.id_number == FIRST_LOGIN.id_number))
        assert t.unit.code == "3601020001" and t.name == FIRST_LOGIN.name
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    demo_section = readme.split("### Demo accounts")[1].split("\n## ")[0]
    assert FIRST_LOGIN.id_number in demo_section and FIRST_LOGIN.name in demo_section


def test_demo_refuses_a_non_empty_database(demo_settings):
    with pytest.raises(DemoError):
        build_demo(demo_settings, password=PASSWORD, teachers=1)


def test_demo_accounts_keep_duties_apart(demo_app):
    """No demo account holds the system administrator's role with a data role (issue 14)."""
    from web.services.accounts import duty_conflicts

    ctx = demo_app.state.ctx
    with ctx.sessions() as db:
        assert duty_conflicts(db, ctx) == []


def test_demo_teachers_have_held_their_post_for_years(demo_app):
    """The 任职 of a demo teacher begins the month she joined the school (进本校年月), years back, not
    the day the demo was loaded: a school can record a retirement or a leave dated last month."""
    import datetime as dt

    from web.people import history
    from web.people import status as people_status

    ctx = demo_app.state.ctx
    cat = ctx.catalogue
    with ctx.sessions() as db:
        entries = dict(db.execute(select(Record.teacher_id, Record.document["entry_month"].as_string())
                                  .where(Record.set_key == "basic")).all())
        teachers = db.scalars(select(Teacher).order_by(Teacher.id)).all()
        moved = {t.id for t in teachers if entries[t.id] >= dt.date.today().isoformat()[:7]}  # the demo's transfers
        assert [t.id for t in teachers if t.id not in moved and history.file_start(t).isoformat()[:7] != entries[t.id]] == []
        years_back = [t for t in teachers if history.file_start(t) < dt.date.today() - dt.timedelta(days=365)]
        assert len(years_back) > len(teachers) // 2
        teacher = years_back[0]
        known = people_status.load(db, [teacher.id])[teacher.id]
        month_ago = dt.date.today() - dt.timedelta(days=30)
        for change in ("retired", "absent"):
            item = people_status.StatusChange(teacher.id, change, month_ago, "203" if change == "absent" else None)
            assert people_status.check(cat, known, item)  # no W754
