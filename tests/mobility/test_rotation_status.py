"""交流轮岗 (/api/v1/rotations) and 在职变动 (/api/v1/status-changes) as cases (issue 15 §4): the
sending school starts a rotation, its authority confirms, the secondment and the 交流轮岗 record
come from the case and the secondment ends by itself (frozen clock); with a change of personnel
relation the chain crosses to the receiving side and completes as a transfer; status changes
take effect at once or, for 离职 and 退休, when the county confirms."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from web import scope
from web.db.models import Record, Teacher
from web.people import clock, moves
from web.people.models import TeacherAssignment


def test_a_rotation_without_a_change_of_relation(ctx, world, as_user, approved_teacher, who):
    tid = approved_teacher("3601020001")
    school = as_user("info_manager@3601020001")
    start, end = dt.date(2031, 9, 1), dt.date(2032, 7, 31)
    with clock.frozen(dt.date(2031, 8, 20)):
        r = school.post("/api/v1/rotations", json={"teacher_id": tid, "to_unit": "3601030001", "start": "2031-09-01",
                                                   "end": "2031-08-01"})
        assert r.status_code == 422 and r.json()["code"] == "W760"
        r = school.post("/api/v1/rotations", json={"teacher_id": tid, "to_unit": "3601030001", "start": "2031-09-01",
                                                   "end": "2032-07-31", "rotation_type": "6"})
        assert r.status_code == 201, r.text
        case = r.json()
        assert case["kind"] == "rotation" and [s["unit"] for s in case["steps"]] == ["360102"]
        r = as_user("info_reviewer@360102").post(f"/api/v1/rotations/{case['id']}/approve", json={})
        assert r.status_code == 200 and r.json()["state"] == "completed", r.text
    with ctx.sessions() as db:
        row = db.scalar(select(TeacherAssignment).where(TeacherAssignment.source_case_id == case["id"]))
        assert (row.kind, row.valid_from, row.valid_to) == ("secondment", start, end + dt.timedelta(days=1))
        record = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "rotation"))
        assert record.document["rotation_unit"] == "西湖区幼儿园" and record.document["start_month"] == "2031-09"
        assert record.document["transfers_relation"] is False and record.document["rotation_type"] == "6"
        receiving = who(db, "info_manager@3601030001")
        for day, seen in ((start, True), (end, True), (end + dt.timedelta(days=1), False)):
            with clock.frozen(day):
                found = db.scalar(select(Teacher.id).where(Teacher.id == tid, scope.basic_filter(receiving)))
                assert (found is not None) is seen, day
        assert db.get(Teacher, tid).unit.code == "3601020001"


def test_a_rotation_with_a_change_of_relation_completes_as_a_transfer(ctx, world, as_user, approved_teacher):
    tid = approved_teacher("3601020001")
    r = as_user("info_manager@3601020001").post("/api/v1/rotations", json={
        "teacher_id": tid, "to_unit": "3601030001", "relation": True})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["kind"] == "rotation_relation"
    assert [s["unit"] for s in case["steps"]] == ["360102", "3601030001", "360103"]
    for unit in ("360102", "3601030001", "360103"):
        r = as_user(f"info_reviewer@{unit}").post(f"/api/v1/rotations/{case['id']}/approve", json={})
        assert r.status_code == 200, r.text
    assert r.json()["state"] == "completed"
    with ctx.sessions() as db:
        assert db.get(Teacher, tid).unit.code == "3601030001"
        rotation = db.scalars(select(Record).where(Record.teacher_id == tid, Record.set_key == "rotation")).all()
        assert [r.document["transfers_relation"] for r in rotation] == [True]
        assert rotation[0].document["original_unit"] == "东湖区第一小学"


def test_status_changes_and_the_county_confirming_retirement(ctx, world, as_user, approved_teacher):
    school = as_user("info_manager@3601020001")
    today = clock.today().isoformat()
    tid = approved_teacher("3601020001")
    r = school.post("/api/v1/status-changes", json={"teacher_id": tid, "change": "sabbatical", "on": today})
    assert r.status_code == 422 and r.json()["code"] == "W791"
    r = school.post("/api/v1/status-changes", json={"teacher_id": tid, "change": "absent", "on": today})
    assert r.status_code == 422 and r.json()["code"] == "W792" and "长病假" in r.json()["message"]
    # 长期不在岗 (长病假): no confirmation in the national workflow, effective at once
    r = school.post("/api/v1/status-changes", json={"teacher_id": tid, "change": "absent", "code": "202",
                                                    "on": today, "note": "病假一年"})
    assert r.status_code == 201 and r.json()["state"] == "completed", r.text
    with ctx.sessions() as db:
        assert moves.person_status(db, tid) == "202"
    # 退休: waits for the county; meanwhile no other case can start
    other = approved_teacher("3601020001")
    r = school.post("/api/v1/status-changes", json={"teacher_id": other, "change": "retired", "on": today})
    assert r.status_code == 201 and r.json()["state"] == "pending" and r.json()["acting_unit"] == "360102"
    assert r.json()["state_label"] == "待县级教育行政部门确认"
    cid = r.json()["id"]
    with ctx.sessions() as db:
        t = db.get(Teacher, other)
        card = {"id_number": t.id_number, "name": t.name}
    again = as_user("info_manager@3601020002").post("/api/v1/transfers", json={**card, "to_unit": "3601020002"})
    assert again.status_code == 409 and again.json()["code"] == "W780" and "在职变动" in again.json()["message"]
    r = as_user("info_reviewer@360102").post(f"/api/v1/status-changes/{cid}/approve", json={})
    assert r.status_code == 200 and r.json()["state"] == "completed"
    with ctx.sessions() as db:
        assert db.get(Teacher, other).left_on == clock.today()
        assert moves.person_status(db, other) == "301"
