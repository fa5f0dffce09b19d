"""The demo (issue 17, Demo): the institution's account institution-demo sees its two projects, a
province project confirmed (its teachers hold the credits) and a national one waiting for the
province; the province reviewer confirms it under 江西's rules."""

from __future__ import annotations

import pytest

from tests.web.conftest import Client, fresh_database, make_settings
from web.app import create_app
from web.demo import build_demo

PASSWORD = "Demo@2024x"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("democredits")) as url:
        settings = make_settings(url)
        build_demo(settings, password=PASSWORD, teachers=48, seed=3)
        app = create_app(settings)
        yield app
        app.state.ctx.engine.dispose()


def test_the_demo_has_an_institution_with_confirmed_and_pending_results(demo):
    inst = Client(demo, "institution-demo", PASSWORD)
    projects = {p["level"]: p for p in inst.get("/api/v1/training/projects").json()["projects"]}
    assert set(projects) == {"province", "national"}
    assert projects["province"]["results"] == {"confirmed": 6}
    assert projects["national"]["results"] == {"submitted": 4}
    province = Client(demo, "province-reviewer", PASSWORD)
    results = province.get(f"/api/v1/training/projects/{projects['province']['id']}/results").json()["results"]
    passed = [r for r in results if r["passed"]]
    assert passed and all(r["rule_version"] == "36:2021" for r in results)
    out = province.post(f"/api/v1/training/projects/{projects['national']['id']}/results/confirm", json={}).json()
    assert (out["confirmed"], out["rule_version"]) == (4, "36:2021")


def test_the_demo_has_self_study_claims_and_a_record_from_the_credit_bank(demo):
    school = Client(demo, "school-reviewer", PASSWORD)
    waiting = school.get("/api/v1/credit-claims?state=waiting").json()["claims"]
    assert len(waiting) == 1 and "待审核的自主研修申报" in school.get("/admin/").text
    county = Client(demo, "county-reviewer", PASSWORD)
    assert len(county.get("/api/v1/credit-claims?state=waiting").json()["claims"]) == 1
    confirmed = [c for c in school.get("/api/v1/credit-claims?state=confirmed").json()["claims"]]
    assert len(confirmed) == 1 and confirmed[0]["credits"] == "2.00" and confirmed[0]["record_id"]
    tid, rid = confirmed[0]["teacher_id"], confirmed[0]["record_id"]
    records = school.get(f"/api/v1/teachers/{tid}/sets/training").json()["records"]
    mine = next(r for r in records if r["id"] == rid)
    assert str(mine["values"]["source"]) == "1" and mine["editable"] is False
    assert "来自学分银行" in school.get(f"/forms/teachers/{tid}/sets/training/records/{rid}").text
    assert school.get(confirmed[0]["evidence"]["href"]).content.startswith(b"%PDF-")


def test_the_demos_credit_bank_reads_as_history(demo):
    """Walk finding 4: "as of" counts what was recorded by that day, and the demo recorded it all
    today. Its province project is confirmed (recorded) on 2024-07-26, a week after it ended."""
    from decimal import Decimal

    province = Client(demo, "province-reviewer", PASSWORD)
    project = next(p for p in province.get("/api/v1/training/projects").json()["projects"] if p["level"] == "province")
    results = province.get(f"/api/v1/training/projects/{project['id']}/results").json()["results"]
    earned = sum(Decimal(r["credits"] or "0") for r in results)

    def total(day):
        page = province.get("/api/v1/training/balances", params={"as_of": day, "limit": 200}).json()
        return sum(Decimal(i["total"]) for i in page["items"])

    assert earned > 0 and total("2024-07-26") - total("2024-07-25") == earned
    page = province.get("/credits/?as_of=2024-07-26")
    assert "截至该日已记入学分银行的学分" in page.text  # what "as of" means, said on the page
