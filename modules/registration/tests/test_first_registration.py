"""A school applies for all its teachers who are due and meet the conditions with one button on
the page; the route decides; a qualification never registered gets its 首次注册 fields, one
registered before its 定期注册 fields. The page's unit filter is hidden where there is one unit.

The dates: under 江西 (first_cycle_start 2023-01-01) a certificate of 2015 never registered has
its first cycle 2023-01-01 … 2027-12-31, due as of 2027-06-30 (the page's as_of)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from modules.registration.tests.test_batch import _qualification
from tests.review.conftest import add_teacher
from tests.web.conftest import post_form
from web.db.models import Record

AS_OF = "2027-06-30"
SCHOOL = "3601020002"


@pytest.fixture(autouse=True)
def on_as_of():
    """These teachers are due on AS_OF, and an application is judged as of today (W717): today is AS_OF."""
    from web.people import clock

    with clock.frozen(dt.date.fromisoformat(AS_OF)):
        yield


@pytest.fixture()
def teacher(ctx, cats):
    """``teacher(qualification, credits)`` -> a teacher of SCHOOL with every 年度考核 合格 and
    ``credits`` in the credit bank."""
    from modules.credits import ledger

    def make(qualification: dict, credits: int, name: str) -> int:
        cat = cats["36"]
        with ctx.sessions() as db:
            tid = add_teacher(db, cat, SCHOOL, complete=False, name=name)
            docs = {"qualification": [qualification],
                    "assessment": [{"year": y, "result": "2"} for y in range(2021, 2027)]}
            for set_key, rows in docs.items():
                for i, doc in enumerate(rows):
                    db.add(Record(teacher_id=tid, set_key=set_key, position=i, document=doc,
                                  catalogue_version=cat.version))
            if credits:
                ledger.post(db, tid, kind="earned", credits=credits, hours=credits * 3, category="face_to_face",
                            effective=dt.date(2024, 5, 1), rule_version="2021", confirmed_by=None)
            db.commit()
        return tid
    return make


def test_all_eligible_due_with_one_button_writes_first_and_periodic_registration(ctx, world, as_user, teacher):
    never = teacher({"kind": "2", "issue_date": "2015-07-01"}, 120, "首注甲")
    again = teacher({"kind": "2", "issue_date": "2012-07-01", "first_registration_date": "2022-09-01",
                     "first_registration_result": "1"}, 130, "定注乙")
    short = teacher({"kind": "2", "issue_date": "2016-07-01"}, 40, "未达丙")
    school = as_user(f"info_manager@{SCHOOL}")
    page = school.get(f"/registration?as_of={AS_OF}")
    assert page.status_code == 200
    ready = page.text[page.text.index('id="ready"'):]
    assert "首注甲" in ready and "定注乙" in ready and "未达丙" not in ready
    assert "未达丙" in page.text[page.text.index('id="warnings"'):page.text.index('id="ready"')]
    assert 'id="unit-filter"' not in page.text            # a school: one unit, no filter
    r = post_form(school, f"/registration?as_of={AS_OF}", "/registration/apply", {"all_eligible": "1", "as_of": AS_OF})
    assert r.status_code == 303, r.text[:800]
    bid = int(re.search(r"/batches/(\d+)", r.headers["location"]).group(1))
    batch = school.get(f"/api/v1/registration/batches/{bid}").json()
    applied = {t["teacher_id"] for t in batch["teachers"]}
    assert {never, again} <= applied and short not in applied
    kinds = {t["teacher_id"]: t["registration"] for t in batch["teachers"]}
    assert (kinds[never], kinds[again]) == ("first", "periodic")
    assert "首次注册" in school.get(f"/registration/batches/{bid}").text
    # nothing left to apply for: the button says so (W680) and stores nothing
    r = post_form(school, f"/registration?as_of={AS_OF}", "/registration/apply", {"all_eligible": "1", "as_of": AS_OF})
    assert r.status_code == 422 and "W680" in r.text
    assert school.post("/api/v1/registration/batches", json={"all_eligible": True, "as_of": AS_OF}).json()["code"] == "W680"
    county, city = as_user("info_reviewer@360102"), as_user("info_reviewer@3601")
    decisions = [{"teacher_id": t, "decision": "qualified"} for t in applied]
    assert county.post(f"/api/v1/registration/batches/{bid}/decisions", json={"decisions": decisions}).status_code == 200
    assert county.post(f"/api/v1/registration/batches/{bid}/forward", json={}).status_code == 200
    r = city.post(f"/api/v1/registration/batches/{bid}/forward", json={})
    assert r.status_code == 200 and r.json()["state"] == "completed", r.text
    today = AS_OF
    first = _qualification(ctx, never)
    assert (first["first_registration_date"], first["first_registration_result"]) == (today, "1")
    assert "periodic_registration_result" not in first
    periodic = _qualification(ctx, again)
    assert (periodic["periodic_registration_date"], periodic["periodic_registration_result"]) == (today, "1")
    assert (periodic["first_registration_date"], periodic["first_registration_result"]) == ("2022-09-01", "1")
    # the teacher's file shows the 首次注册 fields filled (read-only there)
    done = {t["teacher_id"]: t["registration"] for t in school.get(f"/api/v1/registration/batches/{bid}").json()["teachers"]}
    assert (done[never], done[again]) == ("first", "periodic")       # what each was, after the outcome
    shown = school.get(f"/api/v1/teachers/{never}/registration").json()
    # registered before its first cycle ended: the new cycle starts the day after that end
    old_end = {t["teacher_id"]: t["cycle_end"] for t in batch["teachers"]}[never]
    assert shown["cycle_start"] == (dt.date.fromisoformat(old_end) + dt.timedelta(days=1)).isoformat()


def test_a_deferred_first_registration_stays_first(ctx, world, as_user, teacher):
    tid = teacher({"kind": "3", "issue_date": "2014-07-01"}, 10, "暂缓丁")
    school = as_user(f"info_manager@{SCHOOL}")
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [tid], "as_of": AS_OF})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    for who in ("info_reviewer@360102", "info_reviewer@3601"):
        c = as_user(who)
        c.post(f"/api/v1/registration/batches/{bid}/decisions",
               json={"decisions": [{"teacher_id": tid, "decision": "deferred", "reason": "学分不足"}]})
        assert c.post(f"/api/v1/registration/batches/{bid}/forward", json={}).status_code == 200
    doc = _qualification(ctx, tid)
    assert doc["first_registration_result"] == "2" and "periodic_registration_result" not in doc
    # still in its first cycle, still due: the next application is again its first registration
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [tid], "as_of": AS_OF})
    assert r.status_code == 201, r.text


def test_the_unit_filter_lists_a_countys_units(ctx, world, as_user):
    page = as_user("info_viewer@360102").get("/registration").text
    assert 'id="unit-filter"' in page and '<option value="3601020001"' in page
