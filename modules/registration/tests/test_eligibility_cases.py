"""Eligibility as of a date, data first: each file of cases/ is a teacher's records (教师资格,
年度考核, 师德), the credit bank's entries (posted through modules.credits.ledger.post), the rules
(national or a province's) and an as-of date, with the cycle, eligibility and the unmet
conditions named exactly as the user reads them. The cases' dates lie after today: ledger
entries are recorded now, and a balance as of a date counts what was recorded by then."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from engine import registration as R
from engine.catalogue import repo_root
from modules.registration import eligibility as EL
from tests.review.conftest import add_teacher
from web.db.models import Record

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def _credits():
    try:
        from modules.credits import ledger
    except ImportError:
        return None
    return ledger


def _doc(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_eligibility_case(path: Path, ctx, cats, world):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    ledger = _credits()
    if case.get("ledger") and ledger is None:
        pytest.skip("the credits module (modules/credits) is not here: this case needs its ledger")
    province = None if case["rules"] == "national" else str(case["rules"])
    rules = R.conditions_for(repo_root(), province)
    cat = cats["36"]
    with ctx.sessions() as db:
        tid = add_teacher(db, cat, "3601020001", complete=False, name="注册甲")
        for set_key, docs in (case.get("records") or {}).items():
            for i, values in enumerate(docs):
                db.add(Record(teacher_id=tid, set_key=set_key, position=i, document=_doc(values),
                              catalogue_version=cat.version))
        for e in case.get("ledger") or []:
            ledger.post(db, tid, kind=e.get("kind", "earned"), credits=e["credits"], hours=e.get("hours", 0),
                        category=e.get("category", "general"), effective=e["effective"], rule_version="test",
                        confirmed_by=None)
        db.flush()
        answer = EL.answer_for(db, cat, rules, tid, case["as_of"], credit_bank=case.get("credit_bank", True))
        got = answer.json()
        db.rollback()
    want = case["expected"]
    assert {"cycle_start": got["cycle_start"], "cycle_end": got["cycle_end"], "eligible": got["eligible"],
            "unmet": [u["message"] for u in got["unmet"]]} == {
        "cycle_start": want["cycle_start"].isoformat() if want["cycle_start"] else None,
        "cycle_end": want["cycle_end"].isoformat() if want["cycle_end"] else None,
        "eligible": want["eligible"], "unmet": want["unmet"]}


def test_every_condition_kind_has_an_evaluator_and_a_case():
    """The engine's kinds (what tmis check accepts) and the module's evaluators are the same table,
    and every kind is exercised by a case."""
    from modules.registration.conditions import EVALUATORS

    assert set(EVALUATORS) == set(R.KINDS)
    used = set()
    for path in CASES:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        province = None if case["rules"] == "national" else str(case["rules"])
        if case["expected"]["cycle_start"]:
            used |= {c.kind for c in R.conditions_for(repo_root(), province).conditions}
    assert used == set(R.KINDS)
