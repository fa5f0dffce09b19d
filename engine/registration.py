"""Conditions of the periodic re-registration of teacher qualifications (教师资格定期注册, issue 17).

The conditions are data: ``modules/registration/registration.yaml`` is the national default and
``provinces/<code>/registration.yaml`` a province's version (a condition with the same key
replaces the national one; new keys are added; nothing is dropped)::

    registration:
      cycle_years: 5            # a cycle: 5 years from the certificate's date or the last registration
      first_cycle_start: 2013-08-15   # a certificate issued before this day starts its first cycle on it
      warn_months: 12           # the warning list: cycles ending within this many months
      conditions:
        - key: training
          kind: training_hours  # hours of the credit bank within the cycle (training_credits: credits)
          required: 360
        - key: assessment
          kind: assessment      # every 年度考核 of the cycle with one of these results
          results: ["1", "2"]
        - key: ethics
          kind: ethics          # no sanction of these kinds (or below them) in the cycle, not lifted
          punishments: ["13", "14", "15", "24", "25"]
          ethics_results: ["4"] # and no 师德考核 with these results in the cycle

The kinds and the parameters each needs are ``KINDS`` (the module's evaluators, one per kind, are
in ``modules/registration/conditions.py``; a test keeps the two the same). ``check_all`` gives
every problem with file:line (an unknown kind with a did-you-mean E531, a code not in its table
E532, a missing parameter E533, a key twice E534; unknown keys E102 like every definition file);
``conditions_for`` the conditions in force in a province.

``first_cycle_start`` is the day the scheme began (national default: 2013-08-15, the date of
中小学教师资格定期注册暂行办法 教师〔2013〕9号; each province writes the day its own scheme
began): a qualification issued before it, and never registered since, starts its first cycle on
that day rather than on its (often decades-old) date of issue. A day before 1993-10-31 (教师法) or
after 2100 is E565; a province's datum before the national one is allowed (a pilot province). Only this module reads the files;
nothing here imports ``web`` or ``modules``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from pydantic import Field

from engine import errors as E
from engine.errors import Problem
from engine.source import SourceLoc
from engine.spec import Key, Strict, Text

NATIONAL = Path("modules") / "registration" / "registration.yaml"
FIRST_CYCLE_BOUNDS = (dt.date(1993, 10, 31), dt.date(2100, 12, 31))   # 教师法 … a far future

# kind -> (parameters it needs, {parameter: the code table its values come from})
KINDS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "training_hours": (("required",), {}),
    "training_credits": (("required",), {}),
    "assessment": (("results",), {"results": "assessment_result"}),
    "ethics": ((), {"punishments": "punishment", "ethics_results": "ethics_result"}),
}


class Condition(Strict):
    key: Key
    kind: str
    label: Text | None = None
    required: Decimal | None = None          # training_*: hours or credits within the cycle
    results: list[str] = []                  # assessment: the results that pass
    punishments: list[str] = []              # ethics: sanctions (and those below them) that bar
    ethics_results: list[str] = []           # ethics: 师德考核 results that bar

    def codes(self, param: str) -> list[str]:
        return [str(c) for c in getattr(self, param)]


class Settings(Strict):
    cycle_years: int = Field(default=5, ge=1, le=20)
    first_cycle_start: dt.date | None = None
    warn_months: int = Field(default=12, ge=0, le=60)
    conditions: list[Condition] = []


class RegistrationFile(Strict):
    registration: Settings


class Rules:
    """The conditions in force in one province."""

    def __init__(self, cycle_years: int, warn_months: int, conditions: list[Condition],
                 first_cycle_start: dt.date | None = None) -> None:
        self.cycle_years, self.warn_months, self.conditions = cycle_years, warn_months, conditions
        self.first_cycle_start = first_cycle_start


def _load(root: Path, path: Path) -> tuple[Settings | None, list[Problem]]:
    from engine.load import build, read_yaml

    try:
        rel = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        rel = str(path)
    raw, problems = read_yaml(path, rel)
    if problems or raw is None:
        return None, problems
    obj, found = build(RegistrationFile, raw, path)
    return (obj.registration if obj is not None else None), found


def check_settings(s: Settings, codes: Mapping[str, Any] | None) -> list[Problem]:
    """The problems of one file: kinds, parameters, codes, keys twice."""
    problems: list[Problem] = []
    if s.first_cycle_start is not None and not FIRST_CYCLE_BOUNDS[0] <= s.first_cycle_start <= FIRST_CYCLE_BOUNDS[1]:
        problems.append(Problem(E.E_REG_FIRST_CYCLE, s.where("first_cycle_start"),
                                {"value": s.first_cycle_start.isoformat(), "low": FIRST_CYCLE_BOUNDS[0].isoformat(),
                                 "high": FIRST_CYCLE_BOUNDS[1].isoformat()}))
    seen: dict[str, SourceLoc] = {}
    for c in s.conditions:
        loc = c.loc if c.loc.line else s.loc
        if c.key in seen:
            problems.append(Problem(E.E_REG_KEY_TWICE, loc, {"key": c.key, "first": str(seen[c.key])}))
        seen.setdefault(c.key, loc)
        if c.kind not in KINDS:
            problems.append(Problem(E.E_REG_KIND, c.where("kind"), {"kind": c.kind, "allowed": ", ".join(KINDS),
                                                                    **E.suggestion(c.kind, list(KINDS))}))
            continue
        needs, tables = KINDS[c.kind]
        for param in needs:
            if getattr(c, param) in (None, []):
                problems.append(Problem(E.E_REG_PARAM, loc, {"key": c.key, "kind": c.kind, "param": param}))
        for param, table in tables.items():
            known = getattr(codes.get(table), "by_code", None) if codes is not None else None
            if known is None:
                continue
            for i, code in enumerate(c.codes(param)):
                if code not in known:
                    problems.append(Problem(E.E_REG_CODE, c.where(param, i),
                                            {"key": c.key, "param": param, "code": code, "table": table,
                                             **E.suggestion(code, list(known))}))
    return problems


def _files(root: Path, province: str | None) -> list[Path]:
    p = root / NATIONAL if province is None else root / "provinces" / province / "registration.yaml"
    return [p] if p.is_file() else []


def merge(national: Settings | None, mine: Settings | None) -> Rules | None:
    if national is None and mine is None:
        return None
    base = national or mine
    conditions = {c.key: c for c in (national.conditions if national else [])}
    if mine is not None and national is not None:
        for c in mine.conditions:
            conditions[c.key] = c
    fields = mine.model_fields_set if mine is not None else set()
    cycle = mine.cycle_years if mine is not None and "cycle_years" in fields else base.cycle_years
    warn = mine.warn_months if mine is not None and "warn_months" in fields else base.warn_months
    first = mine.first_cycle_start if mine is not None and "first_cycle_start" in fields else base.first_cycle_start
    return Rules(cycle, warn, list(conditions.values()), first)


def check_all(root: Path, provinces: list[str], codes: Mapping[str | None, Mapping[str, Any]]) -> list[Problem]:
    """Every problem of the national file and each province's (``codes``: the code tables of each
    province's catalogue, None for the nation's)."""
    root = Path(root)
    problems: list[Problem] = []
    for code in [None, *provinces]:
        for path in _files(root, code):
            s, found = _load(root, path)
            problems += found
            if s is not None:
                problems += check_settings(s, codes.get(code) or codes.get(None))
    return problems


_CACHE: dict[tuple[str, str | None], Rules | None] = {}


def conditions_for(root: Path, province: str | None) -> Rules | None:
    """The conditions in force in a province (None: no registration file at all)."""
    key = (str(Path(root).resolve()), province)
    if key not in _CACHE:
        problems: list[Problem] = []
        national = mine = None
        for path in _files(Path(root), None):
            national, found = _load(Path(root), path)
            problems += found
        for path in _files(Path(root), province) if province else []:
            mine, found = _load(Path(root), path)
            problems += found
        for s in (national, mine):
            if s is not None:
                problems += check_settings(s, None)
        if problems:
            raise E.DefinitionError(problems)
        _CACHE[key] = merge(national, mine)
    return _CACHE[key]


__all__ = ["KINDS", "Condition", "Settings", "Rules", "check_all", "conditions_for", "merge"]
