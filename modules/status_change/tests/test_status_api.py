"""在职变动 (/api/v1/status-changes) as cases (issue 15 §4): status changes take effect at once
or, for 离职 and 退休, when the county confirms."""

from __future__ import annotations

from web.db.models import Teacher
from web.people import clock, moves


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
