"""The page 培训机构: the county's data staff register an institution, its system administrator
creates the institution's account (培训机构管理员) with an initial password shown once; the new
account must change it at its first sign-in, then sees its institution's projects only and can
read no teacher. Schools and data-only roles get W681; another county's institution W682."""

from __future__ import annotations

import itertools
import re

from sqlalchemy import select

from modules.credits.models import InstitutionAccount
from modules.credits.tests.test_api import _project, institution  # noqa: F401
from tests.web.conftest import Client, post_form
from web.db.models import Account, AuditEntry

_n = itertools.count(1)


def test_an_authority_creates_an_institution_account_that_sees_its_projects_only(ctx, app, world, as_user,
                                                                                  institution):  # noqa: F811
    county_staff, admin = as_user("info_manager@360102"), as_user("system_admin@360102")
    name = f"东湖区教师进修学校{next(_n)}"
    r = post_form(county_staff, "/credits/institutions/", "/credits/institutions/new", {"name": name})
    assert r.status_code == 303 and name in county_staff.get(r.headers["location"]).text, r.text[:800]
    assert "/credits/institutions/" in admin.get("/admin/").text          # its menu entry (培训机构)
    page = admin.get("/credits/institutions/")
    assert page.status_code == 200 and name in page.text
    inst_id = int(re.search(rf'id="institution-(\d+)">\s*<td>{name}', page.text).group(1))
    username = f"jxxx{next(_n)}"
    r = post_form(admin, "/credits/institutions/", f"/credits/institutions/{inst_id}/accounts",
                  {"username": username, "real_name": "王培训", "phone": ""})
    assert r.status_code == 200, r.text[:800]
    assert r.headers["cache-control"] == "no-store"
    issued = r.text.split('id="initial-password">')[1].split("<")[0]
    assert issued not in admin.get("/credits/institutions/").text              # shown once
    with ctx.sessions() as db:
        account = db.scalar(select(Account).where(Account.username == username))
        assert [g.role_key for g in account.grants] == ["training_institution"] and account.must_change_password
        assert db.scalar(select(InstitutionAccount.institution_id).where(InstitutionAccount.account_id == account.id)) == inst_id
        actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(account.id),
                                                                 AuditEntry.target_type == "account")))
        assert {"account.create", "credits.institution.account"} <= actions
    # the first sign-in must change the password before anything else
    first = Client(app, username, issued)
    assert first.login_body["must_change_password"] is True
    r = first.get("/api/v1/training/projects")
    assert r.status_code == 403 and r.json()["code"] == "W106"
    new_password = "Peixun@2026x"
    r = first.post("/api/v1/auth/password", json={"old_password": issued, "new_password": new_password})
    assert r.status_code == 200, r.text
    inst = Client(app, username, new_password)
    # its projects only
    mine = _project(county_staff, name="进修学校承办的项目", institution_id=inst_id)
    other_id, _ = institution("360102")
    _project(county_staff, name="别的机构的项目（账号）", institution_id=other_id)
    listed = inst.get("/api/v1/training/projects").json()["projects"]
    assert [p["id"] for p in listed] == [mine["id"]]
    page = inst.get("/credits/projects/")
    assert "进修学校承办的项目" in page.text and "别的机构的项目" not in page.text
    # and no teacher's data
    tid = world.teachers["3601020001"][0]
    for url in (f"/api/v1/teachers/{tid}", f"/api/v1/teachers/{tid}/credits", f"/api/v1/teachers/{tid}/registration",
                "/api/v1/teachers", "/api/v1/training/balances"):
        assert inst.get(url).status_code in (403, 404), url
    assert inst.get("/credits/institutions/").status_code == 403


def test_who_may_not_use_the_page(as_user, institution):  # noqa: F811
    for who in ("info_manager@3601020001", "system_admin@3601020001", "info_viewer@360102"):
        r = as_user(who).get("/credits/institutions/")
        assert r.status_code == 403 and "W681" in r.text, who
    other, _ = institution("360103")
    admin = as_user("system_admin@360102")
    r = post_form(admin, "/credits/institutions/", f"/credits/institutions/{other}/accounts",
                  {"username": f"x{next(_n)}", "real_name": "越权"})
    assert r.status_code == 404 and "W682" in r.text
    # data staff register institutions but do not create accounts (grant.training_institution)
    staff = as_user("info_manager@360102")
    mine, _ = institution("360102")
    r = post_form(staff, "/credits/institutions/", f"/credits/institutions/{mine}/accounts",
                  {"username": f"y{next(_n)}", "real_name": "无权"})
    assert r.status_code == 403 and "W201" in r.text
    # the usual account rules: a taken username is refused on the page
    r = post_form(admin, "/credits/institutions/", f"/credits/institutions/{mine}/accounts",
                  {"username": "info_manager@360102", "real_name": "重名"})
    assert r.status_code == 409 and "W204" in r.text


