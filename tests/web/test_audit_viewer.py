"""The audit viewer (issue 14, finding 10): ``GET /api/v1/audit`` and the page 安全审计 for
``audit.read`` holders — scoped to the reader's units, filtered, paginated, itself audited, and
showing no personal values."""

from __future__ import annotations

from sqlalchemy import select

from tests.web.conftest import Client, new_id_number
from web import audit
from web.db.models import AuditEntry, Unit

COUNTY = "system_admin@360102"


def _entries(c: Client, **params) -> dict:
    r = c.get("/api/v1/audit", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_only_entries_of_units_in_scope(as_user, world):
    as_user("info_viewer@360103")  # a sign-in at the sibling county
    as_user("info_viewer@620102")  # and in the other province
    as_user("info_viewer@3601020001")
    body = _entries(as_user(COUNTY), limit=200)
    codes = {i["unit_code"] for i in body["items"]}
    # 东湖区 (360102) and its schools (other tests add schools under it, all 360102xxxx)
    assert codes and all(code.startswith("360102") for code in codes), codes
    assert body["total"] >= len(body["items"])


def test_filters_and_pages(as_user, world):
    as_user("info_reviewer@3601020002")
    c = as_user(COUNTY)
    mine = _entries(c, actor="info_reviewer@3601020002")["items"]
    assert mine and {i["actor"] for i in mine} == {"info_reviewer@3601020002"}
    signins = _entries(c, action="auth.", unit="3601020002")["items"]
    assert signins and all(i["action"].startswith("auth.") and i["unit_code"] == "3601020002" for i in signins)
    assert all(i["action"] == "auth.login" for i in _entries(c, action="auth.login")["items"])
    # (each look adds an audit.read entry: page through the sign-ins, which looking does not add to)
    first, second = _entries(c, action="auth.", limit=2, offset=0), _entries(c, action="auth.", limit=2, offset=2)
    assert len(first["items"]) == 2 and not {i["seq"] for i in first["items"]} & {i["seq"] for i in second["items"]}
    assert first["items"][0]["seq"] > first["items"][1]["seq"]  # newest first
    today = first["items"][0]["at"][:10]
    assert _entries(c, since=today, until=today)["total"] >= 1
    assert _entries(c, since="2000-01-01", until="2000-01-02")["total"] == 0


def test_bad_filters_are_told_apart(as_user):
    c = as_user(COUNTY)
    r = c.get("/api/v1/audit", params={"since": "31.03.2024"})
    assert r.status_code == 422 and r.json()["code"] == "W212" and r.json()["hint"]
    assert c.get("/api/v1/audit", params={"teacher": "x"}).status_code == 422
    assert c.get("/api/v1/audit", params={"since": "2024-05-01", "until": "2024-04-01"}).status_code == 422
    r = c.get("/api/v1/audit", params={"unit": "360103"})  # outside my scope: not found, no leak
    assert r.status_code == 404 and r.json()["code"] == "W301"


def test_reading_the_log_is_itself_audited(as_user, db):
    c = as_user(COUNTY)
    _entries(c, action="account.grant")
    e = db.scalar(select(AuditEntry).where(AuditEntry.action == "audit.read").order_by(AuditEntry.seq.desc()))
    assert e.actor_name == COUNTY and e.detail["filters"] == {"action": "account.grant"}


def test_no_personal_values_are_shown(as_user, ctx, world):
    idn = new_id_number("360102")
    with ctx.sessions() as db:
        school = db.scalar(select(Unit).where(Unit.code == "3601020001"))
        audit.record(db, "record.update", actor_name=idn, target_type="record", target_id=1, unit_id=school.id,
                     detail={"teacher": world.teachers["3601020001"][0], "set": "salary",
                             "before": {"annual_income": 91234, "id_number": idn},
                             "after": {"annual_income": 99876, "id_number": idn}, "note": f"old entry naming {idn}"})
        db.commit()
    body = _entries(as_user(COUNTY), action="record.update", teacher=world.teachers["3601020001"][0])
    item = next(i for i in body["items"] if i["detail"].get("set") == "salary")
    text = str(item)
    assert idn not in text and "91234" not in text and "99876" not in text
    assert item["detail"]["before"] == ["annual_income", "id_number"] and item["actor"].startswith(idn[:4])


def test_who_may_read_the_log(as_user, world):
    assert as_user("info_manager@360102").get("/api/v1/audit").status_code == 403
    assert as_user("info_viewer@36").get("/api/v1/audit").status_code == 403
    teacher = world.teacher_usernames[world.teachers["3601020001"][0]]
    assert as_user(teacher, entry="teacher").get("/api/v1/audit").status_code == 403


def test_the_page_and_its_menu_entry(as_user):
    c = as_user(COUNTY)
    home = c.get("/admin/").text
    assert 'href="/admin/audit"' in home and "安全审计" in home
    page = c.get("/admin/audit", params={"action": "auth."})
    assert page.status_code == 200 and 'id="audit"' in page.text and "auth.login" in page.text
    bad = c.get("/admin/audit", params={"since": "yesterday"})
    assert bad.status_code == 422 and "审计日志查询条件「since」无效" in bad.text
    assert 'href="/admin/audit"' not in as_user("info_manager@360102").get("/admin/").text
    assert as_user("info_manager@360102").get("/admin/audit").status_code == 403
