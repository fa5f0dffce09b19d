"""Issue 14, finding 9: ID numbers stay out of URLs (so out of access logs, browser histories and
Referers) and out of the audit log.

Every request line a browser sends during a search is recorded (what an access log writes), the
pages' search forms are used as a person would (type, press 查询, page on), and the audit table
is read after searches, a teacher's creation, a teacher account and teacher sign-ins.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.web.conftest import PASSWORD, Client, csrf_of, four_items
from web.db.models import AuditEntry

SCHOOL = "3601020001"


class Recorder(Client):
    """A client that keeps every request line it sends (redirects included): the access log."""

    def __init__(self, app, username: str, **kw):
        super().__init__(app, username, PASSWORD, **kw)
        self.lines: list[str] = []
        self.http.event_hooks["request"] = [lambda req: self.lines.append(f"{req.method} {req.url}")]


def _search(c: Recorder, page: str, q: str, **extra: str):
    form = c.get(page)
    assert form.status_code == 200, form.text[:300]
    html = form.text
    assert 'id="search-form"' in html and 'method="post"' in html.split('id="search-form"')[0].rsplit("<form", 1)[1]
    return c.post(page.split("?")[0], data={"_csrf_token": csrf_of(html), "q": q, **extra}, follow_redirects=True)


def _seq(ctx) -> int:
    with ctx.sessions() as db:
        return db.scalar(select(func.max(AuditEntry.seq))) or 0


def _audit_text(ctx, after: int) -> str:
    with ctx.sessions() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.seq > after)).all()
    return "\n".join(json.dumps([e.actor_name, e.target_id, e.detail], ensure_ascii=False) for e in rows)


def test_searching_by_id_number_keeps_it_out_of_every_url(app, ctx, world):
    tid = world.teachers[SCHOOL][0]
    idn = world.teacher_usernames[tid]
    start = _seq(ctx)
    manager = Recorder(app, f"info_manager@{SCHOOL}")
    for page in ("/forms/teachers", "/review/school"):
        r = _search(manager, page, idn)
        assert r.status_code == 200 and f'value="{idn}"' in r.text  # found, and the box still shows it
        assert f"/forms/teachers/{tid}" in r.text or f'value="{tid}"' in r.text
        assert "?q=~" in str(r.url)  # the list's address holds a token
    admin = Recorder(app, f"system_admin@{SCHOOL}")
    r = _search(admin, f"/admin/teacher-accounts?unit={SCHOOL}", idn[:10] + idn[10:].lower(), unit=SCHOOL)
    assert r.status_code == 200 and f'id="account-' in r.text
    for c in (manager, admin):
        assert c.lines and not [line for line in c.lines if idn in line or idn[:17] in line], c.lines
    assert idn not in _audit_text(ctx, start)


def test_a_search_token_is_its_accounts_only(app, world):
    tid = world.teachers[SCHOOL][0]
    idn = world.teacher_usernames[tid]
    r = _search(Recorder(app, f"info_manager@{SCHOOL}"), "/forms/teachers", idn)
    token_url = str(r.url)
    other = Client(app, f"info_reviewer@{SCHOOL}", PASSWORD).get(token_url)
    assert other.status_code == 200 and f'value="{idn}"' not in other.text


def test_the_api_takes_id_numbers_in_the_body_only(app, world):
    tid = world.teachers[SCHOOL][0]
    idn = world.teacher_usernames[tid]
    c = Client(app, f"info_manager@{SCHOOL}", PASSWORD)
    refused = c.get("/api/v1/teachers", params={"q": idn})
    assert refused.status_code == 400 and refused.json()["code"] == "W420"
    assert "POST /api/v1/teachers/search" in refused.json()["hint"]
    found = c.post("/api/v1/teachers/search", json={"q": idn})
    assert found.status_code == 200 and [i["id"] for i in found.json()["items"]] == [tid]
    assert c.get("/api/v1/teachers", params={"q": "教师"}).status_code == 200  # names still work as before
    admin = Client(app, f"system_admin@{SCHOOL}", PASSWORD)
    assert admin.get("/api/v1/accounts", params={"q": idn}).json()["code"] == "W420"
    accounts = admin.post("/api/v1/accounts/search", json={"q": idn, "unit": SCHOOL, "kind": "teacher"}).json()
    assert [a["username"] for a in accounts["items"]] == [idn]


def test_the_audit_log_holds_no_whole_id_number_or_birth_date(app, ctx, world):
    """teacher.create keeps the teacher id and the masked number; sign-ins of teachers (whose
    username is the ID number), failed ones included, keep the number masked too."""
    start = _seq(ctx)
    manager = Client(app, f"info_manager@{SCHOOL}", PASSWORD)
    items = four_items(SCHOOL[:6], "审计甲")
    created = manager.post("/api/v1/teachers", json={"unit_code": SCHOOL, **items})
    assert created.status_code in (200, 201), created.text
    admin = Client(app, f"system_admin@{SCHOOL}", PASSWORD)
    account_items = four_items(SCHOOL[:6], "审计乙")
    assert admin.post("/api/v1/teacher-accounts", json={"unit_code": SCHOOL, **account_items}).status_code in (200, 201)
    teacher = world.teacher_usernames[world.teachers[SCHOOL][1]]
    Client(app, teacher, PASSWORD, entry="teacher")
    Client(app).post("/api/v1/auth/login", json={"username": teacher, "password": "wrong-Password-1"})
    text = _audit_text(ctx, start)
    for idn in (items["id_number"], account_items["id_number"], teacher):
        assert idn not in text and idn[:4] + "**********" + idn[-4:] in text
    assert items["birth_date"] not in text and account_items["birth_date"] not in text
    with ctx.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.seq > start, AuditEntry.action == "teacher.create")
                          .order_by(AuditEntry.seq))
    assert entry.target_id == str(created.json()["id"])
    assert entry.detail == {"id_type": "1", "id_number": items["id_number"][:4] + "*" * 10 + items["id_number"][-4:]}


def test_the_audit_viewer_names_a_teacher_masked(app, world):
    """A teacher's entries are found by the ID number typed into the filter form; the address
    holds it masked, as the log does, and the API refuses a whole number (W421)."""
    teacher = world.teacher_usernames[world.teachers[SCHOOL][2]]
    Client(app, teacher, PASSWORD, entry="teacher")
    county = Recorder(app, "system_admin@360102")
    page = county.get("/admin/audit")
    r = county.post("/admin/audit", data={"_csrf_token": csrf_of(page.text), "actor": teacher[:-1] + teacher[-1].lower(),
                                          "action": "auth."}, follow_redirects=True)
    masked = teacher[:4] + "*" * 10 + teacher[-4:]
    assert r.status_code == 200 and "auth.login" in r.text and masked in r.text and teacher not in r.text
    assert not [line for line in county.lines if teacher in line or teacher.lower() in line], county.lines
    refused = county.get("/api/v1/audit", params={"actor": teacher})
    assert refused.status_code == 400 and refused.json()["code"] == "W421" and masked in refused.json()["hint"]
    assert county.get("/api/v1/audit", params={"actor": masked, "action": "auth."}).json()["total"] >= 1
