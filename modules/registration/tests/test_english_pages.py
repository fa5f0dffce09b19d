"""The registration pages in English (?lang=en), walked as the demo's school, county, city and
province staff: no Chinese is left but people's and units' names (the list, the warning list, an
application with its steps and conditions), and the notice after a write says what happened in
English ("Forwarded to …", "Decisions saved"), not in Chinese carried in the address."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from modules.registration.models import RegistrationBatch
from tests.web.conftest import Client, fresh_database, make_settings, post_form
from tests.web.english_walk import han_left
from web.app import create_app
from web.db.models import Account, Teacher, Unit
from web.demo import build_demo

PASSWORD = "Demo@2024x"
STAFF = ("school-manager", "school-reviewer", "school-viewer", "county-reviewer", "county-manager",
         "city-reviewer", "province-reviewer", "province-viewer")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("registrationen")) as url:
        settings = make_settings(url)
        build_demo(settings, password=PASSWORD, teachers=48, seed=3)
        app = create_app(settings)
        yield app
        app.state.ctx.engine.dispose()


def _names(app) -> set[str]:
    with app.state.ctx.sessions() as db:
        return set(db.scalars(select(Teacher.name))) | set(db.scalars(select(Unit.name))) | \
            set(db.scalars(select(Account.real_name)))


def _batch(app) -> int:
    with app.state.ctx.sessions() as db:
        return db.scalar(select(RegistrationBatch.id).order_by(RegistrationBatch.id))


def test_every_registration_page_in_english_leaves_only_names_in_chinese(demo):
    names, bid = _names(demo), _batch(demo)
    seen: dict[str, set[str]] = {}
    for user in STAFF:
        client = Client(demo, user, PASSWORD)
        for url in ("/registration/", f"/registration/batches/{bid}", "/registration/?unit=3601020001"):
            page = client.get(f"{url}{'&' if '?' in url else '?'}lang=en", follow_redirects=False)
            if page.status_code != 200:
                continue
            seen.setdefault(user, set()).add(url)
            assert han_left(page.text, names) == [], (user, url)
    assert all(f"/registration/batches/{bid}" in seen[u] for u in ("school-manager", "county-reviewer", "province-viewer"))
    warned = Client(demo, "school-manager", PASSWORD).get("/registration/?lang=en").text
    assert 'id="warning-list"' in warned and "Not met" in warned


def test_the_notice_after_saving_and_forwarding_is_in_english(demo):
    bid = _batch(demo)
    county = Client(demo, "county-reviewer", PASSWORD)
    url = f"/registration/batches/{bid}"
    county.get(f"{url}?lang=en")  # the language, kept in the cookie
    r = post_form(county, url, f"{url}/decide", {"forward": "0"})
    assert r.status_code == 303 and r.headers["location"].endswith("?msg=saved")
    assert "Decisions saved" in county.get(r.headers["location"]).text
    refused = post_form(county, url, f"{url}/decide", {"forward": "1"})  # nobody decided yet: refused, in English
    assert refused.status_code == 422 and han_left(refused.text, _names(demo)) == []
    teachers = county.get(f"/api/v1/registration/batches/{bid}").json()["teachers"]
    decisions = {}
    for t in teachers:
        decisions[f"decision-{t['teacher_id']}"] = "qualified" if t["eligible"] else "deferred"
        decisions[f"reason-{t['teacher_id']}"] = "checked"
    r = post_form(county, url, f"{url}/decide", {**decisions, "forward": "1"})
    assert r.status_code == 303, r.text[:300]
    page = county.get(r.headers["location"]).text
    assert "Forwarded to " in page and han_left(page, _names(demo)) == []
    assert "已提交" in county.get(r.headers["location"] + "&lang=zh").text
    # the address names what happened, never carries the text: anything else shows nothing
    assert "<script>" not in county.get(f"{url}?msg=%3Cscript%3E&lang=en").text.split("<main")[1]
