"""管理端 pages over HTTP against the real database: 用户权限管理, 教师用户管理, 单位管理, and the
menu that shows each to the roles that may use it."""

from __future__ import annotations

import io
import itertools

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.web.conftest import PASSWORD, Client, four_items, post_form
from web.db.models import Account, AuditEntry, Grant, Teacher, Unit, UnitClosure
from web.services import units as unit_service

_n = itertools.count(5000)


def _audit(db, action: str, target_id) -> AuditEntry | None:
    db.expire_all()
    return db.scalar(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_id == str(target_id))
                     .order_by(AuditEntry.seq.desc()))


@pytest.fixture()
def fresh_school(ctx, world):
    """A new school under a county with its own system administrator ``system_admin@<code>``
    (password PASSWORD), so tests that switch logins or add teachers disturb nobody."""
    def make(county: str = "360102") -> str:
        code = f"{county}{next(_n):04d}"
        with ctx.sessions() as db:
            unit = unit_service.create_unit_raw(db, code=code, name=f"测试学校{code[-4:]}", level="school",
                                                parent=unit_service.by_code(db, county), school_type="primary")
            acc = Account(username=f"system_admin@{code}", real_name="校管理员", unit_id=unit.id, kind="staff",
                          password_hash=ctx.hasher.hash(PASSWORD), must_change_password=False,
                          failed_attempts=0, enabled=True)
            db.add(acc)
            db.flush()
            db.add(Grant(account_id=acc.id, unit_id=unit.id, role_key="system_admin"))
            db.commit()
        return code
    return make


# ------------------------------------------------------------------ the menu


@pytest.mark.parametrize("username,shown,hidden", [
    ("system_admin@3601020001", ["用户权限管理", "教师用户管理"], ["单位管理"]),
    ("system_admin@360102", ["用户权限管理", "单位管理"], ["教师用户管理"]),
    ("info_manager@3601020001", [], ["用户权限管理", "教师用户管理", "单位管理"]),
    ("info_viewer@36", [], ["用户权限管理", "教师用户管理", "单位管理"]),
])
def test_home_menu_shows_what_the_role_may_use(as_user, username, shown, hidden):
    home = as_user(username).get("/admin/")
    assert home.status_code == 200
    for word in shown:
        assert word in home.text
    for word in hidden:
        assert word not in home.text


def test_pages_in_english(as_user):
    c = as_user("system_admin@360102")
    assert "Users and roles" in c.get("/admin/accounts?lang=en").text
    assert "Find a unit" in c.get("/admin/units").text  # the choice is remembered
    assert "用户权限管理" in c.get("/admin/accounts?lang=zh").text


# ------------------------------------------------------------------ 用户权限管理


def _table(html: str, table_id: str) -> str:
    return html.split(f'id="{table_id}"')[1].split("</table>")[0]


def test_accounts_page_lists_my_unit_and_the_admins_directly_below(as_user):
    table = _table(as_user("system_admin@360102").get("/admin/accounts").text, "accounts")
    for username in ("info_manager@360102", "info_viewer@360102", "system_admin@3601020001", "system_admin@3601020002"):
        assert f">{username}<" in table
    for username in ("info_manager@3601020001", "system_admin@360103", "system_admin@3601"):
        assert f">{username}<" not in table
    # my own administrator account is managed from above: no actions on its row
    own_row = table.split('>system_admin@360102</td>')[1].split("</tr>")[0]
    assert "由上级单位管理" in own_row and "重置密码" not in own_row


def test_accounts_page_is_refused_outside_my_unit(as_user):
    assert as_user("info_manager@360102").get("/admin/accounts").status_code == 403
    county = as_user("system_admin@360102")
    assert county.get("/admin/accounts?unit=3601020001").status_code == 403  # below: its own admin manages it
    r = county.get("/admin/accounts?unit=360103")
    assert r.status_code == 404 and "西湖区" not in r.text


def test_create_account_shows_the_initial_password_once(as_user, app, db):
    admin = as_user("system_admin@360102")
    username = f"clerk{next(_n)}"
    r = post_form(admin, "/admin/accounts", "/admin/accounts/new",
                  {"unit": "360102", "home": "360102", "username": username, "real_name": "孙七",
                   "roles": ["info_entry", "info_reviewer"]})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["cache-control"] == "no-store"
    issued = r.text.split('id="initial-password">')[1].split("<")[0]
    signed_in = Client(app, username, issued)
    assert signed_in.login_body["must_change_password"] is True
    account = db.scalar(select(Account).where(Account.username == username))
    assert sorted(g.role_key for g in account.grants) == ["info_entry", "info_reviewer"]
    assert issued not in admin.get("/admin/accounts").text  # shown once, never again
    entry = _audit(db, "account.create", account.id)
    assert entry is not None and entry.actor_name == "system_admin@360102"


def test_create_account_refusals_are_shown_on_the_page(as_user):
    admin = as_user("system_admin@360102")
    r = post_form(admin, "/admin/accounts", "/admin/accounts/new",
                  {"unit": "360102", "home": "360102", "username": "info_manager@360102", "real_name": "重名",
                   "roles": ["info_viewer"]})
    assert r.status_code == 409 and "W204" in r.text and "已被使用" in r.text
    r = post_form(admin, "/admin/accounts", "/admin/accounts/new",
                  {"unit": "360102", "home": "360102", "username": f"x{next(_n)}", "real_name": "无角色"})
    assert r.status_code == 403 and "至少授予一个角色" in r.text


def test_grant_revoke_reset_disable_enable_delete(as_user, app, db):
    admin = as_user("system_admin@360102")
    username = f"clerk{next(_n)}"
    r = post_form(admin, "/admin/accounts", "/admin/accounts/new",
                  {"unit": "360102", "home": "360102", "username": username, "real_name": "周八", "roles": ["info_viewer"]})
    account_id = db.scalar(select(Account.id).where(Account.username == username))
    page = "/admin/accounts?unit=360102"

    r = post_form(admin, page, f"/admin/accounts/{account_id}/grant", {"role": "info_reviewer", "home": "360102"})
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/accounts?unit=360102&msg=")
    assert "已授予角色" in admin.get(r.headers["location"]).text
    r = post_form(admin, page, f"/admin/accounts/{account_id}/revoke", {"role": "info_viewer", "home": "360102"})
    assert r.status_code == 303
    db.expire_all()
    assert [g.role_key for g in db.get(Account, account_id).grants] == ["info_reviewer"]

    r = post_form(admin, page, f"/admin/accounts/{account_id}/reset-password", {"home": "360102"})
    assert r.status_code == 200
    issued = r.text.split('id="initial-password">')[1].split("<")[0]
    assert Client(app, username, issued).login_body["must_change_password"] is True
    assert _audit(db, "account.reset_password", account_id) is not None

    assert post_form(admin, page, f"/admin/accounts/{account_id}/enabled", {"enabled": "0", "home": "360102"}).status_code == 303
    refused = Client(app).post("/api/v1/auth/login", json={"username": username, "password": issued})
    assert refused.status_code == 403 and refused.json()["code"] == "W103"
    assert post_form(admin, page, f"/admin/accounts/{account_id}/enabled", {"enabled": "1", "home": "360102"}).status_code == 303
    assert Client(app, username, issued).login_body["account"]["enabled"] is True

    assert post_form(admin, page, f"/admin/accounts/{account_id}/delete", {"home": "360102"}).status_code == 303
    db.expire_all()
    assert db.get(Account, account_id) is None
    assert _audit(db, "account.delete", account_id) is not None


def test_actions_on_accounts_outside_my_reach_are_refused(as_user, db):
    county = as_user("system_admin@360102")
    neighbour = db.scalar(select(Account.id).where(Account.username == "info_manager@360103"))
    below = db.scalar(select(Account.id).where(Account.username == "info_manager@3601020001"))
    own_admin = db.scalar(select(Account.id).where(Account.username == "system_admin@360102"))
    for account_id in (neighbour, below, own_admin):
        r = post_form(county, "/admin/accounts", f"/admin/accounts/{account_id}/reset-password", {})
        assert r.status_code == 404, account_id
        r = post_form(county, "/admin/accounts", f"/admin/accounts/{account_id}/enabled", {"enabled": "0"})
        assert r.status_code == 404
    db.expire_all()
    assert db.get(Account, neighbour).enabled and db.get(Account, below).enabled


def test_appoint_the_system_administrator_of_a_unit_below(as_user, app, db):
    prov = as_user("system_admin@36")
    code = f"3601{next(_n) % 90 + 10:02d}"
    while db.scalar(select(Unit.id).where(Unit.code == code)):
        code = f"3601{next(_n) % 90 + 10:02d}"
    assert prov.post("/api/v1/units", json={"code": code, "name": "新设区", "level": "county",
                                            "parent_code": "3601"}).status_code == 201
    city = as_user("system_admin@3601")
    page = city.get("/admin/accounts").text
    assert 'id="new-child-admin"' in page and f'value="{code}"' in page
    username = f"admin-{code}"
    r = post_form(city, "/admin/accounts", "/admin/accounts/new",
                  {"unit": code, "home": "3601", "username": username, "real_name": "吴九", "roles": ["system_admin"]})
    assert r.status_code == 200, r.text[:500]
    assert username in city.get("/admin/accounts").text
    # a second one is refused: at most one per unit
    r = post_form(city, "/admin/accounts", "/admin/accounts/new",
                  {"unit": code, "home": "3601", "username": username + "b", "real_name": "郑十", "roles": ["system_admin"]})
    assert r.status_code == 409 and "W203" in r.text


# ------------------------------------------------------------------ 教师用户管理


def _initial(r) -> str:
    return r.text.split('id="initial-password">')[1].split("<")[0]


def test_teacher_account_from_the_four_items(as_user, app, db, fresh_school):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    items = four_items(school[:6], "钱多多", male=False)
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/new", {"unit": school, **items})
    assert r.status_code == 200, r.text[:800]
    issued = _initial(r)
    teacher = Client(app, items["id_number"], issued, entry="teacher")
    assert teacher.login_body["must_change_password"] is True
    listing = admin.get("/admin/teacher-accounts").text
    assert "钱多多" in listing and items["id_number"] not in listing  # the ID number is masked on the page
    assert items["id_number"][:4] + "*" * 10 + items["id_number"][-4:] in listing
    person = db.scalar(select(Teacher).where(Teacher.id_number == items["id_number"]))
    assert person.unit.code == school and person.gender == "2"


def test_teacher_account_bad_items_and_duplicates(as_user, world, fresh_school):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    items = four_items(school[:6], "王错")
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/new",
                  {"unit": school, **items, "gender": "2"})
    assert r.status_code == 422 and "性别与身份证件号不一致" in r.text
    assert f'value="{items["name"]}"' in r.text  # what was typed stays in the form
    # a person on file at another school: where they are, and a transfer instead of a copy
    elsewhere = world.teacher_usernames[world.teachers["3601030001"][0]]
    from engine import idnumber
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/new",
                  {"unit": school, "name": "某人", "gender": idnumber.gender(elsewhere),
                   "birth_date": idnumber.birth_date(elsewhere), "id_number": elsewhere})
    assert r.status_code == 409 and "W401" in r.text
    assert "西湖区幼儿园" in r.text and "江西省 / 南昌市 / 西湖区 / 西湖区幼儿园" in r.text and "调动" in r.text


def _workbook(rows: list[list[str]], headers=("姓名", "性别", "出生日期", "身份证件号")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_teachers_with_a_result_per_row(as_user, world, fresh_school, db):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    good = four_items(school[:6], "甲")
    bad = four_items(school[:6], "乙")
    elsewhere = world.teacher_usernames[world.teachers["3602020001"][0]]
    from engine import idnumber
    content = _workbook([
        [good["name"], "男", good["birth_date"], good["id_number"]],
        [bad["name"], "女", bad["birth_date"], bad["id_number"]],               # gender does not match
        ["丙", "男" if idnumber.gender(elsewhere) == "1" else "女", idnumber.birth_date(elsewhere), elsewhere],
    ])
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/import", {"unit": school},
                  files={"file": ("teachers.xlsx", content, "application/octet-stream")})
    assert r.status_code == 200, r.text[:800]
    result = r.text.split('id="import-result"')[1].split("</section>")[0]
    assert "成功 1 行，问题 2 行" in result
    row3 = result.split("<td>3</td>")[1].split("</tr>")[0]
    assert "W403" in row3 and "性别与身份证件号不一致" in row3
    row4 = result.split("<td>4</td>")[1].split("</tr>")[0]
    assert "W401" in row4 and "昌江区职业中学" in row4 and "调动" in row4
    assert db.scalar(select(Account.id).where(Account.username == good["id_number"])) is not None
    assert db.scalar(select(Account.id).where(Account.username == bad["id_number"])) is None


def test_the_sample_workbook_is_what_the_importer_reads(as_user, fresh_school, db):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    r = admin.get("/admin/teacher-accounts/sample.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["姓名", "性别", "出生日期", "身份证件号"]
    items = four_items(school[:6], "样表")
    ws.append([items["name"], "男", items["birth_date"], items["id_number"]])
    buf = io.BytesIO()
    wb.save(buf)
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/import", {"unit": school},
                  files={"file": ("filled.xlsx", buf.getvalue(), "application/octet-stream")})
    assert "成功 1 行，问题 0 行" in r.text  # the example on the instructions sheet is not imported


def test_import_without_a_file_or_with_a_broken_file(as_user, fresh_school):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/import", {"unit": school},
                  files={"file": ("x.xlsx", b"not a workbook", "application/octet-stream")})
    assert r.status_code == 400 and "无法读取该文件" in r.text


def test_export_shows_initial_passwords_only_while_unchanged(as_user, app, db, fresh_school):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    issued = {}
    for name in ("赵一", "赵二"):
        items = four_items(school[:6], name)
        r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/new", {"unit": school, **items})
        issued[items["id_number"]] = _initial(r)
    changed = next(iter(issued))
    c = Client(app, changed, issued[changed], entry="teacher")
    assert c.post("/api/v1/auth/password", json={"old_password": issued[changed], "new_password": "New@pass123"}).status_code == 200
    r = admin.get(f"/admin/teacher-accounts/export?unit={school}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    rows = {row[1]: row for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(issued)
    for idn, password in issued.items():
        assert rows[idn][2] == (None if idn == changed else password)
    entry = _audit(db, "account.export", school)
    assert entry is not None and entry.detail == {"accounts": 2, "initial_passwords": 1}


def test_teacher_login_switch(as_user, app, fresh_school):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    items = four_items(school[:6], "开关")
    issued = _initial(post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/new", {"unit": school, **items}))
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/login-switch", {"unit": school, "enabled": "0"})
    assert r.status_code == 303
    assert "已关闭本校教师登录" in admin.get(r.headers["location"]).text
    refused = Client(app).post("/api/v1/auth/login", json={"username": items["id_number"], "password": issued})
    assert refused.status_code == 403 and refused.json()["code"] == "W104"
    assert 'id="logins-on"' in admin.get("/admin/teacher-accounts").text
    post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/login-switch", {"unit": school, "enabled": "1"})
    assert Client(app, items["id_number"], issued).login_body["must_change_password"] is True


def test_teacher_account_page_is_for_a_schools_administrator(as_user, fresh_school):
    assert as_user("system_admin@360102").get("/admin/teacher-accounts").status_code == 422  # W209: not a school
    assert as_user("info_manager@3601020001").get("/admin/teacher-accounts").status_code == 403
    school = fresh_school()
    r = as_user("system_admin@3601020001").get(f"/admin/teacher-accounts?unit={school}")
    assert r.status_code == 404 and school not in r.text
    r = as_user("system_admin@3601020001").get(f"/admin/teacher-accounts/export?unit={school}")
    assert r.status_code == 404


def test_deleting_a_teacher_account_from_the_page_keeps_the_file(as_user, app, db, fresh_school):
    school = fresh_school()
    admin = as_user(f"system_admin@{school}")
    items = four_items(school[:6], "留档")
    post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/new", {"unit": school, **items})
    account_id = db.scalar(select(Account.id).where(Account.username == items["id_number"]))
    r = post_form(admin, "/admin/teacher-accounts", f"/admin/accounts/{account_id}/delete", {"back": "teachers", "home": school})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/admin/teacher-accounts?unit={school}")
    db.expire_all()
    assert db.get(Account, account_id) is None
    assert db.scalar(select(Teacher).where(Teacher.id_number == items["id_number"])) is not None
    # a new account attaches to the kept file
    r = post_form(admin, "/admin/teacher-accounts", "/admin/teacher-accounts/new", {"unit": school, **items})
    assert r.status_code == 200 and _initial(r)
