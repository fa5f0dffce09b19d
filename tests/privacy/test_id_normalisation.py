"""Issue 20, point 1: an ID number typed with a lowercase x, full-width characters or spaces is the
same number at every entry — teacher sign-in, search, forms and API values, account creation and
imports — through one function, ``engine.idnumber.normalize``."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from engine import idnumber
from tests.web.conftest import PASSWORD, Client, csrf_of, new_id_number, post_form
from web.db.models import Account, Grant, Teacher
from web.services import teachers as teacher_service
from web.services import units as unit_service

SCHOOL = "3601020001"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def _ending_in_x(region: str = "360102") -> str:
    while True:
        idn = new_id_number(region)
        if idn.endswith("X"):
            return idn


def _typed_ways(idn: str) -> list[str]:
    return [idn[:-1] + "x", f" {idn[:6]} {idn[6:14]} {idn[14:-1]}x ", idn.translate(FULL_WIDTH),
            idn[:-1] + "ｘ\u3000"]


def test_one_normalisation():
    idn = "36010219900520152X"
    for typed in _typed_ways(idn):
        assert idnumber.normalize(typed) == idn, typed
    assert idnumber.login_name("info_viewer@36") == "info_viewer@36"  # staff usernames: as typed
    assert idnumber.login_name(" 36010219900520152x ") == idn


@pytest.fixture()
def x_teacher(ctx, world) -> str:
    """A teacher account whose ID number (the username) ends in X."""
    idn = _ending_in_x()
    with ctx.sessions() as db:
        unit = unit_service.by_code(db, SCHOOL)
        items = teacher_service.FourItems.parse("王晓", "1", idnumber.birth_date(idn), idn)
        t = teacher_service.create_raw(db, unit, items, catalogue_version="test")
        acc = Account(username=idn, real_name="王晓", unit_id=unit.id, kind="teacher", teacher_id=t.id,
                      password_hash=ctx.hasher.hash(PASSWORD), must_change_password=False, failed_attempts=0,
                      enabled=True)
        db.add(acc)
        db.flush()
        db.add(Grant(account_id=acc.id, unit_id=unit.id, role_key="teacher"))
        db.commit()
    return idn


def _page_login(app, username: str, password: str):
    c = Client(app)
    token = csrf_of(c.get("/teacher/login").text)
    return c.post("/teacher/login", data={"_csrf_token": token, "username": username, "password": password},
                  follow_redirects=False)


def test_teacher_signs_in_with_a_lowercase_x(app, ctx, x_teacher):
    for typed in _typed_ways(x_teacher):
        r = _page_login(app, typed, PASSWORD)
        assert r.status_code == 303 and "/login" not in r.headers["location"], (typed, r.text[:300])
    wrong = _page_login(app, x_teacher[:-1] + "x", "Wrong-password-9")
    assert wrong.status_code in (200, 401) and "用户名或密码错误" in wrong.text
    with ctx.sessions() as db:
        account = db.scalar(select(Account).where(Account.username == x_teacher))
        assert account.failed_attempts == 1  # the wrong password counted once, on the right account


def test_search_finds_the_teacher_however_the_number_is_typed(app, world, x_teacher):
    c = Client(app, f"info_manager@{SCHOOL}", PASSWORD)
    for typed in _typed_ways(x_teacher):
        found = c.post("/api/v1/teachers/search", json={"q": typed}).json()
        assert [i["name"] for i in found["items"]] == ["王晓"], typed
    admin = Client(app, f"system_admin@{SCHOOL}", PASSWORD)
    accounts = admin.post("/api/v1/accounts/search", json={"q": x_teacher[:-1] + "x", "unit": SCHOOL}).json()
    assert [a["username"] for a in accounts["items"]] == [x_teacher]


def test_forms_and_api_values_are_normalised(app, ctx, world):
    """The engine reads every form, API and import value through the same reader."""
    validator = ctx.catalogue.validator("basic", "primary")
    record, problems = validator.coerce({"id_number": " 36010219900520152x "})
    assert not problems and record["id_number"] == "36010219900520152X"
    c = Client(app, f"info_manager@{SCHOOL}", PASSWORD)
    tid = world.teachers[SCHOOL][0]
    idn = world.teacher_usernames[tid]
    checked = c.post(f"/api/v1/teachers/{tid}/sets/basic/validate", json={"id_number": idn.translate(FULL_WIDTH)})
    assert checked.status_code in (200, 201) and checked.json()["record"]["id_number"] == idn


def test_a_new_teacher_by_api_is_one_person_however_typed(app, ctx, world):
    c = Client(app, f"info_manager@{SCHOOL}", PASSWORD)
    idn = _ending_in_x()
    items = {"name": "赵新", "gender": "1", "birth_date": idnumber.birth_date(idn)}
    first = c.post("/api/v1/teachers", json={"unit_code": SCHOOL, **items, "id_number": idn[:-1] + "x"})
    assert first.status_code in (200, 201), first.text
    with ctx.sessions() as db:
        assert db.scalar(select(Teacher.id_number).where(Teacher.id == first.json()["id"])) == idn
    again = c.post("/api/v1/teachers", json={"unit_code": SCHOOL, **items, "id_number": idn.translate(FULL_WIDTH)})
    assert again.status_code == 409 and again.json()["code"] == "W401"


def test_imports_normalise_the_number(app, ctx, world):
    """Teacher accounts from a spreadsheet (the four items) and the Excel data import's ID column."""
    from web.excel.pipeline import _id_of

    assert _id_of(" 36010219900520152x ") == ("36010219900520152X", False)
    idn = _ending_in_x()
    wb = Workbook()
    wb.active.append(["姓名", "性别", "出生日期", "身份证件号"])
    wb.active.append(["钱进", "男", idnumber.birth_date(idn), idn[:-1].translate(FULL_WIDTH) + "x"])
    buf = io.BytesIO()
    wb.save(buf)
    admin = Client(app, f"system_admin@{SCHOOL}", PASSWORD)
    r = post_form(admin, f"/admin/teacher-accounts?unit={SCHOOL}", "/admin/teacher-accounts/import", {"unit": SCHOOL},
                  files={"file": ("t.xlsx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 200 and "成功 1 行，问题 0 行" in r.text, r.text[:800]
    with ctx.sessions() as db:
        assert db.scalar(select(Account.username).where(Account.username == idn)) == idn
