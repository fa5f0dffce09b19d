"""Issue 18 point 12, in the web app: the province's staff upload a proposed rules file; it is checked
like tmis check (problems at their line) and its impact on the province's records is assessed as a
background job whose progress and report the page shows."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.web.conftest import Client, fresh_database, make_settings, post_form
from web.app import create_app
from web.demo import build_demo

PASSWORD = "Demo@2024x"
RULES = (Path(__file__).parent / "data" / "impact_rule.yaml").read_text(encoding="utf-8")  # shared with benchmarks/impact.py


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("impact-page")) as url:
        application = create_app(make_settings(url))
        build_demo(application.state.ctx.settings, password=PASSWORD, teachers=36, seed=7)
        yield application
        application.state.ctx.engine.dispose()


def test_an_uploaded_rules_file_is_assessed_in_the_background(app) -> None:
    c = Client(app, "province-manager", PASSWORD)
    assert 'href="/admin/impact/"' in c.get("/admin/").text  # in the province's menu
    r = post_form(c, "/admin/impact/", "/admin/impact/", {}, files={"file": ("jx_short_name.yaml", RULES.encode())})
    assert r.status_code == 303, r.text[:500]
    url = r.headers["location"]
    for _ in range(120):
        page = c.get(url)
        assert page.status_code == 200
        if 'data-state="done"' in page.text or 'data-state="failed"' in page.text:
            break
        time.sleep(0.5)
    assert 'data-state="done"' in page.text, page.text[-2000:]
    assert "jx.short_name" in page.text and "姓名不超过两个字" in page.text
    invalid = int(re.search(r"将不再通过: (\d+)", page.text)[1])
    assert invalid > 0
    assert re.search(r"\S\*+ <span class=\"mono\">\d{4}\*+", page.text)  # examples masked


def test_a_file_with_mistakes_is_reported_at_its_lines(app) -> None:
    c = Client(app, "province-manager", PASSWORD)
    bad = RULES.replace("length(record.name) <= 2", "length(record.姓名) <= 2")
    r = post_form(c, "/admin/impact/", "/admin/impact/", {}, files={"file": ("jx_short_name.yaml", bad.encode())})
    assert r.status_code == 422
    line = bad.splitlines().index(next(ln for ln in bad.splitlines() if "record.姓名" in ln)) + 1
    assert f"provinces/36/rules/jx_short_name.yaml:{line}: E315" in r.text and "record.name" in r.text


def test_only_the_province_assesses(app) -> None:
    r = Client(app, "school-manager", PASSWORD).get("/admin/impact/")
    assert r.status_code == 403 and "W950" in r.text
