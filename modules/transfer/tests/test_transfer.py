"""教师调动 through /api/v1/transfers (issue 15 §3): the receiving school starts, each actor of the
chain (resolved from the unit tree, 江西's re-review included) approves in turn, and completion
moves the file; what the receiving school sees before completion, refusals, return/withdraw."""

from __future__ import annotations

from sqlalchemy import select

from web.cases.models import CaseTransition
from web.db.models import Teacher


def _card(ctx, tid):
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        return t.id_number, t.name


def _start(as_user, ctx, tid, school, manager=None):
    id_number, name = _card(ctx, tid)
    client = as_user(manager or f"info_manager@{school}")
    return client, client.post("/api/v1/transfers", json={"id_number": id_number, "name": name, "to_unit": school})


def test_a_transfer_across_counties_from_start_to_completion(ctx, world, as_user, approved_teacher):
    tid = approved_teacher("3601020001")
    id_number, name = _card(ctx, tid)
    receiving, r = _start(as_user, ctx, tid, "3601030001")
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "pending" and case["acting_unit"] == "360103"
    # receiving county → (江西) its city and the province re-review → sending school → sending county
    assert [s["unit"] for s in case["steps"]] == ["360103", "3601", "36", "3601020001", "360102"]
    assert case["state_label"] == "待调入单位主管部门审核"
    # the receiving school sees the name, the masked ID number and the current school, nothing of the file
    assert case["teacher"] == {"name": name, "id_number": id_number[:4] + "*" * 10 + id_number[-4:],
                               "masked": True, "unit": {"code": "3601020001", "name": "东湖区第一小学"}}
    assert receiving.get(f"/api/v1/teachers/{tid}").status_code == 404

    cid = case["id"]
    # every look at a case (a person of another unit) is audited, without personal data in the log
    assert receiving.get(f"/api/v1/transfers/{cid}").status_code == 200
    with ctx.sessions() as db:
        from web.db.models import AuditEntry

        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "case.read")
                           .order_by(AuditEntry.seq.desc())).first()
        assert entry.target_id == str(cid) and entry.detail["teachers"] == [tid]
        assert id_number not in str(entry.detail) and name not in str(entry.detail)
        assert db.scalar(select(AuditEntry.seq).where(AuditEntry.action == "case.start",
                                                      AuditEntry.target_id == str(cid))) is not None
    assert cid in [c["id"] for c in as_user("info_reviewer@360103").get("/api/v1/transfers?queue=mine").json()]
    assert cid not in [c["id"] for c in as_user("info_reviewer@360102").get("/api/v1/transfers?queue=mine").json()]
    wrong = as_user("info_reviewer@360102").post(f"/api/v1/transfers/{cid}/approve", json={})
    assert wrong.status_code == 403 and wrong.json()["code"] == "W777"
    assert "西湖区" in wrong.json()["message"]

    for unit in ["360103", "3601", "36", "3601020001"]:
        r = as_user(f"info_reviewer@{unit}").post(f"/api/v1/transfers/{cid}/approve", json={})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "pending"
    assert r.json()["acting_unit"] == "360102"
    assert receiving.get(f"/api/v1/teachers/{tid}").status_code == 404
    r = as_user("info_reviewer@360102").post(f"/api/v1/transfers/{cid}/approve", json={})
    assert r.status_code == 200 and r.json()["state"] == "completed" and r.json()["state_label"] == "已完成"

    # the file moved: the new school reads it, the old one nothing
    assert receiving.get(f"/api/v1/teachers/{tid}").status_code == 200
    assert as_user("info_manager@3601020001").get(f"/api/v1/teachers/{tid}").status_code == 404
    with ctx.sessions() as db:
        assert db.get(Teacher, tid).unit.code == "3601030001"
        log = db.scalars(select(CaseTransition).where(CaseTransition.case_id == cid)
                         .order_by(CaseTransition.id)).all()
    assert [t.action for t in log] == ["start"] + ["approve"] * 5 + ["complete"]
    assert [t.unit_name for t in log[1:6]] == ["西湖区", "南昌市", "江西省", "东湖区第一小学", "东湖区"]
    timeline = receiving.get(f"/api/v1/transfers/{cid}").json()["transitions"]
    assert timeline[1]["step"] == "调入单位主管部门审核" and timeline[-1]["state"] == "completed"


def test_within_a_county_and_across_cities_the_right_actors_act(ctx, world, as_user, approved_teacher):
    _, r = _start(as_user, ctx, approved_teacher("3601020001"), "3601020002")
    assert [s["unit"] for s in r.json()["steps"]] == ["360102", "3601", "36", "3601020001"]
    _, r = _start(as_user, ctx, approved_teacher("3601020001"), "3602020001")
    assert [s["unit"] for s in r.json()["steps"]] == ["360202", "3602", "36", "3601020001", "360102"]


def test_return_needs_a_reason_then_resubmit_or_withdraw(ctx, world, as_user, approved_teacher):
    tid = approved_teacher("3601020001")
    receiving, r = _start(as_user, ctx, tid, "3601020002")
    cid = r.json()["id"]
    county = as_user("info_reviewer@360102")
    r = county.post(f"/api/v1/transfers/{cid}/return", json={})
    assert r.status_code == 422 and r.json()["code"] == "W779"
    r = county.post(f"/api/v1/transfers/{cid}/return", json={"reason": "请补充调动审批表"})
    assert r.status_code == 200 and r.json()["state"] == "returned" and r.json()["state_label"] == "已退回"
    assert cid in [c["id"] for c in receiving.get("/api/v1/transfers?queue=mine").json()]
    assert "resubmit" in receiving.get(f"/api/v1/transfers/{cid}").json()["may"]
    # one open case per teacher: a second transfer is refused while this one is open
    _, again = _start(as_user, ctx, tid, "3601030001")
    assert again.status_code == 409 and again.json()["code"] == "W780"
    r = receiving.post(f"/api/v1/transfers/{cid}/resubmit", json={})
    assert r.status_code == 200 and r.json()["state"] == "pending" and r.json()["acting_unit"] == "360102"
    stranger = as_user("info_manager@3601030001").post(f"/api/v1/transfers/{cid}/withdraw", json={})
    assert stranger.status_code in (403, 404)
    r = receiving.post(f"/api/v1/transfers/{cid}/withdraw", json={})
    assert r.status_code == 200 and r.json()["state"] == "withdrawn" and r.json()["state_label"] == "已撤回"
    late = county.post(f"/api/v1/transfers/{cid}/approve", json={})
    assert late.status_code == 409
    _, fresh = _start(as_user, ctx, tid, "3601030001")
    assert fresh.status_code == 201


def test_refusals_name_why(ctx, world, as_user, approved_teacher, new_teacher, cats, who):
    from web.review import service as review

    # a file under review cannot move
    tid = new_teacher("3601020001")
    with ctx.sessions() as db:
        review.submit(db, cats["36"], who(db, "info_manager@3601020001"), tid)
        db.commit()
    _, r = _start(as_user, ctx, tid, "3601020002")
    assert r.status_code == 409 and r.json()["code"] == "W750" and "审核" in r.json()["message"]
    # another province
    _, r = _start(as_user, ctx, new_teacher("6201020001"), "3601020002")
    assert r.status_code == 422 and r.json()["code"] == "W784" and "甘肃省" in r.json()["message"]
    # ID number and name must both match
    client = as_user("info_manager@3601020002")
    id_number, _ = _card(ctx, approved_teacher("3601020001"))
    r = client.post("/api/v1/transfers", json={"id_number": id_number, "name": "别人", "to_unit": "3601020002"})
    assert r.status_code == 404 and r.json()["code"] == "W783"
    # only for one's own school, and only by its 信息管理员
    r = client.post("/api/v1/transfers", json={"id_number": id_number, "name": _card(ctx, approved_teacher())[1],
                                               "to_unit": "3601030001"})
    assert r.status_code == 403 and r.json()["code"] == "W790"
    _, r = _start(as_user, ctx, approved_teacher(), "3601020002", manager="info_reviewer@3601020002")
    assert r.status_code == 403 and r.json()["code"] == "W782"
