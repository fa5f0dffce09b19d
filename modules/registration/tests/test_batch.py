"""A school's batch application through the route (school → county 初审 → city 审定) to the
written 教师资格 fields; refusals on the way; the warning list; the scope of every endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from modules.registration import eligibility as EL
from tests.review.conftest import add_teacher
from web.db.models import AuditEntry, Record


def _qualified_records(today: dt.date, *, failing_year: bool = False, barred: bool = False) -> dict[str, list[dict]]:
    start = EL.add_months(today, 3)
    start = start.replace(year=start.year - 5)
    years = range(start.year, today.year)
    # registered 注册合格 five years ago (its cycle runs from then): a certificate of 2009 never
    # registered would start its first cycle on the province's first_cycle_start instead
    return {"qualification": [{"kind": "2", "issue_date": "2009-07-01", "first_registration_date": start.isoformat(),
                               "first_registration_result": "1"}],
            "assessment": [{"year": y, "result": "4" if failing_year and y == start.year + 1 else "2"} for y in years],
            # 降低岗位等级 within the cycle, not lifted: bars registration
            "ethics": [{"punishment": "13", "punishment_date": EL.add_months(start, 12).isoformat()}] if barred else []}


@pytest.fixture()
def due(ctx, cats):
    """``due(school, failing_year=False)`` -> a teacher whose cycle ends in three months."""
    def make(school: str = "3601020001", failing_year: bool = False, name: str = "注册乙", barred: bool = False) -> int:
        cat = cats["36"]
        with ctx.sessions() as db:
            tid = add_teacher(db, cat, school, complete=False, name=name)
            for set_key, docs in _qualified_records(dt.date.today(), failing_year=failing_year, barred=barred).items():
                for i, doc in enumerate(docs):
                    db.add(Record(teacher_id=tid, set_key=set_key, position=i, document=doc,
                                  catalogue_version=cat.version))
            db.commit()
        return tid
    return make


def _qualification(ctx, tid: int) -> dict:
    with ctx.sessions() as db:
        return dict(db.scalar(select(Record.document).where(Record.teacher_id == tid,
                                                            Record.set_key == "qualification")))


def test_a_batch_goes_school_county_city_and_writes_the_registration_fields(ctx, world, as_user, due):
    ok, bad = due(), due(failing_year=True)
    school = as_user("info_manager@3601020001")
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [ok, bad]})
    assert r.status_code == 201, r.text
    batch = r.json()
    assert batch["state_label"] == "待县级教育行政部门初审"
    assert [s["unit"] for s in batch["steps"]] == ["360102", "3601"]
    seen = {t["teacher_id"]: t for t in batch["teachers"]}
    assert any("年度考核 为 不合格" in u["message"] for u in seen[bad]["unmet"])
    bid = batch["id"]
    # the school cannot decide, the county must decide for everyone before forwarding
    assert school.post(f"/api/v1/registration/batches/{bid}/forward", json={}).json()["code"] == "W578"
    county = as_user("info_reviewer@360102")
    r = county.post(f"/api/v1/registration/batches/{bid}/forward", json={})
    assert r.status_code == 422 and r.json()["code"] == "W581"
    r = county.post(f"/api/v1/registration/batches/{bid}/decisions",
                    json={"decisions": [{"teacher_id": bad, "decision": "deferred"}]})
    assert r.status_code == 422 and r.json()["code"] == "W580"
    r = county.post(f"/api/v1/registration/batches/{bid}/decisions",
                    json={"decisions": [{"teacher_id": ok, "decision": "qualified", "reason": "学时证明已补交"},
                                        {"teacher_id": bad, "decision": "deferred", "reason": "年度考核不合格"}]})
    assert r.status_code == 200, r.text
    r = county.post(f"/api/v1/registration/batches/{bid}/forward", json={"version": r.json()["version"]})
    assert r.status_code == 200 and r.json()["state_label"] == "待地市级教育行政部门审定"
    assert county.post(f"/api/v1/registration/batches/{bid}/forward", json={}).json()["code"] == "W578"
    # nothing is written before the last step
    assert "periodic_registration_result" not in _qualification(ctx, ok)
    city = as_user("info_reviewer@3601")
    r = city.post(f"/api/v1/registration/batches/{bid}/decisions",
                  json={"decisions": [{"teacher_id": bad, "decision": "refused", "reason": "连续考核不合格"}]})
    assert r.status_code == 200, r.text
    r = city.post(f"/api/v1/registration/batches/{bid}/forward", json={})
    assert r.status_code == 200 and r.json()["state"] == "completed"
    today = dt.date.today().isoformat()
    assert _qualification(ctx, ok)["periodic_registration_result"] == "1"
    assert _qualification(ctx, ok)["periodic_registration_date"] == today
    assert _qualification(ctx, bad)["periodic_registration_result"] == "3"
    with ctx.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "record.update")
                          .order_by(AuditEntry.seq.desc()).limit(1))
        assert entry.detail["via"] == "registration" and entry.detail["case"] == bid
    # registered early (the old cycle ends in three months): the new cycle starts the day after
    # the old one's end, not today (walk finding: 张丽丽 lost half a year); the teacher is no longer due
    me = as_user("info_manager@3601020001").get(f"/api/v1/teachers/{ok}/registration").json()
    old_end = dt.date.fromisoformat(seen[ok]["cycle_end"])
    assert me["cycle_start"] == (old_end + dt.timedelta(days=1)).isoformat() != today
    new_end = EL.add_years(old_end + dt.timedelta(days=1), 5) - dt.timedelta(days=1)
    assert me["cycle_end"] == new_end.isoformat()
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [ok]})
    assert r.status_code == 422 and r.json()["code"] == "W571"
    # the teacher reads the outcome on its own file
    shown = as_user(world.teacher_usernames[world.teachers["3601020001"][0]])
    assert shown.get(f"/api/v1/registration/batches/{bid}").status_code == 404


def test_refusals_name_the_teacher_and_store_nothing(ctx, world, as_user, due):
    first, other_school = due(), due("3601020002")
    school = as_user("info_manager@3601020001")
    assert school.post("/api/v1/registration/batches", json={"teacher_ids": []}).json()["code"] == "W576"
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [first, other_school]})
    assert r.status_code == 404
    assert as_user("info_reviewer@3601020001").post("/api/v1/registration/batches",
                                                    json={"teacher_ids": [first]}).json()["code"] == "W575"
    assert as_user("info_manager@360102").post("/api/v1/registration/batches",
                                               json={"teacher_ids": [first]}).json()["code"] == "W575"
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [first]})
    assert r.status_code == 201
    again = school.post("/api/v1/registration/batches", json={"teacher_ids": [first]})
    assert again.status_code == 409 and again.json()["code"] == "W573"
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [first], "as_of": "2026-13-01"})
    assert r.status_code == 422 and r.json()["code"] == "W570"
    bid = school.get("/api/v1/registration/batches").json()[0]["id"]
    r = as_user("info_reviewer@360102").post(f"/api/v1/registration/batches/{bid}/decisions",
                                             json={"decisions": [{"teacher_id": first, "decision": "maybe"}]})
    assert r.json()["code"] == "W579"


def test_batches_are_seen_by_the_school_its_route_and_above_only(ctx, world, as_user, due):
    tid = due()
    bid = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [tid]}).json()["id"]
    for who in ("info_viewer@3601020001", "info_viewer@360102", "info_viewer@3601", "info_viewer@36"):
        r = as_user(who).get(f"/api/v1/registration/batches/{bid}")
        assert r.status_code == 200, who
        assert "*" in r.json()["teachers"][0]["id_number"]   # no personal.read: masked
    for who in ("info_manager@3601020002", "info_manager@360103", "info_manager@62", "info_reviewer@620102"):
        c = as_user(who)
        assert c.get(f"/api/v1/registration/batches/{bid}").status_code == 404, who
        assert bid not in [b["id"] for b in c.get("/api/v1/registration/batches").json()], who
        r = c.post(f"/api/v1/registration/batches/{bid}/decisions",
                   json={"decisions": [{"teacher_id": tid, "decision": "qualified", "reason": "学时已核实"}]})
        assert r.status_code == 404, who
    queue = as_user("info_reviewer@360102").get("/api/v1/registration/batches?queue=mine").json()
    assert bid in [b["id"] for b in queue]


def test_the_warning_list_names_who_is_due_and_does_not_meet_the_conditions(ctx, world, as_user, due):
    bad = due(failing_year=True, name="预警丙")
    r = as_user("info_manager@3601020001").get("/api/v1/registration/warnings?unit=3601020001")
    assert r.status_code == 200, r.text
    rows = {t["teacher_id"]: t for t in r.json()["teachers"]}
    assert bad in rows and "*" not in rows[bad]["id_number"]
    viewer = as_user("info_viewer@360102").get("/api/v1/registration/warnings").json()
    masked = {t["teacher_id"]: t for t in viewer["teachers"]}[bad]
    assert "*" in masked["id_number"]
    assert as_user("info_viewer@360103").get("/api/v1/registration/warnings?unit=3601020001").status_code == 404
    assert bad not in [t["teacher_id"] for t in as_user("info_viewer@360103").get("/api/v1/registration/warnings").json()["teachers"]]
    home = as_user("info_manager@3601020001").get("/admin/")
    assert "注册周期将满且未达注册条件的教师" in home.text


def test_registered_is_refused_for_a_barred_teacher_and_needs_a_reason_when_conditions_are_unmet(ctx, world, as_user,
                                                                                                  due):
    """Walk finding: 刘洁 (受到处分：降低岗位等级) was registered 注册合格 with an empty reason.
    A 师德 bar refuses 注册合格 outright (W690); other unmet conditions need the reviewer's reason (W691)."""
    barred, short = due(barred=True, name="师德丁"), due(failing_year=True, name="考核丁")
    r = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [barred, short]})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    county = as_user("info_reviewer@360102")
    url = f"/api/v1/registration/batches/{bid}/decisions"
    for reason in ("", "已核实"):
        r = county.post(url, json={"decisions": [{"teacher_id": barred, "decision": "qualified", "reason": reason}]})
        assert r.status_code == 422 and r.json()["code"] == "W690", r.text
        assert "师德丁" in r.json()["message"] and "降低岗位等级" in r.json()["message"]
    r = county.post(url, json={"decisions": [{"teacher_id": short, "decision": "qualified"}]})
    assert r.status_code == 422 and r.json()["code"] == "W691" and "年度考核" in r.json()["message"]
    r = county.post(url, json={"decisions": [{"teacher_id": short, "decision": "qualified", "reason": "补交考核复核结果"},
                                             {"teacher_id": barred, "decision": "refused", "reason": "师德处分"}]})
    assert r.status_code == 200, r.text
    assert {t["teacher_id"]: t["decision"] for t in r.json()["teachers"]} == {short: "qualified", barred: "refused"}


def test_registered_late_the_new_cycle_starts_on_the_day_of_registration(ctx, world, as_user, cats):
    """The other half of the early-registration rule: a cycle that ended before the registration
    is not carried on; the new cycle starts on the day the registration is written."""
    today = dt.date.today()
    start = EL.add_months(today, -8).replace(year=EL.add_months(today, -8).year - 5)   # ended 8 months ago
    with ctx.sessions() as db:
        tid = add_teacher(db, cats["36"], "3601020001", complete=False, name="迟注丁")
        db.add(Record(teacher_id=tid, set_key="qualification", position=0, catalogue_version=cats["36"].version,
                      document={"kind": "2", "issue_date": "2009-07-01", "first_registration_date": start.isoformat(),
                                "first_registration_result": "1"}))
        db.commit()
    r = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [tid]})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    assert dt.date.fromisoformat(r.json()["teachers"][0]["cycle_end"]) < today
    for who in ("info_reviewer@360102", "info_reviewer@3601"):
        c = as_user(who)
        c.post(f"/api/v1/registration/batches/{bid}/decisions",
               json={"decisions": [{"teacher_id": tid, "decision": "qualified", "reason": "学时已核实"}]})
        assert c.post(f"/api/v1/registration/batches/{bid}/forward", json={}).status_code == 200
    me = as_user("info_manager@3601020001").get(f"/api/v1/teachers/{tid}/registration").json()
    assert me["cycle_start"] == today.isoformat()
