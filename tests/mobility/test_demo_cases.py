"""The demo has cases in every state (issue 15, Demo): a county reviewer finds a transfer across
counties waiting, the school sees its returned one with the reason, and the pages show names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.conftest import Client, fresh_database, make_settings
from web.app import create_app
from web.cases.models import MobilityCase
from web.demo import build_demo

PASSWORD = "Demo@2024x"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("democases")) as url:
        settings = make_settings(url)
        build_demo(settings, password=PASSWORD, teachers=36, seed=7)
        app = create_app(settings)
        yield app
        app.state.ctx.engine.dispose()


def test_the_demo_has_cases_in_every_state(demo):
    with demo.state.ctx.sessions() as db:
        seen = {(c.kind, c.state) for c in db.scalars(select(MobilityCase))}
    assert {("transfer", s) for s in ("pending", "returned", "withdrawn", "rejected", "completed")} <= seen
    assert {("rotation", "pending"), ("rotation", "completed"), ("status_change", "pending"),
            ("status_change", "completed")} <= seen


def test_demo_accounts_find_their_queues(demo):
    county = Client(demo, "county-reviewer", PASSWORD)
    waiting = county.get("/api/v1/transfers?queue=mine").json()
    assert any(c["counterpart"]["name"] == "南昌市青山湖区第二中学" for c in waiting)
    assert county.get("/api/v1/rotations?queue=mine").json()
    school = Client(demo, "school-manager", PASSWORD)
    returned = [c for c in school.get("/api/v1/transfers?queue=mine").json() if c["state"] == "returned"]
    assert returned and "请补充调动审批表" in returned[0]["transitions"][-1]["reason"]
    page = school.get("/cases/transfers").text
    assert "已退回" in page and "已完成" in page and "南昌市东湖区第一小学" in page


def test_a_small_demo_leaves_out_the_cases_it_has_no_teachers_for(tmp_path):
    with fresh_database(tmp_path) as url:
        settings = make_settings(url)
        out = build_demo(settings, password=PASSWORD, teachers=6, seed=7)
        assert "业务 / cases:" in out
        app = create_app(settings)
        with app.state.ctx.sessions() as db:
            assert 0 < len(db.scalars(select(MobilityCase)).all()) < 11
        app.state.ctx.engine.dispose()
