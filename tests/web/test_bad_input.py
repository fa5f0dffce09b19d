"""Malformed input answers a 4xx with a catalogue message, never a 500 (issue 14, finding 8).

The inputs are data (tests/web/data/bad_inputs.yaml); each one answered 500 before the edge
checks (web/security/edge.py, web/db/guard.py, web/security/errorlog.py). The same file runs on
PostgreSQL in the PostgreSQL pass, where most of these used to fail in the database.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar import post
from litestar.testing import TestClient

from tests.web.conftest import PASSWORD, Client
from web.app import create_app

CASES = yaml.safe_load((Path(__file__).parent / "data" / "bad_inputs.yaml").read_text(encoding="utf-8"))
WHO = {"manager": "info_manager@3601020001", "admin": "system_admin@3601020001",
       "county_admin": "system_admin@360102"}
FILL = {"{nul}": "\x00", "{long21}": "甲" * 21, "{long60}": "甲" * 60, "{long101}": "甲" * 101,
        "{digits5000}": "9" * 5000}  # past Python's 4300-digit limit of int(str)


def _fill(value: Any, teacher: int) -> Any:
    if isinstance(value, str):
        for k, v in {**FILL, "{teacher}": str(teacher)}.items():
            value = value.replace(k, v)
        return value
    if isinstance(value, dict):
        return {_fill(k, teacher): _fill(v, teacher) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, teacher) for v in value]
    return value


@pytest.fixture(scope="module")
def clients(app, world) -> dict[str, Client]:
    out = {"anon": Client(app)}
    for key, username in WHO.items():
        out[key] = Client(app, username)
    for c in out.values():
        c.http.raise_server_exceptions = False
    return out


@pytest.mark.parametrize("case", CASES, ids=[f"{c['method']} {c['url']} {c['code']}" for c in CASES])
def test_bad_input_is_refused_with_a_catalogue_message(case: dict[str, Any], clients, world) -> None:
    teacher = world.teachers["3601020001"][0]
    client = clients[case["who"]]
    kw: dict[str, Any] = {}
    if "body" in case:
        kw["content"] = json.dumps(_fill(case["body"], teacher), ensure_ascii=False).encode()
        kw["headers"] = {"content-type": "application/json"}
    if "raw" in case:
        kw["content"] = case["raw"].encode()
        kw["headers"] = {"content-type": "application/json"}
    if "nested" in case:
        kw["content"] = b"[" * case["nested"] + b"]" * case["nested"]
        kw["headers"] = {"content-type": "application/json"}
    if "form" in case:
        page = client.get(case["url"])
        from tests.web.conftest import csrf_of
        kw["data"] = {"_csrf_token": csrf_of(page.text), **_fill(case["form"], teacher)}
    url = _fill(case["url"], teacher)
    r = getattr(client.http, case["method"])(url, **kw)
    assert r.status_code == case["status"], r.text[:400]
    if url.startswith("/api/"):
        body = r.json()
        assert body["code"] == case["code"], body
        assert body["message"] and body["message_en"]  # Chinese and English, from the catalogue
        assert set(body) == {"code", "message", "message_en", "hint", "hint_en", "args"}
    else:
        assert case["code"] in r.text  # the error page names the code beside the message


def test_a_teacher_name_has_one_limit_the_catalogue_s(ctx) -> None:
    """The form allowed 20 characters for a name where account creation allowed 50."""
    from web.services.teachers import NAME_MAX_LENGTH

    cat = ctx.catalogue
    for family in cat.families:
        name = next(f for sec in cat.view("basic", family).sections for f in sec.fields if f.key == "name")
        assert name.spec.max_length == NAME_MAX_LENGTH, family


ID_NUMBER = "110101199003077777"


@post("/api/v1/test-boom", sync_to_thread=True)
def boom(data: dict[str, Any]) -> None:
    """A handler with a bug: it fails on whatever personal data it was sent."""
    raise RuntimeError("broken while filing " + str(len(data)) + " values")


@post("/api/v1/test-boom-sql", sync_to_thread=True)
def boom_sql(data: dict[str, Any], db: Any) -> None:
    """A handler whose statement fails with the person's ID number bound to it."""
    from sqlalchemy import text

    db.execute(text("select * from no_such_table where x = :idn"), {"idn": data["id_number"]})


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_server_error_is_logged_with_its_traceback_and_without_the_body(settings, world) -> None:
    app = create_app(settings, extra_handlers=[boom, boom_sql])
    seen = _Records()
    errors = logging.getLogger("tmis.errors")
    try:
        with TestClient(app, raise_server_exceptions=False) as http:
            errors.addHandler(seen)  # after the app configured logging at its start
            for url in ("/api/v1/test-boom", "/api/v1/test-boom-sql"):
                seen.records.clear()
                r = http.post(url + f"?q={ID_NUMBER}", json={"id_number": ID_NUMBER, "name": "张三丰"})
                assert r.status_code == 500
                body = r.json()
                assert body["code"] == "W935" and "参考编号" in body["message"]
                ref = body["args"]["ref"]
                assert [rec.levelno for rec in seen.records] == [logging.ERROR]
                logged = seen.records[0].getMessage()
                assert "Traceback (most recent call last)" in logged and ref in logged
                assert "boom" in logged and url in logged
                assert ID_NUMBER not in logged and "张三丰" not in logged
    finally:
        errors.removeHandler(seen)
        app.state.ctx.engine.dispose()


def test_ids_typed_into_forms_and_headers_are_ascii_digits_within_range(clients, world) -> None:
    """str.isdigit() takes '²' (which int() refuses: a 500) and any length; the pages' and the
    If-Match header's ids go through web.security.edge.as_int."""
    from tests.web.conftest import csrf_of
    from web.security.edge import as_int

    assert [as_int(v) for v in ("12", " 7 ", "²", "١٢", "2147483648", "-1", "", None)] == [12, 7] + [None] * 6
    manager = clients["manager"]
    page = manager.get("/forms/teachers")
    r = manager.http.post("/forms/completeness", data={"_csrf_token": csrf_of(page.text), "teacher": ["²", "99999999999"]})
    assert r.status_code < 500, r.text[:300]
