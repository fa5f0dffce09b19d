"""The national tier as its users meet it: a teacher filed in two provinces lands in the national
queue (not an error), formal identifiers flow back and show on the teacher's file, national
accounts read across provinces and can write no province data (the app refuses, and so does the
database role)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from engine import idnumber
from tests.tier.conftest import NATIONAL_PASSWORD, PASSWORD, Client, scalar, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.tier]


@pytest.fixture(scope="module")
def national_app(tiers):
    from web.app import create_app

    app = create_app(tiers.settings("national"))
    yield app
    app.state.ctx.engine.dispose()


@pytest.fixture(scope="module")
def province_app(tiers):
    from web.app import create_app

    app = create_app(tiers.settings("36"))
    yield app
    app.state.ctx.engine.dispose()


def _person(url: str, approved: bool) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT t.id, t.id_number, t.name, t.gender, t.birth_date, u.code FROM teachers t JOIN units u ON u.id = t.unit_id "
            "WHERE t.state " + ("= 'approved'" if approved else "IN ('unsubmitted', 'draft')") +
            " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.teacher_id = t.id AND a.must_change_password) "
            "ORDER BY t.id DESC LIMIT 1")).one()
    engine.dispose()
    return dict(zip(("id", "id_number", "name", "gender", "birth_date", "school"), row))


def _become(url: str, teacher_id: int, *, id_number: str, name: str, gender: str, birth) -> None:
    """Make a 甘肃 draft file the given person (teacher columns and 基本信息 alike)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE teachers SET id_number = :n, name = :m, gender = :g, birth_date = :b WHERE id = :t"),
                     {"n": id_number, "m": name, "g": gender, "b": birth, "t": teacher_id})
        conn.execute(text("UPDATE accounts SET username = :n WHERE teacher_id = :t"), {"n": id_number, "t": teacher_id})
        conn.execute(text("UPDATE records SET document = document || jsonb_build_object('id_number', CAST(:n AS text), "
                          "'name', CAST(:m AS text), 'gender', CAST(:g AS text), 'birth_date', CAST(:b AS text)) "
                          "WHERE teacher_id = :t AND set_key = 'basic'"),
                     {"n": id_number, "m": name, "g": gender, "b": birth.isoformat(), "t": teacher_id})
    engine.dispose()


def _identifier(url: str, province: str, key: int) -> str | None:
    return scalar(url, "SELECT formal_identifier FROM tier_identifiers WHERE province = :p AND teacher_key = :k",
                  p=province, k=key)


def test_a_teacher_in_both_provinces_is_queued_and_identifiers_flow_back(tiers, national_app, province_app):
    from web.tier.demo import approve_files

    jx = _person(tiers.urls["36"], approved=True)        # filed and approved in 江西
    twin = _person(tiers.urls["62"], approved=False)     # 甘肃 files the same person (same ID number)
    _become(tiers.urls["62"], twin["id"], id_number=jx["id_number"], name=jx["name"], gender=jx["gender"],
            birth=jx["birth_date"])
    assert approve_files(tiers.ctx("62"), 1, teacher_ids=[twin["id"]])["approved"] == 1
    nat = tiers.urls["national"]
    wait_for(lambda: scalar(nat, "SELECT count(*) FROM tier_files WHERE id_number = :n", n=jx["id_number"]) == 2,
             what="the twin replicated: no constraint refused it")

    reviewer = Client(national_app, "ministry-reviewer", NATIONAL_PASSWORD)
    found = reviewer.post("/api/v1/national/dedup", json={})
    assert found.status_code == 200, found.text
    assert found.json()["issued"] > 0
    queue = reviewer.get("/api/v1/national/duplicates").json()
    group = next(g for g in queue if g["kind"] == "id_number"
                 and {m["province"] for m in g["members"]} == {"36", "62"}
                 and all(m["id_number"] == jx["id_number"] for m in g["members"]))
    # the pair waits for review: no formal identifier; everyone else of 江西 has one
    assert _identifier(nat, "36", jx["id"]) is None and _identifier(nat, "62", twin["id"]) is None
    wait_for(lambda: scalar(tiers.urls["36"], "SELECT count(*) FROM tier_identifiers")
             == scalar(nat, "SELECT count(*) FROM tier_identifiers WHERE province = '36'"), what="identifiers back in 36")
    assert scalar(tiers.urls["36"], "SELECT count(*) FROM tier_identifiers WHERE province <> '36'") == 0  # its own only

    # the queue page shows the pair; a decision gives both one identifier, which flows back to both provinces
    page = reviewer.get("/national/duplicates")
    assert page.status_code == 200 and f'id="dup-{group["id"]}"' in page.text and jx["name"] in page.text
    decided = reviewer.post(f"/api/v1/national/duplicates/{group['id']}", json={"decision": "same_person",
                                                                              "note": "同一人跨省调动"})
    assert decided.status_code == 200 and decided.json()["state"] == "same_person", decided.text
    formal = _identifier(nat, "36", jx["id"])
    assert formal and formal == _identifier(nat, "62", twin["id"])
    wait_for(lambda: _identifier(tiers.urls["36"], "36", jx["id"]) == formal, what="formal identifier back in 36")
    wait_for(lambda: _identifier(tiers.urls["62"], "62", twin["id"]) == formal, what="formal identifier back in 62")
    again = reviewer.post(f"/api/v1/national/duplicates/{group['id']}", json={"decision": "different"})
    assert again.status_code == 409 and again.json()["code"] == "W812"
    bad = reviewer.post("/api/v1/national/duplicates/999999", json={"decision": "different"})
    assert bad.status_code == 404 and bad.json()["code"] == "W811"

    # …and shows on the teacher's file in 江西
    manager = Client(province_app, f"manager-{jx['school']}", PASSWORD)
    file_page = manager.get(f"/forms/teachers/{jx['id']}/sets/basic")
    assert file_page.status_code == 200 and f'id="formal-identifier" class="mono">{formal}<' in file_page.text


def test_same_person_under_different_numbers_is_queued_too(tiers, national_app):
    from web.tier.demo import approve_files

    jx = _person(tiers.urls["36"], approved=True)
    other = _person(tiers.urls["62"], approved=False)
    seq = 401 if jx["gender"] == "1" else 400  # the ID number's gender digit
    number = idnumber.make("620102", jx["birth_date"], seq)
    _become(tiers.urls["62"], other["id"], id_number=number, name=jx["name"], gender=jx["gender"], birth=jx["birth_date"])
    assert approve_files(tiers.ctx("62"), 1, teacher_ids=[other["id"]])["approved"] == 1
    wait_for(lambda: scalar(tiers.urls["national"], "SELECT count(*) FROM tier_files WHERE id_number = :n", n=number),
             what="the namesake replicated")
    reviewer = Client(national_app, "ministry-reviewer", NATIONAL_PASSWORD)
    assert reviewer.post("/api/v1/national/dedup", json={}).status_code == 200
    groups = [g for g in reviewer.get("/api/v1/national/duplicates").json() if g["kind"] == "person"
              and {m["teacher_key"] for m in g["members"]} >= {jx["id"], other["id"]}]
    assert len(groups) == 1
    out = reviewer.post(f"/api/v1/national/duplicates/{groups[0]['id']}", json={"decision": "different"})
    assert out.status_code == 200
    a, b = _identifier(tiers.urls["national"], "36", jx["id"]), _identifier(tiers.urls["national"], "62", other["id"])
    assert a and b and a != b


def test_national_pages_read_across_provinces(tiers, national_app, province_app):
    viewer = Client(national_app, "ministry-viewer", NATIONAL_PASSWORD)
    stats = viewer.get("/api/v1/national/statistics").json()
    assert {r["province"] for r in stats} == {"36", "62"} and all(r["files"] > 0 for r in stats)
    page = viewer.get("/national/statistics")
    assert page.status_code == 200 and 'id="stats-36"' in page.text and 'id="stats-62"' in page.text
    lag = viewer.get("/national/lag")
    assert lag.status_code == 200 and 'id="lag-36"' in lag.text and 'data-streaming="yes"' in lag.text
    assert viewer.get("/api/v1/national/duplicates").status_code == 403  # a viewer does not review
    home = viewer.get("/admin/")
    assert 'href="/national/statistics"' in home.text and 'href="/national/duplicates"' not in home.text
    # the unit tree is the ministry's: a national account reads the provinces' units
    provinces = viewer.get("/api/v1/units?level=province").json()
    assert {u["code"] for u in provinces["items"]} == {"36", "62"}
    school = viewer.get("/api/v1/units/3601020001").json()
    assert school["path"] == ["00", "36", "3601", "360102", "3601020001"]
    assert viewer.get("/api/v1/units/6201020001").json()["path"][:2] == ["00", "62"]
    # a province's app serves none of it
    manager = Client(province_app, "province-manager", PASSWORD)
    r = manager.get("/api/v1/national/statistics")
    assert r.status_code == 404 and r.json()["code"] == "W814"


def _unsafe_routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods or ()):
                if method in ("POST", "PUT", "PATCH", "DELETE"):
                    out.append((method, route.path))
    return sorted(set(out))


def test_every_write_route_refuses_national_accounts(tiers, national_app):
    from web.tier.guard import allowed

    from tests.web.conftest import csrf_of

    admin = Client(national_app, "ministry-admin", NATIONAL_PASSWORD)
    token = csrf_of(admin.get("/admin/").text)  # a page's token: the refusal must be ours, not the CSRF check's
    tried = 0
    for method, path in _unsafe_routes(national_app):
        if allowed(path):
            continue
        url = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
        r = admin.http.request(method, url, json={}, headers={"x-csrftoken": token})
        tried += 1
        assert r.status_code == 403, (method, path, r.status_code)
        assert "W810" in r.text, (method, path, r.text[:200])
    assert tried > 40


def test_the_database_role_refuses_province_data(tiers):
    from web.app import create_app
    from web.tier.roles import grant

    nat = tiers.urls["national"]
    engine = create_engine(nat)
    with engine.begin() as conn:
        from sqlalchemy.orm import Session

        grant(Session(bind=conn), "tmis_national_app")
    engine.dispose()
    as_app = nat.replace("postgres@", "tmis_national_app@")
    engine = create_engine(as_app)
    for sql in ("UPDATE tier_files SET name = 'x'", "DELETE FROM tier_units",
                "INSERT INTO tier_movements (province, seq, teacher_key, kind, detail, at) VALUES ('36', 0, 1, 'x', '{}', now())",
                "UPDATE units SET name = 'x'", "DELETE FROM unit_closure"):
        with engine.connect() as conn:
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(sql))
    engine.dispose()
    # the national app itself runs as that role: sign-in, reading, the queue and identifiers work
    app = create_app(tiers.settings("national", database_url=as_app))
    try:
        reviewer = Client(app, "ministry-reviewer", NATIONAL_PASSWORD)
        assert reviewer.get("/national/lag").status_code == 200
        assert reviewer.post("/api/v1/national/dedup", json={}).status_code == 200
    finally:
        app.state.ctx.engine.dispose()
