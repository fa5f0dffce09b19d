"""Hour→credit conversion rules of training (培训学分), as data (issue 17).

The national default is ``modules/credits/credits.yaml`` (the credits module's own file: without
the module there are no rules and nothing to check); a province writes its own
``provinces/<code>/credits.yaml``. A province file replaces the national rule versions (a
province converts under its own rules) and may add categories or change the cycle. Shape::

    credits:
      cycle: {years: 5, first_start: 2021-01-01}        # registration-cycle windows for caps
      categories: {face_to_face: {zh: 集中培训}, ...}    # the ledger's categories
      versions:
        - version: "2021"                                # stored on every credit computed under it
          valid_from: 2021-01-01
          valid_to: 2023-12-31                           # optional: open-ended
          rounding: {step: 0.5, mode: down}              # half_up (default) | down | up
          rules:                                         # the first that matches applies
            - {levels: [national, province], types: [face_to_face], hours_per_credit: 10,
               category: face_to_face, factor: 1.2, max_per_project: 6}
          caps: {yearly: {self_study: 2}, cycle: {self_study: 8}}   # per category

``check_all`` reports every problem with file:line (unknown keys with "did you mean", unknown
categories, levels or types, overlapping validity, a level × type no rule covers);
``rules_for(root, province)`` gives the rules in force for a province and ``convert`` the
credits of some hours under the version valid on a day. Nothing here imports web or modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from engine import errors as E
from engine.errors import Problem
from engine.source import SourceLoc
from engine.spec import Key, Strict, Text

# project levels and types (the project form's choices): key -> (zh, en)
LEVELS: dict[str, tuple[str, str]] = {
    "national": ("国家级", "National"), "province": ("省级", "Provincial"), "city": ("市级", "City"),
    "county": ("县级", "County"), "school": ("校级", "School-based"),
}
TYPES: dict[str, tuple[str, str]] = {
    "face_to_face": ("集中面授", "Face-to-face"), "online": ("网络研修", "Online"),
    "blended": ("混合式", "Blended"), "school_based": ("校本研修", "School-based study"),
    "self_study": ("自主研修", "Self-study"),
}
NATIONAL_FILE = Path("modules") / "credits" / "credits.yaml"
MODES = {"half_up": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}
Positive = Field(gt=0, le=100000)
VersionKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$")]


class Rounding(Strict):
    step: Decimal = Field(default=Decimal("0.1"), gt=0, le=100)
    mode: Literal["half_up", "down", "up"] = "half_up"

    def apply(self, value: Decimal) -> Decimal:
        return ((value / self.step).quantize(Decimal(1), rounding=MODES[self.mode]) * self.step).quantize(Decimal("0.01"))


class Rule(Strict):
    levels: list[str] = []                # empty: every level
    types: list[str] = []                 # empty: every type
    hours_per_credit: Decimal = Positive
    factor: Decimal = Field(default=Decimal(1), gt=0, le=100)
    category: str
    max_per_project: Decimal | None = Field(default=None, gt=0, le=100000)

    def matches(self, level: str, kind: str) -> bool:
        return (not self.levels or level in self.levels) and (not self.types or kind in self.types)


class Caps(Strict):
    yearly: dict[str, Decimal] = {}
    cycle: dict[str, Decimal] = {}


class Version(Strict):
    version: VersionKey
    valid_from: date
    valid_to: date | None = None
    rounding: Rounding = Rounding()
    rules: list[Rule]
    caps: Caps = Caps()

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Cycle(Strict):
    years: int = Field(default=5, ge=1, le=10)
    first_start: date = date(2021, 1, 1)

    def window(self, day: date) -> tuple[date, date]:
        """The cycle containing ``day``: [start, end]."""
        k = (day.year - self.first_start.year) // self.years
        start = self.first_start.replace(year=self.first_start.year + k * self.years)
        if start > day:
            start = start.replace(year=start.year - self.years)
        end = start.replace(year=start.year + self.years)
        return start, date.fromordinal(end.toordinal() - 1)


class Spec(Strict):
    cycle: Cycle | None = None
    categories: dict[Key, Text] = {}
    versions: list[Version] = []


class CreditsFile(Strict):
    credits: Spec


@dataclass(frozen=True)
class Rules:
    """The rules in force for one province (``scope``: its code, or "national")."""

    scope: str
    cycle: Cycle
    categories: dict[str, Text]
    versions: list[Version]

    def version_on(self, day: date) -> Version | None:
        return next((v for v in self.versions if v.valid_on(day)), None)

    def version_id(self, v: Version) -> str:
        return f"{self.scope}:{v.version}"


@dataclass(frozen=True)
class Conversion:
    credits: Decimal          # before caps (the service applies yearly and cycle caps)
    category: str
    version: str              # "<scope>:<version>", stored on the ledger entry
    rule: dict[str, Any]      # the rule applied, as data (stored with the confirmed result)


class NoRule(Exception):
    """No version valid on the day, or no rule for the level and type (the message says which)."""


def convert(rules: Rules, *, level: str, kind: str, hours: Decimal, on: date) -> Conversion:
    v = rules.version_on(on)
    if v is None:
        raise NoRule(f"{rules.scope}: no credit rule version valid on {on.isoformat()}")
    rule = next((r for r in v.rules if r.matches(level, kind)), None)
    if rule is None:
        raise NoRule(f"{rules.version_id(v)}: no rule for level {level}, type {kind}")
    raw = Decimal(hours) / rule.hours_per_credit * rule.factor
    credits = v.rounding.apply(raw)
    if rule.max_per_project is not None:
        credits = min(credits, rule.max_per_project)
    as_data = {"hours_per_credit": str(rule.hours_per_credit), "factor": str(rule.factor),
               "category": rule.category, "rounding": {"step": str(v.rounding.step), "mode": v.rounding.mode},
               "max_per_project": None if rule.max_per_project is None else str(rule.max_per_project)}
    return Conversion(credits, rule.category, rules.version_id(v), as_data)


# ------------------------------------------------------------------ loading and checking

def _read(root: Path, path: Path) -> tuple[Spec | None, list[Problem]]:
    from engine.load import build, read_yaml

    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    raw, problems = read_yaml(path, rel)
    if raw is None:
        return None, problems
    if not isinstance(raw, dict) or "credits" not in raw:
        return None, [Problem(E.E_CREDITS_FILE, getattr(raw, "loc", SourceLoc(rel)), {"file": rel})]
    obj, found = build(CreditsFile, raw, path)
    return (obj.credits if obj else None), problems + found


def _check(spec: Spec, categories: set[str], *, need_versions: bool, rel: str) -> list[Problem]:
    problems: list[Problem] = []

    def unknown(code: str, word: str, known: Any, loc: SourceLoc, what: str) -> None:
        problems.append(Problem(code, loc, {"word": word, "what": what, "allowed": ", ".join(known),
                                            **E.suggestion(word, list(known))}))

    if need_versions and not spec.versions:
        problems.append(Problem(E.E_CREDITS_NO_VERSION, spec.loc if spec.loc.line else SourceLoc(rel), {"file": rel}))
    seen: dict[str, SourceLoc] = {}
    for i, v in enumerate(spec.versions):
        loc = v.loc if v.loc.line else spec.loc
        if v.version in seen:
            problems.append(Problem(E.E_CREDITS_VERSION, loc, {"detail_zh": f"版本「{v.version}」重复，首次出现在 {seen[v.version]}",
                                                               "detail_en": f"version '{v.version}' appears twice; first at {seen[v.version]}"}))
        seen.setdefault(v.version, loc)
        if v.valid_to is not None and v.valid_to < v.valid_from:
            problems.append(Problem(E.E_CREDITS_VERSION, v.where("valid_to"),
                                    {"detail_zh": f"版本「{v.version}」的 valid_to 早于 valid_from",
                                     "detail_en": f"version '{v.version}' ends (valid_to) before it starts (valid_from)"}))
        for w in spec.versions[:i]:
            if (w.valid_to is None or v.valid_from <= w.valid_to) and (v.valid_to is None or w.valid_from <= v.valid_to):
                problems.append(Problem(E.E_CREDITS_VERSION, v.where("valid_from"),
                                        {"detail_zh": f"版本「{v.version}」与版本「{w.version}」（{w.loc}）的有效期重叠",
                                         "detail_en": f"version '{v.version}' overlaps the validity of version '{w.version}' ({w.loc})"}))
        for j, r in enumerate(v.rules):
            for k, lv in enumerate(r.levels):
                if lv not in LEVELS:
                    unknown(E.E_CREDITS_LEVEL, lv, LEVELS, r.where("levels", k), "levels")
            for k, ty in enumerate(r.types):
                if ty not in TYPES:
                    unknown(E.E_CREDITS_LEVEL, ty, TYPES, r.where("types", k), "types")
            if r.category not in categories:
                unknown(E.E_CREDITS_CATEGORY, r.category, sorted(categories), r.where("category"), "category")
        for kind in ("yearly", "cycle"):
            for cat in getattr(v.caps, kind):
                if cat not in categories:
                    unknown(E.E_CREDITS_CATEGORY, cat, sorted(categories), v.caps.where(kind, cat), f"caps.{kind}")
        missing = [(lv, ty) for lv in LEVELS for ty in TYPES if not any(r.matches(lv, ty) for r in v.rules)]
        if missing:
            lv, ty = missing[0]
            problems.append(Problem(E.E_CREDITS_UNCOVERED, v.where("rules"), {
                "version": v.version, "level": lv, "type": ty, "count": len(missing),
                "level_zh": LEVELS[lv][0], "type_zh": TYPES[ty][0]}))
    return problems


def _province_codes(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "provinces").glob("*/") if p.is_dir())


def load(root: Path, province: str | None) -> tuple[Rules | None, list[Problem]]:
    """The rules in force for ``province`` (None: the national default) and the problems of the
    files read. No national file (the credits module is not there): no rules, no problems."""
    root = Path(root)
    national = root / NATIONAL_FILE
    if not national.is_file():
        return None, []
    spec, problems = _read(root, national)
    if spec is None:
        return None, problems
    categories = dict(spec.categories)
    problems += _check(spec, set(categories), need_versions=True, rel=str(NATIONAL_FILE))
    cycle, versions, scope = spec.cycle or Cycle(), spec.versions, "national"
    own = root / "provinces" / (province or "") / "credits.yaml"
    if province and own.is_file():
        pspec, found = _read(root, own)
        problems += found
        if pspec is not None:
            categories.update(pspec.categories)
            problems += _check(pspec, set(categories), need_versions=False, rel=str(own.relative_to(root)))
            cycle = pspec.cycle or cycle
            if pspec.versions:
                versions, scope = pspec.versions, province
    return Rules(scope, cycle, categories, list(versions)), problems


def check_all(root: Path, provinces: list[str] | None = None) -> list[Problem]:
    """Every problem of the national file and of each province's own file."""
    root = Path(root)
    problems: list[Problem] = []
    codes = provinces if provinces is not None else _province_codes(root)
    _, found = load(root, None)
    problems += found
    for code in codes:
        if (root / "provinces" / code / "credits.yaml").is_file():
            _, found = load(root, code)
            problems += [p for p in found if "provinces/" in str(p.loc.file)]
    return problems
