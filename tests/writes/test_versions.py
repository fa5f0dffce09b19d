"""Issue 14, finding 5: no silent lost updates through the API. Reads return the version (an
ETag); every change of an existing record must name it (``If-Match`` or ``version``): missing →
428 W440, stale → 409 W410 with the current values, nothing saved. A teacher and the school's
manager racing on the same record: exactly one wins, the other is told (SQLite here, PostgreSQL
in the PostgreSQL pass)."""

from __future__ import annotations

from sqlalchemy import select

from tests.web.conftest import run_together
from tests.writes.test_one_write_path import _account, _state
from web.db.models import Record

SCHOOL = "info_manager@3601020001"


def _contact(tid: int) -> str:
    return f"/api/v1/teachers/{tid}/sets/contact/"


def test_reads_give_the_version_as_an_etag(as_user, new_teacher, ctx):
    tid = new_teacher("3601020001")
    school = as_user(SCHOOL)
    r = school.get(_contact(tid))
    assert r.status_code == 200 and r.headers["ETag"] == f'"{r.json()["records"][0]["version"]}"'
    rec = school.get(f"/api/v1/teachers/{tid}/sets/work/").json()["records"][0]
    one = school.get(f"/api/v1/teachers/{tid}/sets/work/records/{rec['id']}")
    assert one.headers["ETag"] == f'"{rec["version"]}"'


def test_a_change_without_a_version_is_428_and_saves_nothing(as_user, new_teacher, ctx):
    tid = new_teacher("3601020001")
    school = as_user(SCHOOL)
    with ctx.sessions() as s:
        work = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "work"))
        wid, wdoc = work.id, dict(work.document)
    before = _state(ctx, tid)
    refused = [
        school.http.put(_contact(tid), json={"values": {"email": "new@example.cn"}}),
        school.post(_contact(tid), json={"values": {"email": "new@example.cn"}}),  # POST replaces a single set
        school.http.put(f"/api/v1/teachers/{tid}/sets/work/records/{wid}", json={"values": wdoc}),
        school.delete(f"/api/v1/teachers/{tid}/sets/work/records/{wid}"),
        school.post(f"/api/v1/review/files/{tid}/records", json={"set": "work", "record_id": wid, "values": wdoc}),
    ]
    for r in refused:
        body = r.json()
        assert (r.status_code, body["code"]) == (428, "W440"), r.text[:300]
        assert "版本号" in body["message"] and "version" in body["message_en"] and "If-Match" in body["hint"]
    assert _state(ctx, tid) == before
    # a new record of a repeating set has no version to name
    added = school.post(f"/api/v1/teachers/{tid}/sets/work/", json={"values": {**wdoc, "start_month": "2001-09"}})
    assert added.status_code in (201, 422), added.text[:300]


def test_a_stale_version_is_409_with_the_current_values(as_user, new_teacher, ctx):
    tid = new_teacher("3601020001")
    school = as_user(SCHOOL)
    etag = school.get(_contact(tid)).headers["ETag"]
    first = school.http.put(_contact(tid), json={"values": {"email": "first@example.cn"}}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    for late in (school.http.put(_contact(tid), json={"values": {"email": "late@example.cn"}},
                                 headers={"If-Match": etag}),
                 school.http.put(_contact(tid), json={"values": {"email": "late@example.cn"},
                                                      "version": int(etag.strip('"'))})):
        body = late.json()
        assert (late.status_code, body["code"]) == (409, "W410"), late.text[:300]
        assert body["current_version"] == first.json()["version"] and body["current"]["email"] == "first@example.cn"
        assert "已被他人修改" in body["message"] and "changed since you read it" in body["message_en"]
    assert school.get(_contact(tid)).json()["records"][0]["values"]["email"] == "first@example.cn"


def test_a_teacher_and_a_manager_racing_exactly_one_wins(as_user, new_teacher, ctx):
    """The issue's race, several times: both read, both write at the same moment with what they
    read. Exactly one 200, the other 409 with the winner's values; the record holds the winner's."""
    tid = new_teacher("3601020001")
    teacher = as_user(_account(ctx, tid), entry="teacher")
    school = as_user(SCHOOL)
    clients = {"teacher": teacher, "school": school}
    for round_ in range(6):
        etag = school.get(_contact(tid)).headers["ETag"]
        results: dict[str, tuple[int, dict]] = {}

        def work(i: int) -> None:
            who = ("teacher", "school")[i]
            r = clients[who].http.put(_contact(tid), json={"values": {"email": f"{who}{round_}@example.cn"}},
                                      headers={"If-Match": etag})
            results[who] = (r.status_code, r.json())

        assert run_together(2, work) == []
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200, 409], results
        winner = next(who for who, (status, _) in results.items() if status == 200)
        loser = next(body for status, body in results.values() if status == 409)
        assert loser["code"] == "W410" and loser["current"]["email"] == f"{winner}{round_}@example.cn"
        stored = school.get(_contact(tid)).json()["records"][0]["values"]["email"]
        assert stored == f"{winner}{round_}@example.cn"
