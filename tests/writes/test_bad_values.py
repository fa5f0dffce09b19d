"""Issue 14, finding 11b: the API validates against the same catalogue as the forms. Every bad
value of bad_values.yaml gets a 4xx with a catalogue code and a message naming the field, and
nothing is stored (the table is the test: one entry per endpoint, one line per bad value)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from engine import idnumber
from tests.web.conftest import new_id_number
from web.db.models import Record, Teacher, Unit

TABLE = yaml.safe_load((Path(__file__).parent / "bad_values.yaml").read_text(encoding="utf-8"))
CASES = [(entry, bad) for entry in TABLE for bad in entry["bad"]]


def _merge(body: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    for key, value in change.items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


def _names(new_teacher, unit_code: str) -> dict[str, str]:
    number = new_id_number("360102")
    return {"teacher": str(new_teacher("3601020001")), "id_number": number,
            "birth_date": idnumber.birth_date(number), "unit_code": unit_code}


def _counts(ctx) -> tuple[int, ...]:
    with ctx.sessions() as s:
        return (s.scalar(select(func.count()).select_from(Teacher)), s.scalar(select(func.count()).select_from(Unit)),
                s.scalar(select(func.count()).select_from(Record)),
                json.dumps([(u.name, u.school_type) for u in s.scalars(select(Unit).order_by(Unit.id))],
                           ensure_ascii=False))


@pytest.mark.parametrize("entry,bad", CASES,
                         ids=[f"{e['endpoint']} {json.dumps(b['change'], ensure_ascii=False)[:60]}" for e, b in CASES])
def test_each_bad_value_is_a_4xx_naming_the_field(entry, bad, as_user, new_teacher, ctx):
    names = _names(new_teacher, "3601029999")
    method, path = entry["endpoint"].split(" ", 1)
    body = _fill(_merge(entry["body"], bad["change"]), names)
    client = as_user(entry["as"])
    before = _counts(ctx)
    r = client.http.request(method, _fill(path, names), json=body)
    assert r.status_code == bad["status"], (r.status_code, r.text[:500])
    text = r.text
    payload = r.json()
    codes = {payload.get("code")} | {e.get("rule") for e in payload.get("errors", [])}
    assert bad["code"] in codes, text[:500]
    zh, en = bad["names"]
    assert zh in text and en in text, text[:600]  # the message names the field, in Chinese and English
    assert _counts(ctx) == before  # nothing stored


def test_the_good_bodies_are_accepted(as_user, new_teacher, ctx):
    """The table's bodies are right as they are: only the bad change is refused."""
    for entry in TABLE:
        if not entry["body"] or entry["endpoint"].startswith("PATCH"):
            continue
        names = _names(new_teacher, "3601029998")
        method, path = entry["endpoint"].split(" ", 1)
        r = as_user(entry["as"]).http.request(method, _fill(path, names), json=_fill(entry["body"], names))
        assert r.status_code in (200, 201), (entry["endpoint"], r.text[:500])
