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
