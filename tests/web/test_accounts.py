"""Accounts: who may grant what, one system administrator per unit, teacher accounts from the
four items, spreadsheet import and export, deletion that keeps the teacher's file."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.web.conftest import PASSWORD, Client, four_items
from web.db.models import Account, Teacher


def _create(c, unit, roles, username=None):
    username = username or f"acc-{unit}-{'-'.join(roles)}-{id(c)}-{_n()}"
    return c.post("/api/v1/accounts", json={"username": username, "real_name": "赵六", "unit_code": unit, "roles": roles})


_counter = iter(range(10**6))


def _n() -> int:
    return next(_counter)


def test_system_admin_creates_own_unit_staff_accounts(as_user):
    admin = as_user("system_admin@360102")
    for role in ("info_manager", "info_entry", "info_reviewer", "info_viewer"):
        r = _create(admin, "360102", [role])
        assert r.status_code == 201, r.text
        assert r.json()["must_change_password"] is True and len(r.json()["initial_password"]) >= 8


def test_system_admin_cannot_create_staff_below_or_beside(as_user):
    admin = as_user("system_admin@360102")
    for unit in ("3601020001", "360103", "3601", "620102"):
        r = _create(admin, unit, ["info_manager"])
        assert r.status_code in (403, 404), (unit, r.text)


def test_system_admin_appoints_system_admin_of_units_directly_below_only(as_user):
    city = as_user("system_admin@3601")
    # a new county without an administrator
    assert city.get("/api/v1/units/3601").status_code == 200
    prov = as_user("system_admin@36")
    code = f"3601{90 + _n() % 9:02d}"
    r = prov.post("/api/v1/units", json={"code": code, "name": "新区", "level": "county", "parent_code": "3601"})
    assert r.status_code == 201, r.text
    assert _create(city, code, ["system_admin"]).status_code == 201
    # the second one is refused: at most one per unit
    r = _create(city, code, ["system_admin"])
    assert r.status_code == 409 and r.json()["code"] == "W203"
    # the province may not skip a level
    assert _create(prov, code, ["system_admin"]).status_code == 403
    # nor appoint its own unit's administrator
    assert _create(prov, "36", ["system_admin"]).status_code == 403


def test_grant_needs_the_grant_permission(as_user):
    manager = as_user("info_manager@360102")
    r = _create(manager, "360102", ["info_viewer"])
    assert r.status_code == 403 and r.json()["code"] == "W201"
    # an administrator lacking grant.teacher (a county) cannot make teacher accounts anywhere
    r = _create(as_user("system_admin@360102"), "360102", ["teacher"])
    assert r.status_code == 403


def test_role_levels_are_checked(as_user):
    r = _create(as_user("system_admin@360102"), "360102", ["teacher"])
    assert r.status_code == 403


def test_grant_and_revoke_on_an_existing_account(as_user, app):
    admin = as_user("system_admin@360102")
    acc = _create(admin, "360102", ["info_viewer"]).json()
    r = admin.post(f"/api/v1/accounts/{acc['id']}/grants", json={"role": "info_reviewer"})
    assert r.status_code == 200 and {g["role"] for g in r.json()["grants"]} == {"info_viewer", "info_reviewer"}
    r = admin.delete(f"/api/v1/accounts/{acc['id']}/grants/info_viewer")
    assert r.status_code == 200 and [g["role"] for g in r.json()["grants"]] == ["info_reviewer"]
    # a neighbour county's administrator cannot touch it
    other = as_user("system_admin@360103")
    assert other.post(f"/api/v1/accounts/{acc['id']}/grants", json={"role": "info_viewer"}).status_code == 404


def test_city_admin_cannot_reset_a_county_managers_password(as_user):
    acc = _create(as_user("system_admin@360102"), "360102", ["info_manager"]).json()
    city = as_user("system_admin@3601")
    assert city.get(f"/api/v1/accounts/{acc['id']}").status_code == 200  # may read (subtree)
    assert city.post(f"/api/v1/accounts/{acc['id']}/reset-password", json={}).status_code == 404


def test_city_admin_manages_county_system_admin(as_user, world):
    city = as_user("system_admin@3601")
    listing = city.get("/api/v1/accounts?unit=360103&q=system_admin").json()
    target = listing["items"][0]
    r = city.post(f"/api/v1/accounts/{target['id']}/reset-password", json={})
    assert r.status_code == 200
    # restore for other tests: sign in with the new password and change back
    c = Client(city.http.app, target["username"], r.json()["initial_password"])
    assert c.post("/api/v1/auth/password", json={"old_password": r.json()["initial_password"],
                                                 "new_password": PASSWORD}).status_code == 200


def test_teacher_account_from_four_items(as_user, app, db):
    admin = as_user("system_admin@3601020001")
    items = four_items("360102", "李四", male=False)
    r = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **items})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["username"] == items["id_number"] and body["kind"] == "teacher" and body["must_change_password"]
    c = Client(app, items["id_number"], body["initial_password"], entry="teacher")
    assert c.login_body["must_change_password"] is True
    teacher = db.scalar(select(Teacher).where(Teacher.id_number == items["id_number"]))
    assert teacher.name == "李四" and teacher.gender == "2"


def test_teacher_account_bad_items_are_refused_with_reasons(as_user):
    admin = as_user("system_admin@3601020001")
    items = four_items("360102")
    bad = {**items, "id_number": items["id_number"][:-1] + ("0" if items["id_number"][-1] != "0" else "1")}
    r = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **bad})
    assert r.status_code == 422 and "身份证件号无效" in r.json()["message"]
    r = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **items, "gender": "2"})
    assert r.status_code == 422 and "性别与身份证件号不一致" in r.json()["message"]


def test_only_the_schools_own_admin_creates_teacher_accounts(as_user):
    items = four_items("360102")
    for who in ("system_admin@360102", "info_manager@3601020001", "system_admin@3601020002"):
        r = as_user(who).post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **items})
        assert r.status_code in (403, 404), who


def test_duplicate_person_points_to_the_unit_on_file(as_user, world):
    # a teacher of 东湖区第一小学 is created again at 西湖区幼儿园
    tid = world.teachers["3601020001"][0]
    username = world.teacher_usernames[tid]
    from engine import idnumber
    admin = as_user("system_admin@3601030001")
    r = admin.post("/api/v1/teacher-accounts", json={
        "unit_code": "3601030001", "name": "某某", "gender": idnumber.gender(username),
        "birth_date": idnumber.birth_date(username), "id_number": username})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "W401" and "东湖区第一小学" in body["message"]
    # a teacher moving here comes by a transfer (教师调动, issue 15); a wrong entry: the unit on file
    assert "「业务管理 → 教师调动」" in body["hint"] and "「东湖区第一小学」或其上级教育行政部门联系" in body["hint"]
    assert "starts a transfer" in body["hint_en"] and "education authority" in body["hint_en"]
    assert "江西省 / 南昌市 / 东湖区 / 东湖区第一小学" in body["message"]


def test_deleting_an_account_keeps_the_file_and_a_new_account_attaches(as_user, app, db):
    admin = as_user("system_admin@3601020001")
    items = four_items("360102", "钱七")
    acc = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **items}).json()
    teacher_id = acc["teacher_id"]
    assert admin.delete(f"/api/v1/accounts/{acc['id']}").status_code == 200
    assert db.get(Teacher, teacher_id) is not None
    assert db.scalar(select(Account).where(Account.username == items["id_number"])) is None
    r = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **items})
    assert r.status_code == 201 and r.json()["attached"] is True and r.json()["teacher_id"] == teacher_id
    r = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **items})
    assert r.status_code == 409 and r.json()["code"] == "W208"


def _sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生日期", "身份证件号"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_and_export_teacher_accounts(as_user, app):
    admin = as_user("system_admin@3601020002")
    a, b = four_items("360102", "甲", True), four_items("360102", "乙", False)
    content = _sheet([[a["name"], "男", a["birth_date"], a["id_number"]],
                      [b["name"], "女", b["birth_date"], b["id_number"]],
                      ["丙", "男", "1990-01-01", "123"]])
    r = admin.post("/api/v1/teacher-accounts/import?unit=3601020002",
                   files={"data": ("t.xlsx", content, "application/octet-stream")},
                   headers={"x-csrftoken": "1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["username"] for c in body["created"]] == [a["id_number"], b["id_number"]]
    assert [p["row"] for p in body["problems"]] == [4] and body["problems"][0]["code"] == "W403"

    # A changes the password; the export then shows B's initial password only
    export = admin.get("/api/v1/teacher-accounts/export?unit=3601020002")
    ws = load_workbook(io.BytesIO(export.content)).active
    initial = {row[1]: row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert initial[a["id_number"]] and initial[b["id_number"]]
    c = Client(app, a["id_number"], initial[a["id_number"]])
    assert c.post("/api/v1/auth/password", json={"old_password": initial[a["id_number"]],
                                                 "new_password": "Kq8#Lw2rTz"}).status_code == 200
    ws = load_workbook(io.BytesIO(admin.get("/api/v1/teacher-accounts/export?unit=3601020002").content)).active
    after = {row[1]: row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert after[a["id_number"]] is None and after[b["id_number"]] == initial[b["id_number"]]


def test_initial_password_is_stored_encrypted(as_user, db, ctx):
    admin = as_user("system_admin@3601020001")
    items = four_items("360102")
    body = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", **items}).json()
    stored = db.scalar(select(Account.initial_password).where(Account.id == body["id"]))
    assert body["initial_password"] not in stored
    assert ctx.box.open(stored) == body["initial_password"]
