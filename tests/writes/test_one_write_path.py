"""Issue 14, finding 2: every write of a record goes through one service function
(``web.services.records.write``), so every entry point refuses every forbidden write the same
way — the same catalogue code and message, a 4xx, nothing stored.

The table below is the whole test: entry points (the form page, the forms API, the review API)
× checks (identity items a teacher may not change, one person one number, who fills what, the
review state). A new entry point or check is one more row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest
from sqlalchemy import select

from tests.web.conftest import PASSWORD, csrf_of
from web.db.models import Account, Grant, Record, Teacher

REVIEW = "/api/v1/review"


# ------------------------------------------------------------------ entry points

def form_page(client, tid: int, set_key: str, rid: int, values: dict[str, Any], version: int | None):
    url = f"/forms/teachers/{tid}/sets/{set_key}" + (f"/records/{rid}" if set_key == "post" else "")
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    data = {"_csrf_token": csrf_of(page.text), "_fields": ",".join(values), **values}
    if version is not None:
        data["_version"] = str(version)
    return client.post(url, data=data, follow_redirects=False)


def forms_api(client, tid: int, set_key: str, rid: int, values: dict[str, Any], version: int | None):
    url = f"/api/v1/teachers/{tid}/sets/{set_key}/" + (f"records/{rid}" if set_key == "post" else "")
    return client.http.put(url, json={"values": values, **({"version": version} if version is not None else {})})


def review_api(client, tid: int, set_key: str, rid: int, values: dict[str, Any], version: int | None):
    """The review API takes the whole record (what the client read, with its change)."""
    with _sessions[0]() as s:
        stored = dict(s.get(Record, rid).document)
    return client.post(f"{REVIEW}/files/{tid}/records",
                       json={"set": set_key, "record_id": rid, "values": {**stored, **values}, "version": version})


_sessions: list[Any] = []


ENTRY_POINTS = {"form page": form_page, "forms API": forms_api, "review API": review_api}


# ------------------------------------------------------------------ checks

@dataclass
class Case:
    check: str
    who: str                  # "teacher" (the file's own account) or a staff username
    set_key: str
    change: Callable[[Any, int, int], dict[str, Any]]  # (session, teacher id, other teacher id) → values
    status: int
    code: str
    says: str                 # what the refusal says (Chinese), the same from every entry point
    prepare: str = ""         # "submit": the file is under review


CHECKS = [
    Case("identity", "teacher", "basic", lambda s, tid, other: {"name": "李四"}, 422, "W411",
         "由学校信息管理员修改，教师本人不能修改"),
    Case("one number", "info_manager@3601020001", "basic",
         lambda s, tid, other: {"id_number": s.get(Teacher, other).id_number}, 422, "W401", "一人一号"),
    Case("filled by", "teacher", "post", lambda s, tid, other: {"post_type": "1"}, 403, "W615",
         "由学校填写，教师本人只能查看"),
    Case("state", "info_manager@3601020001", "contact", lambda s, tid, other: {"email": "x@example.cn"}, 409,
         "W601", "正在", prepare="submit"),
]


def _account(ctx, tid: int) -> str:
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        acc = Account(username=t.id_number, real_name=t.name, unit_id=t.unit_id, kind="teacher", teacher_id=tid,
                      password_hash=ctx.hasher.hash(PASSWORD), must_change_password=False, failed_attempts=0,
                      enabled=True)
        s.add(acc)
        s.flush()
        s.add(Grant(account_id=acc.id, unit_id=t.unit_id, role_key="teacher"))
        s.commit()
        return t.id_number


def _state(ctx, tid: int) -> tuple[Any, ...]:
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        rows = s.scalars(select(Record).where(Record.teacher_id == tid).order_by(Record.id)).all()
        return (t.name, t.id_number, t.gender, t.birth_date, [(r.id, r.version, r.document) for r in rows])


def _codes(body: str) -> str:
    return body


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize("case", CHECKS, ids=[c.check for c in CHECKS])
def test_every_entry_point_refuses_every_forbidden_write_the_same_way(entry, case, as_user, new_teacher, ctx):
    _sessions[:] = [ctx.sessions]
    tid, other = new_teacher("3601020001"), new_teacher("3601020001")
    username = _account(ctx, tid) if case.who == "teacher" else case.who
    client = as_user(username, entry="teacher" if case.who == "teacher" else None)
    if case.prepare == "submit":
        assert as_user("info_manager@3601020001").post(f"{REVIEW}/files/{tid}/submit", json={}).status_code == 200
    with ctx.sessions() as s:
        row = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == case.set_key)
                       .order_by(Record.id).limit(1))
        rid, version = row.id, row.version
        values = case.change(s, tid, other)
    before = _state(ctx, tid)
    r = ENTRY_POINTS[entry](client, tid, case.set_key, rid, values, version)
    assert r.status_code == case.status, (r.status_code, r.text[:400])
    assert case.says in r.text, r.text[:600]
    if entry != "form page":  # the APIs name the catalogue code (the page shows the message)
        assert case.code in r.text, r.text[:600]
    assert _state(ctx, tid) == before  # nothing stored
    # and the file still saves afterwards (no 500 from a number stored behind the identity's back)
    school = as_user("info_manager@3601020001")
    read = school.get(f"/api/v1/teachers/{tid}/sets/contact/")
    ok = school.http.put(f"/api/v1/teachers/{tid}/sets/contact/", json={"values": {}},
                         headers={"If-Match": read.headers["ETag"]})
    assert ok.status_code in (200, 409, 422), ok.text[:300]


def test_the_issue_reproduction_is_a_refusal_and_stores_nothing(as_user, new_teacher, ctx):
    """Issue 14's steps: the teacher renames itself through the review endpoint, the school
    stores another teacher's ID number there; then a save of the file. Before: 200, 200, 500."""
    tid, other = new_teacher("3601020001"), new_teacher("3601020001")
    me = as_user(_account(ctx, tid), entry="teacher")
    school = as_user("info_manager@3601020001")
    with ctx.sessions() as s:
        basic = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
        values, bid, version = dict(basic.document), basic.id, basic.version
        other_number = s.get(Teacher, other).id_number
    before = _state(ctx, tid)
    r = me.post(f"{REVIEW}/files/{tid}/records", json={"set": "basic", "record_id": bid, "version": version,
                                                       "values": {**values, "name": "李四", "gender": "2"}})
    assert r.status_code == 422 and {v["code"] for v in r.json()["violations"]} == {"W411"}
    r = school.post(f"{REVIEW}/files/{tid}/records", json={"set": "basic", "record_id": bid, "version": version,
                                                           "values": {**values, "id_number": other_number}})
    assert r.status_code == 422 and [v["code"] for v in r.json()["violations"]] == ["W401"]
    assert "一人一号" in r.json()["message"] and "one person, one number" in r.json()["message_en"]
    assert _state(ctx, tid) == before
    with ctx.sessions() as s:
        version = s.get(Record, bid).version
    r = school.http.put(f"/api/v1/teachers/{tid}/sets/basic/", json={"values": {"name": "王五"}, "version": version})
    assert r.status_code == 200, r.text[:300]
    with ctx.sessions() as s:
        assert s.get(Teacher, tid).name == "王五"  # the school corrects the name: the person follows


def test_a_copy_cannot_take_another_teachers_number(as_user, new_teacher, ctx):
    """Change requests (复本) go through the same path: the copy page and the review API refuse a
    copy of 基本信息 holding another file's ID number (it would fail only at final approval)."""
    from tests.review.test_review_api import _approve_all

    tid, other = new_teacher("3601020001"), new_teacher("3601020001")
    school = as_user("info_manager@3601020001")
    case = school.post(f"{REVIEW}/files/{tid}/submit", json={}).json()
    _approve_all(as_user, case, ["3601020001", "360102", "3601", "36"])
    with ctx.sessions() as s:
        basic = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic",
                                              Record.copy_of_id.is_(None)))
        bid, values = basic.id, dict(basic.document)
        other_number = s.get(Teacher, other).id_number
    r = school.post(f"{REVIEW}/files/{tid}/changes", json={"record_ids": [bid]})
    assert r.status_code == 200, r.text[:400]
    with ctx.sessions() as s:
        copy = s.scalar(select(Record).where(Record.copy_of_id == bid))
        cid, cversion = copy.id, copy.version
    r = school.post(f"{REVIEW}/files/{tid}/records", json={"set": "basic", "record_id": cid, "version": cversion,
                                                           "values": {**values, "id_number": other_number}})
    assert r.status_code == 422 and [v["code"] for v in r.json()["violations"]] == ["W401"]
    page = school.get(f"/review/copies/{cid}")
    r = school.post(f"/review/copies/{cid}", data={"_csrf_token": csrf_of(page.text), "id_number": other_number,
                                                   "version": str(cversion)})
    assert r.status_code == 422 and "一人一号" in r.text
    with ctx.sessions() as s:
        assert s.get(Record, cid).document["id_number"] == values["id_number"]
