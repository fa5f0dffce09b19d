"""交流轮岗 (/api/v1/rotations) as cases (issue 15 §4): the sending school starts a rotation, its
authority confirms, the secondment and the 交流轮岗 record come from the case and the secondment
ends by itself (frozen clock); with a change of personnel relation the chain crosses to the
receiving side and completes as a transfer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from web import scope
from web.db.models import Record, Teacher
from web.people import clock
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
