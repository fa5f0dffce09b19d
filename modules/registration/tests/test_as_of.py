""""As of" a day in re-registration (walk findings 4 and 12): the cycle current on that day (a
registration made later is not counted yet: as of 2024 a teacher registered this year is in her
old cycle), on the teacher's registration and on the credit bank's balances alike; and an
application is judged as of today, whatever as_of it is sent with (W717)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.review.conftest import add_teacher
from web.db.models import Record

SCHOOL = "3601020002"


@pytest.fixture()
def registered(ctx, cats):
    """A teacher of SCHOOL issued 2012-07-01, periodically registered (注册合格) 30 days ago."""
    day = dt.date.today() - dt.timedelta(days=30)
    cat = cats["36"]
    with ctx.sessions() as db:
        tid = add_teacher(db, cat, SCHOOL, complete=False, name="周期乙")
        db.add(Record(teacher_id=tid, set_key="qualification", position=0, catalogue_version=cat.version,
                      document={"kind": "2", "issue_date": "2012-07-01", "first_registration_date": "2018-01-10",
                                "first_registration_result": "1", "periodic_registration_date": day.isoformat(),
                                "periodic_registration_result": "1"}))
        db.commit()
    return tid, day


def test_as_of_a_day_before_a_registration_reads_the_cycle_current_then(as_user, registered):
    tid, day = registered
    school = as_user(f"info_manager@{SCHOOL}")
    now = school.get(f"/api/v1/teachers/{tid}/registration").json()
    assert now["cycle_start"] == day.isoformat(), now
    before = day - dt.timedelta(days=1)
    then = school.get(f"/api/v1/teachers/{tid}/registration?as_of={before.isoformat()}").json()
    assert then["cycle_start"] == "2018-01-10" and then["cycle_end"] == "2023-01-09", then
    # the credit bank's 本周期 is the same cycle, as of the same day
    rows = {r["id"]: r for r in school.get(f"/api/v1/training/balances?as_of={before.isoformat()}&unit={SCHOOL}&limit=200")
            .json()["items"]}
    assert (rows[tid]["cycle_start"], rows[tid]["cycle_end"]) == ("2018-01-10", "2023-01-09")
    rows = {r["id"]: r for r in school.get(f"/api/v1/training/balances?unit={SCHOOL}&limit=200").json()["items"]}
    assert rows[tid]["cycle_start"] == day.isoformat()
    # before the certificate was issued there was nothing to register
    assert school.get(f"/api/v1/teachers/{tid}/registration?as_of=2011-01-01").json()["cycle_start"] is None


def test_an_application_is_judged_as_of_today(as_user, registered):
    tid, _ = registered
    school = as_user(f"info_manager@{SCHOOL}")
    for as_of in ("2099-01-01", "2027-06-01", (dt.date.today() - dt.timedelta(days=1)).isoformat()):
        for body in ({"teacher_ids": [tid], "as_of": as_of}, {"all_eligible": True, "as_of": as_of}):
            r = school.post("/api/v1/registration/batches", json=body)
            assert (r.status_code, r.json()["code"]) == (422, "W717"), r.text
            assert "今天" in r.json()["message"] and as_of in r.json()["message"]
    # today (or none) is judged: this teacher was just registered, so she is not due
    r = school.post("/api/v1/registration/batches", json={"teacher_ids": [tid], "as_of": dt.date.today().isoformat()})
    assert (r.status_code, r.json()["code"]) == (422, "W571")
    # the page looking at another day lists, offers no application, and says why
    page = school.get("/registration?as_of=2027-06-01")
    assert page.status_code == 200 and 'id="apply-today"' in page.text and 'id="ready"' not in page.text
    assert 'id="apply-today"' not in school.get("/registration").text


def test_as_of_between_two_registrations_reads_the_earlier_one_from_the_applications():
    """The 教师资格 record keeps the last registration only; the applications keep each outcome day."""
    from modules.registration import eligibility as EL

    doc = {"kind": "2", "issue_date": "2010-07-01", "periodic_registration_date": "2026-06-01",
           "periodic_registration_result": "1"}
    carried = {dt.date(2021, 5, 10): dt.date(2021, 5, 10), dt.date(2026, 6, 1): dt.date(2026, 6, 1)}
    now = EL.cycle_of(1, doc, 5, None, carried)
    assert (now.start, now.end) == (dt.date(2026, 6, 1), dt.date(2031, 5, 31))
    then = EL.cycle_of(1, doc, 5, None, carried, dt.date(2024, 12, 31))
    assert (then.start, then.end) == (dt.date(2021, 5, 10), dt.date(2026, 5, 9))
    before = EL.cycle_of(1, doc, 5, None, carried, dt.date(2020, 1, 1))
    assert before.start == dt.date(2010, 7, 1)
