"""The statistics snapshot calendar: the days each year on which a snapshot of the approved data
is frozen (modules/statistics/snapshots.py takes them).

Files (strict typed models: an unknown key is E102 with a "did you mean", at file:line):
- ``modules/statistics/snapshots.yaml`` (``snapshots: national``): the national update deadlines,
  end of March and end of September (暂行办法 art. 18);
- ``provinces/<code>/snapshots.yaml`` (``snapshots: "<code>"``): a province's own days.

Each day is ``day: "MM-DD"`` with a label. A day that is not a date of every year (02-30, 13-01,
02-29), a day given twice, or a file whose ``snapshots:`` names another province is E510 at its
file and line (``tmis check``: ``check_repo`` calls ``check_all``). Engine code: it reads files,
never the database or the app. Without modules/statistics/snapshots.yaml (the module deleted)
there is no calendar and nothing to check.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import errors as E
from engine.errors import Problem
from engine.load import build, read_yaml
from engine.source import SourceLoc
from engine.spec import Strict, Text

NATIONAL_FILE = "modules/statistics/snapshots.yaml"
PROVINCE_FILE = "snapshots.yaml"
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")

class DateSpec(Strict):
    day: str
    label: Text
    note: str | None = None


class CalendarFile(Strict):
    snapshots: str
    dates: list[DateSpec] = []
    note: str | None = None


@dataclass(frozen=True)
class Deadline:
    """One day of the calendar, every year."""

    month: int
    day: int
    label: Text
    origin: str  # national | province code
    loc: SourceLoc

    @property
    def key(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"

    def on(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)


def _problem(loc: Any, detail: str, detail_en: str) -> Problem:
    return Problem(E.E_SNAPSHOT_CALENDAR, loc, {"detail": detail, "detail_en": detail_en})


def _read(path: Path, rel: str, origin: str) -> tuple[CalendarFile | None, list[Any]]:
    raw, problems = read_yaml(path, rel)
    if problems:
        return None, problems
    if not isinstance(raw, dict) or "snapshots" not in raw:
        loc = getattr(raw, "loc", SourceLoc(rel))
        return None, [_problem(loc, "顶层缺少 snapshots:", "the top key snapshots: is missing")]
    obj, problems = build(CalendarFile, raw, Path(rel))
    if obj is not None and str(obj.snapshots) != origin:
        return None, [_problem(obj.where("snapshots"), f"snapshots: 应为「{origin}」，现为「{obj.snapshots}」",
                               f"snapshots: should be '{origin}', not '{obj.snapshots}'")]
    return obj, problems


def compile(repo: Path, province: str | None) -> tuple[list[Deadline], list[Any]]:
    """The calendar in force for ``province`` (national days first), and the problems found."""
    repo = Path(repo).resolve()
    if not (repo / NATIONAL_FILE).exists():
        return [], []
    files = [(repo / NATIONAL_FILE, NATIONAL_FILE, "national")]
    if province and province != "national":
        path = repo / "provinces" / province / PROVINCE_FILE
        if path.exists():
            files.append((path, f"provinces/{province}/{PROVINCE_FILE}", province))
    out: list[Deadline] = []
    problems: list[Any] = []
    seen: dict[str, SourceLoc] = {}
    for path, rel, origin in files:
        obj, found = _read(path, rel, origin)
        problems += found
        for i, d in enumerate(obj.dates if obj is not None else []):
            loc = d.where("day")
            m = MONTH_DAY.match(str(d.day))
            try:
                day = dt.date(2023, int(m.group(1)), int(m.group(2))) if m else None  # 2023: not a leap year
            except ValueError:
                day = None
            if day is None:
                problems.append(_problem(loc, f"「{d.day}」不是每年都有的日期（写成 \"MM-DD\"，如 \"06-30\"）",
                                         f"'{d.day}' is not a day of every year (write \"MM-DD\", e.g. \"06-30\")"))
                continue
            key = f"{day.month:02d}-{day.day:02d}"
            if key in seen:
                problems.append(_problem(loc, f"日期「{key}」重复，另一处在 {seen[key]}",
                                         f"the day '{key}' is given twice; the other is at {seen[key]}"))
                continue
            seen[key] = loc
            out.append(Deadline(day.month, day.day, d.label, origin, d.loc))
    return sorted(out, key=lambda d: (d.month, d.day)), problems


def calendar(repo: Path, province: str | None) -> list[Deadline]:
    """The calendar in force; problems raise (``tmis check`` reports them first)."""
    found, problems = compile(Path(repo), province)
    if problems:
        raise RuntimeError("snapshot calendar has problems (run tmis check):\n" + "\n".join(map(str, problems)))
    return found


def check_all(repo: Path, provinces: list[str]) -> list[Problem]:
    """Every province's calendar problems (what ``tmis check`` prints), each once."""
    out: list[Problem] = []
    seen: set[str] = set()
    for code in provinces or ["national"]:
        for p in compile(repo, code)[1]:
            if str(p) not in seen:
                seen.add(str(p))
                out.append(p)
    return out


def occurrences(deadlines: list[Deadline], after: dt.date, upto: dt.date) -> list[tuple[dt.date, Deadline]]:
    """Every (day, deadline) with ``after < day <= upto``, oldest first."""
    out = []
    for year in range(after.year, upto.year + 1):
        for d in deadlines:
            day = d.on(year)
            if after < day <= upto:
                out.append((day, d))
    return sorted(out, key=lambda x: x[0])
