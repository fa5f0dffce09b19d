"""Conditions and rules remember their answers by the values they read (engine.expr.evaluator).

A validator that remembers must say exactly what one that does not says, for records whose
values repeat, differ only in type (1, 1.0, true, "1"), are lists, or are missing, and across
the day changing (``today`` is one of the inputs).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from engine.catalogue import build_catalogues, repo_root
from engine.validate import SetValidator

CAT = build_catalogues(repo_root(), ["36"])["36"]
FAMILY = "primary_secondary"
SETS = CAT.set_keys(FAMILY)
CONFUSABLE = [None, "", 0, 1, 1.0, 0.0, True, False, "1", "0", "01", "156", [], ["01"], ["01", "02"], ["02"],
              "2008-09", "2008-09-01", "2030-01", 2020, 2020.0, "2020", "是", "无", "x" * 3]


def _values(f: Any, rng: random.Random) -> Any:
    if f.codes is not None and rng.random() < 0.5:
        codes = list(f.codes.by_code)
        return rng.choice(codes) if f.spec.type == "code" else rng.sample(codes, k=min(len(codes), rng.choice([1, 2])))
    return rng.choice(CONFUSABLE)


@pytest.mark.parametrize("set_key", SETS)
def test_remembering_changes_no_answer(set_key: str) -> None:
    view = CAT.view(set_key, FAMILY)
    remembering = SetValidator(view, CAT.functions, today=dt.date(2026, 11, 22))
    plain = SetValidator(view, CAT.functions, today=dt.date(2026, 11, 22), memo=False)
    rng = random.Random(set_key)
    fields = view.fields
    for i in range(1500):
        if i == 1000:  # a new day: what was remembered for the old one must not be answered
            remembering.today = plain.today = dt.date(2031, 3, 1)
        # few distinct values per field, so that the memos are hit
        record = {f.key: _values(f, rng) for f in fields if rng.random() < 0.7}
        file = {"basic": {"birth_date": rng.choice(["1980-05-01", "1999-12-31", None])}}
        assert remembering.clean(record) == plain.clean(record), record
        got = remembering.validate(record, records=[record], file=file, index=0)
        want = plain.validate(record, records=[record], file=file, index=0)
        assert got == want, record


def test_memos_are_used() -> None:
    """The test above is only worth something if the memos answer: they do for codes."""
    validator = SetValidator(CAT.view("basic", FAMILY), CAT.functions, today=dt.date(2026, 11, 22))
    shown = validator._shown_ev[0][1]
    record = {"nationality": "156"}
    calls = []
    values = lambda: calls.append(1) or validator._values(record, None, None, None)  # noqa: E731
    for _ in range(10):
        shown(record.get, values)
    assert len(calls) == 1
