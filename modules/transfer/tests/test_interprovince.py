"""外省调入 / 外省调出 on one database (SQLite by default): what each province does with the rows
replication brings (tests/tier/test_transfer.py runs the same over three PostgreSQL clusters).
Here the database is 江西 (36), publishing; the rows another province would have sent are written
directly, as the subscription would."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from engine import idnumber
from modules.transfer import interprovince as XP
from modules.transfer.models import XferDecision, XferInbox, XferRequest
from tests.web.conftest import post_form
from web.db.base import utcnow
from web.db.models import Record, Teacher
from web.tier.models import TierConfig, TierFile, TierMovement, TierUnit

SCHOOL = "3601030001"
ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]


@pytest.fixture()
def published(ctx):
    """This database publishes as 江西 for the test (tier_config), and forgets it after."""
    with ctx.sessions() as db:
        made = db.scalar(select(TierConfig)) is None
        if made:
            db.add(TierConfig(tier="province", province="36", published_at=utcnow()))
        db.commit()
    yield
    with ctx.sessions() as db:
        for table in (XferInbox, XferDecision, XferRequest):
            db.execute(delete(table))
        if made:
            for table in (TierConfig, TierFile, TierMovement, TierUnit):
                db.execute(delete(table))
        db.commit()


def _receive(ctx) -> dict[str, int]:
    return XP.receive_all(ctx)


def _card(ctx, tid):
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        return t.id_number, t.name


def test_a_school_asks_another_province_and_the_answer_arrives(ctx, world, as_user, approved_teacher, published):
    manager = as_user(f"info_manager@{SCHOOL}")
    number = idnumber.make("620102", dt.date(1990, 5, 17), 401)
    ask = {"id_number": number, "name": "陇上行", "to_unit": SCHOOL, "from_province": "62"}
    # refusals, each with its code
    assert manager.post("/api/v1/transfers", json={**ask, "from_province": "6x"}).json()["code"] == "W860"
    assert manager.post("/api/v1/transfers", json={**ask, "name": " "}).json()["code"] == "W864"
    here_number, here_name = _card(ctx, approved_teacher("3601020001"))
    on_file = manager.post("/api/v1/transfers", json={**ask, "id_number": here_number, "name": here_name})
    assert on_file.status_code == 409 and on_file.json()["code"] == "W862" and "东湖区第一小学" in on_file.json()["message"]
    r = manager.post("/api/v1/transfers", json=ask)
    assert r.status_code == 201 and r.json()["state"] == "pending", r.text
    rid = r.json()["request"]
    again = manager.post("/api/v1/transfers", json=ask)
    assert again.status_code == 409 and again.json()["code"] == "W863"
    page = manager.get("/cases/transfers").text
    assert f'id="xfer-{rid}" data-state="pending"' in page and "待调出省份审核" in page and number not in page
    row = page.split(f'id="xfer-{rid}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>甘肃省</td>" in row
    # the form offers the other provinces by name (GB/T 2260), not this one
    assert '<option value="62" >62 甘肃省</option>' in page and '<option value="36"' not in page
    with ctx.sessions() as db:
        row = db.get(XferRequest, ("36", rid))
        assert (row.target_province, row.to_unit_code, row.name) == ("62", SCHOOL, "陇上行")

    # 甘肃 approves: its decision carries the approved file (here: a 江西 file's records as 甘肃 would send them)
    model = approved_teacher("3601020002")
    with ctx.sessions() as db:
        file = XP._file(db, db.get(Teacher, model))
        file.update(id_number=number, name="陇上行", gender="1", birth_date="1990-05-17", teacher_number="62-000123")
        for doc in file["records"]["basic"]:
            doc.update(id_number=number, name="陇上行", gender="1", birth_date="1990-05-17", person_status="307")
        db.add(XferDecision(province="62", request_province="36", request_id=rid, decision="approved",
                            teacher_key=77, file=file, decided_by="甘肃", decided_at=utcnow()))
        db.commit()
    assert _receive(ctx)["decisions"] == 1
    assert _receive(ctx)["decisions"] == 0  # once only
    with ctx.sessions() as db:
        t = db.scalar(select(Teacher).where(Teacher.id_number == number))
        assert t.unit.code == SCHOOL and t.state == "approved" and t.name == "陇上行"
        assert t.teacher_number and t.teacher_number != "62-000123"  # numbered under 江西's scheme
        basic = db.scalar(select(Record).where(Record.teacher_id == t.id, Record.set_key == "basic"))
        assert basic.state == "approved" and basic.document["person_status"] == "100"
        n = len(db.scalars(select(Record.id).where(Record.teacher_id == t.id, Record.state == "approved")).all())
        assert n == sum(len(v) for v in file["records"].values())
        tid = t.id
    assert manager.get(f"/api/v1/teachers/{tid}").status_code == 200
    assert f'id="xfer-{rid}" data-state="completed"' in manager.get("/cases/transfers").text

    # a request not answered yet can be withdrawn, once, by its own school
    r = manager.post("/api/v1/transfers", json={**ask, "id_number": idnumber.make("620102", dt.date(1992, 2, 3), 404),
                                                "name": "陇中人"})
    rid3 = r.json()["request"]
    other = post_form(as_user("info_manager@3601020001"), "/cases/transfers", "/cases/transfers",
                      {"withdraw_request": str(rid3)})
    assert other.status_code == 404 and "本校没有申请号为" in other.text
    done = post_form(manager, "/cases/transfers", "/cases/transfers", {"withdraw_request": str(rid3)})
    assert done.status_code == 303
    assert f'id="xfer-{rid3}" data-state="withdrawn"' in manager.get("/cases/transfers").text
    twice = post_form(manager, "/cases/transfers", "/cases/transfers", {"withdraw_request": str(rid3)})
    assert twice.status_code == 409 and "已有答复或已撤回" in twice.text
    answered = post_form(manager, "/cases/transfers", "/cases/transfers", {"withdraw_request": str(rid)})
    assert answered.status_code == 409

    # a refusal shows with its reason
    r = manager.post("/api/v1/transfers", json={**ask, "id_number": idnumber.make("620102", dt.date(1991, 1, 2), 402),
                                                "name": "河西人"})
    rid2 = r.json()["request"]
    with ctx.sessions() as db:
        db.add(XferDecision(province="62", request_province="36", request_id=rid2, decision="refused",
                            reason="调出省份「城关区」不同意：服务期未满", decided_at=utcnow()))
        db.commit()
    _receive(ctx)
    page = manager.get("/cases/transfers").text
    row = page.split(f'id="xfer-{rid2}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="refused"' in row and "服务期未满" in row


def test_a_request_from_another_province_goes_through_this_provinces_chain(ctx, world, as_user, approved_teacher,
                                                                          published):
    tid = approved_teacher("3601020001")
    number, name = _card(ctx, tid)
    with ctx.sessions() as db:
        db.add(XferRequest(province="62", request_id=9001, target_province="36", id_type="1", id_number=number,
                           name=name, to_unit_code="6201020001", to_unit_name="城关区第一小学", created_at=utcnow()))
        db.add(XferRequest(province="62", request_id=9002, target_province="36", id_type="1", id_number=number,
                           name="别人", to_unit_code="6201020001", to_unit_name="城关区第一小学", created_at=utcnow()))
        db.add(XferRequest(province="62", request_id=9003, target_province="35", id_type="1", id_number=number,
                           name=name, to_unit_code="6201020001", to_unit_name="城关区第一小学", created_at=utcnow()))
        db.commit()
    # what cron runs (the same as a page visit): python -m modules.transfer.receive
    import os
    import subprocess
    import sys

    env = {**os.environ, "TMIS_DATABASE_URL": ctx.settings.database_url, "TMIS_PROVINCE": "36"}
    run = subprocess.run([sys.executable, "-m", "modules.transfer.receive"], env=env, capture_output=True, text=True,
                         cwd=str(ROOT), timeout=120)
    assert run.returncode == 0 and "requests acted on: 2" in run.stdout, run.stdout + run.stderr  # 9003: another province
    assert _receive(ctx)["requests"] == 0
    with ctx.sessions() as db:
        refused = db.get(XferDecision, ("36", "62", 9002))
        assert refused.decision == "refused" and "没有身份证件号和姓名都相符" in refused.reason
        case_id = db.scalar(select(XferInbox.case_id).where(XferInbox.request_id == 9001))
    school = as_user("info_manager@3601020001")
    listing = school.get("/cases/transfers-out").text
    assert f"/cases/transfers-out/{case_id}" in listing and 'id="start-case"' not in listing
    for who in ("info_manager@3601020001", "info_reviewer@360102", "info_reviewer@3601"):
        r = post_form(as_user(who), f"/cases/transfers-out/{case_id}", f"/cases/transfers-out/{case_id}/approve", {})
        assert r.status_code == 303, r.text[:1500]
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        assert t.left_on is not None
        dec = db.get(XferDecision, ("36", "62", 9001))
        assert dec.decision == "approved" and dec.teacher_key == tid and dec.file["name"] == name
        assert dec.file["records"]["basic"][0]["person_status"] != "307"  # the file as it was before leaving

    # a refusal in the chain goes back with the unit and the reason
    other = approved_teacher("3601020001")
    number, name = _card(ctx, other)
    with ctx.sessions() as db:
        db.add(XferRequest(province="62", request_id=9004, target_province="36", id_type="1", id_number=number,
                           name=name, to_unit_code="6201020001", to_unit_name="城关区第一小学", created_at=utcnow()))
        db.commit()
    _receive(ctx)
    with ctx.sessions() as db:
        case_id = db.scalar(select(XferInbox.case_id).where(XferInbox.request_id == 9004))
    post_form(as_user("info_manager@3601020001"), f"/cases/transfers-out/{case_id}",
              f"/cases/transfers-out/{case_id}/approve", {})
    r = post_form(as_user("info_reviewer@360102"), f"/cases/transfers-out/{case_id}",
                  f"/cases/transfers-out/{case_id}/reject", {"reason": "服务期未满"})
    assert r.status_code == 303
    with ctx.sessions() as db:
        dec = db.get(XferDecision, ("36", "62", 9004))
        assert dec.decision == "refused" and "服务期未满" in dec.reason and "东湖区" in dec.reason
    # a withdrawal from the receiving province closes an open case; one after the decision changes nothing
    third = approved_teacher("3601020001")
    number, name = _card(ctx, third)
    from modules.transfer.models import XferWithdrawal

    with ctx.sessions() as db:
        db.add(XferRequest(province="62", request_id=9005, target_province="36", id_type="1", id_number=number,
                           name=name, to_unit_code="6201020001", to_unit_name="城关区第一小学", created_at=utcnow()))
        db.commit()
    _receive(ctx)
    with ctx.sessions() as db:
        for rid in (9005, 9004):
            db.add(XferWithdrawal(province="62", request_id=rid, target_province="36", reason="不调了",
                                  withdrawn_at=utcnow()))
        db.commit()
    assert _receive(ctx)["withdrawals"] == 2
    with ctx.sessions() as db:
        from web.cases.models import MobilityCase

        case_id = db.scalar(select(XferInbox.case_id).where(XferInbox.kind == "request", XferInbox.request_id == 9005))
        assert db.get(MobilityCase, case_id).state == "withdrawn"
        assert db.scalar(select(XferInbox.outcome).where(XferInbox.kind == "withdrawal",
                                                         XferInbox.request_id == 9004)) == "too_late"
        dec = db.get(XferDecision, ("36", "62", 9004))
        assert dec.decision == "refused" and "服务期未满" in dec.reason and "东湖区" in dec.reason
        assert db.get(Teacher, other).left_on is None


def test_not_connected_province_refuses_with_what_to_do(ctx, world, as_user):
    with ctx.sessions() as db:
        if db.scalar(select(TierConfig)) is not None:
            pytest.skip("this test database publishes")
    r = as_user(f"info_manager@{SCHOOL}").post("/api/v1/transfers", json={
        "id_number": idnumber.make("620102", dt.date(1990, 5, 17), 403), "name": "陇上行", "to_unit": SCHOOL,
        "from_province": "62"})
    assert r.status_code == 409 and r.json()["code"] == "W861" and "tmis tier publish" in r.json()["hint"]
