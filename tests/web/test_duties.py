"""Separation of duties (issue 14, finding 4): no account grants a role to itself, and an account
holding the system administrator's role holds no data role and vice versa — through the API, the
pages and the command line; the system administrator does not read teachers' files."""

from __future__ import annotations

import subprocess
import sys
from itertools import count

import pytest
from sqlalchemy import select

from tests.web.conftest import Client, add_staff, post_form
from web.db.models import Account, Grant
from web.services import accounts as account_service
from web.services import units as unit_service

_n = count(1)


def _id(client: Client) -> int:
    return client.get("/api/v1/auth/me").json()["id"]


@pytest.mark.parametrize("admin", ["system_admin@3601020001", "system_admin@360102"])
@pytest.mark.parametrize("role", ["info_manager", "info_entry", "info_viewer", "system_admin"])
def test_no_account_grants_a_role_to_itself(as_user, admin, role):
    c = as_user(admin)
    r = c.post(f"/api/v1/accounts/{_id(c)}/grants", json={"role": role})
    assert r.status_code == 403 and r.json()["code"] == "W210", r.text
    assert "不能给自己的账号授予角色" in r.json()["message"] and r.json()["hint"]
    assert c.get("/api/v1/auth/me").json()["roles"] == ["system_admin"]


def test_self_grant_then_salary_write_is_impossible(as_user, world):
    """The finding's path: a school's system administrator gives itself 信息管理员, then writes."""
    c = as_user("system_admin@3601020001")
    assert c.post(f"/api/v1/accounts/{_id(c)}/grants", json={"role": "info_manager"}).status_code == 403
    me = c.get("/api/v1/auth/me").json()
    assert "record.edit" not in me["permissions"] and "personal.read" not in me["permissions"]
    tid = world.teachers["3601020001"][0]
    r = c.post(f"/api/v1/teachers/{tid}/sets/salary", json={"values": {"annual_income": 1}})
    assert r.status_code in (403, 404), r.text


def test_the_system_administrator_does_not_read_teachers_files(as_user, world):
    c = as_user("system_admin@3601020001")
    tid = world.teachers["3601020001"][0]
    assert c.get("/api/v1/teachers").status_code == 403
    assert c.get(f"/api/v1/teachers/{tid}").status_code in (403, 404)


def _school_without_admin(ctx) -> tuple[str, int]:
    """A new school under 东湖区 with a data account (信息查询员) and no system administrator."""
    code = f"36010299{next(_n):02d}"
    with ctx.sessions() as db:
        county = unit_service.by_code(db, "360102")
        school = unit_service.create_unit_raw(db, code=code, name=f"职责测试学校{code[-2:]}", level="school",
                                              parent=county, school_type="primary")
        acc = add_staff(db, ctx, f"viewer@{code}", school, "info_viewer", "查询员")
        db.commit()
        return code, acc.id


def test_a_data_account_cannot_be_appointed_system_administrator(as_user, ctx):
    code, viewer_id = _school_without_admin(ctx)
    county = as_user("system_admin@360102")
    r = county.post(f"/api/v1/accounts/{viewer_id}/grants", json={"role": "system_admin"})
    assert r.status_code == 409 and r.json()["code"] == "W211", r.text
    assert "两种职责须由不同账号担任" in r.json()["message"] and "Information manager" not in r.json()["message_en"]
    # a separate real-name account is the way
    r = county.post("/api/v1/accounts", json={"username": f"admin@{code}", "real_name": "校管理员",
                                              "unit_code": code, "roles": ["system_admin"]})
    assert r.status_code == 201, r.text


def test_a_system_administrator_cannot_get_a_data_role_from_above(as_user, db):
    """The county's system administrator holds grant.info_manager at the county: it may not give a
    school's system administrator 信息管理员 there (the same at any level)."""
    school_admin = db.scalar(select(Account.id).where(Account.username == "system_admin@3601020002"))
    county = as_user("system_admin@360102")
    r = county.post(f"/api/v1/accounts/{school_admin}/grants", json={"role": "info_manager", "unit_code": "360102"})
    assert r.status_code == 409 and r.json()["code"] == "W211"


def test_new_account_with_roles_of_two_duties_is_refused(as_user, ctx):
    code, _ = _school_without_admin(ctx)
    county = as_user("system_admin@360102")
    r = county.post("/api/v1/accounts", json={"username": f"both@{code}", "real_name": "两职", "unit_code": code,
                                              "roles": ["system_admin", "info_viewer"]})
    assert r.status_code in (403, 409) and r.json()["code"] in ("W202", "W211")


def test_self_grant_through_the_page_is_refused(as_user, db):
    c = as_user("system_admin@3601020001")
    own = _id(c)
    r = post_form(c, "/admin/accounts", f"/admin/accounts/{own}/grant", {"role": "info_manager", "back": "accounts"})
    assert r.status_code == 403 and "不能给自己的账号授予角色" in r.text
    assert [g.role_key for g in db.get(Account, own).grants] == ["system_admin"]


def test_page_offers_only_roles_of_the_accounts_duty(as_user):
    html = as_user("system_admin@360102").get("/admin/accounts").text
    row = html.split(">info_viewer@360102</td>")[1].split("</tr>")[0]
    assert "system_admin" not in row


def test_the_world_and_the_cli_check_of_duties(ctx, settings, world):
    with ctx.sessions() as db:
        assert account_service.duty_conflicts(db, ctx) == []  # the test fixtures comply
    cmd = [sys.executable, "-m", "web.cli", "accounts", "duties", "--database-url", settings.database_url]
    ok = subprocess.run(cmd, capture_output=True, text=True)
    assert ok.returncode == 0 and "没有同时担任两种职责的账号" in ok.stdout, ok.stderr
    with ctx.sessions() as db:  # an account left by an older version, holding both
        acc = db.scalar(select(Account).where(Account.username == "info_entry@3602020001"))
        extra = Grant(account_id=acc.id, unit_id=acc.unit_id, role_key="system_admin")
        db.add(extra)
        db.commit()
        try:
            bad = subprocess.run(cmd, capture_output=True, text=True)
        finally:
            db.delete(extra)
            db.commit()
    assert bad.returncode == 1 and "info_entry@3602020001 (3602020001): info_entry, system_admin" in bad.stdout


def test_cli_create_admin_refuses_a_taken_username(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    def tmis(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "web.cli", *args, "--database-url", url],
                              capture_output=True, text=True, timeout=120)

    assert tmis("db", "upgrade").returncode == 0
    from web.db.base import make_engine, make_sessionmaker
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        province = unit_service.create_unit_raw(db, code="36", name="江西省", level="province", parent=None)
        unit_service.create_unit_raw(db, code="3601", name="南昌市", level="city", parent=province)
        db.commit()
    engine.dispose()
    assert tmis("accounts", "create-admin", "--unit", "36", "--username", "root", "--real-name", "甲").returncode == 0
    r = tmis("accounts", "create-admin", "--unit", "3601", "--username", "root", "--real-name", "乙")
    assert r.returncode == 1 and "用户名「root」已被使用" in r.stderr and "Traceback" not in r.stderr
