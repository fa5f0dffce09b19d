"""The demo (issue 17, Demo) has teachers eligible, not yet eligible and barred, with their records
and credit-bank entries, and the school's application waiting for the county reviewer."""

from __future__ import annotations

import pytest

from tests.web.conftest import Client, fresh_database, make_settings
from web.app import create_app
from web.demo import build_demo

PASSWORD = "Demo@2024x"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("demoreg")) as url:
        settings = make_settings(url)
        build_demo(settings, password=PASSWORD, teachers=36, seed=7)
        app = create_app(settings)
        yield app
        app.state.ctx.engine.dispose()


def test_the_demo_has_eligible_not_yet_and_barred_teachers_in_an_application(demo):
    county = Client(demo, "county-reviewer", PASSWORD)
    waiting = county.get("/api/v1/registration/batches?queue=mine").json()
    assert len(waiting) == 1
    batch = county.get(f"/api/v1/registration/batches/{waiting[0]['id']}").json()
    teachers = batch["teachers"]
    assert [t["eligible"] for t in teachers] == [True, False, False], [t["unmet"] for t in teachers]
    not_yet, barred = teachers[1]["unmet"], teachers[2]["unmet"]
    assert any(u["message"].startswith("本周期学分 96/120") for u in not_yet)
    assert any("年度考核 为 不合格" in u["message"] for u in not_yet)
    assert any("受到处分：降低岗位等级" in u["message"] for u in barred)
    # the credit bank's entries read like real data: a training's name, the province's rule version
    credits = county.get(f"/api/v1/teachers/{teachers[0]['teacher_id']}/credits").json()
    assert credits["entries"] and all("演示" not in e["note"] and "demo" not in e["note"].lower()
                                      and e["rule_version"].startswith("36:") for e in credits["entries"]), credits
    school = Client(demo, "school-manager", PASSWORD)
    warned = school.get("/api/v1/registration/warnings?unit=3601020001").json()
    # only the teachers truly due: the demo's other teachers hold certificates issued before 江西's
    # first_cycle_start (2023-01-01), whose first cycle runs to 2027-12-31 (it held about everyone)
    assert {t["teacher_id"] for t in warned["teachers"]} == {teachers[1]["teacher_id"], teachers[2]["teacher_id"]}
    county_wide = county.get("/api/v1/registration/warnings?unit=360102").json()
    assert {t["teacher_id"] for t in county_wide["teachers"]} == {teachers[1]["teacher_id"], teachers[2]["teacher_id"]}
    assert all(t["applied_in"] == batch["id"] for t in warned["teachers"]
               if t["teacher_id"] in {teachers[1]["teacher_id"], teachers[2]["teacher_id"]})


def test_the_demo_reads_as_history_as_of_yesterday(demo):
    """Walk finding 4: the demo recorded every credit today, so as of yesterday its teachers held
    none (本周期学分 0/120). Its entries are recorded on the days they were earned now."""
    import datetime as dt

    county = Client(demo, "county-reviewer", PASSWORD)
    batch = county.get("/api/v1/registration/batches?queue=mine").json()[0]
    teachers = county.get(f"/api/v1/registration/batches/{batch['id']}").json()["teachers"]
    eligible, not_yet = teachers[0]["teacher_id"], teachers[1]["teacher_id"]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    for tid in (eligible, not_yet):
        now = county.get(f"/api/v1/teachers/{tid}/credits").json()
        then = county.get(f"/api/v1/teachers/{tid}/credits?as_of={yesterday}").json()
        assert then["total"] == now["total"] != "0.00", (now, then)
    then = county.get(f"/api/v1/teachers/{eligible}/registration?as_of={yesterday}").json()
    assert then["eligible"] is True, then["unmet"]
    then = county.get(f"/api/v1/teachers/{not_yet}/registration?as_of={yesterday}").json()
    assert any(u["message"].startswith("本周期学分 96/120") for u in then["unmet"]), then["unmet"]
