"""Carried-over credits (结转学分): credits a teacher earned before this system or outside it (a
province's previous continuing-education platform, another province's credit certificate) brought
into the credit bank, so that they count towards the registration cycle they fall in.

One write, ``carry_over``, used by the API (JSON rows), the Excel upload (sheet_carry.py) and the
page: an authority's reviewer (credits.carry_over: record.review at or above its own unit, a
county, city or province) imports rows {id_number, name, category, credits, hours, earned_on,
source} of teachers within its scope. Every row is checked; all rows are written or none
(CarryRowsRefused names each problem by row and column, like results.check_rows for training results).
Each row becomes one ``carried_over`` ledger entry effective on the day earned, its note the
source, its rule version ``carried:<importing unit code>``, confirmed by the importer. Caps do
not apply: they limit what a project's hours convert to, and these credits were converted where
they were earned. A row already carried over (same teacher, category, date, credits and source)
is refused as a duplicate: the entry's ``source`` column holds a digest of those five, unique in
the ledger, so importing the same file twice adds nothing, even two imports at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import idnumber
from modules.credits import carry_words as Cw
from modules.credits import ledger
from modules.credits import projects as P
from modules.credits import results as R
from modules.credits.models import CreditEntry
from web import audit, scope
from web.db.models import Teacher, Unit
from web.errors import Refusal
from web.permissions import may
from web.principal import Principal

CARRY = "credits.carry_over"
PREFIX = "carried"
MAX_CREDITS = Decimal("1000")
MAX_HOURS = Decimal("10000")
FIRST_DAY = date(1950, 1, 1)
MAX_SOURCE = 100
MAX_ROWS = 100_000
COLUMNS = ("id_number", "name", "category", "credits", "hours", "earned_on", "source")


def version_label(unit_name: str, lang: str = "zh") -> str:
    """What a person reads for the rule version ``carried:<code>`` (bank.rule_version_labels)."""
    return f"结转（{unit_name}）" if lang != "en" else f"Carried over ({unit_name})"


@dataclass
class CarryProblem(R.RowProblem):
    """One row's problem (results.RowProblem, in this import's words)."""

    def as_json(self) -> dict[str, Any]:
        zh, en, hint, hint_en = Cw.ROW[self.key]
        return {"row": self.row, "column": self.column, "message": zh.format(**self.args),
                "message_en": en.format(**self.args), "hint": hint.format(**self.args),
                "hint_en": hint_en.format(**self.args)}


class CarryRowsRefused(Refusal):
    def __init__(self, problems: list[CarryProblem]) -> None:
        super().__init__(Cw.W_CARRY_ROWS, count=len(problems))
        self.problems = problems

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "problems": [p.as_json() for p in self.problems]}


def may_carry(db: Session, me: Principal) -> bool:
    """Whether ``carry_over`` accepts the caller at all (the menu, the page's form)."""
    return may(me, CARRY, db.get(Unit, me.unit_id), db=db)


def require_carry(db: Session, me: Principal) -> Unit:
    unit = db.get(Unit, me.unit_id)
    if not may(me, CARRY, unit, db=db):
        raise Refusal(Cw.W_CARRY_NOT_YOURS)
    return unit


def categories(root: Path, db: Session, me: Principal) -> dict[str, Any]:
    """The province's credit categories (key → Text), for the checks, the template and the page."""
    prov = scope.province_of(db, me.unit_id)
    return dict(R.rules_for(root, prov.code if prov else None).categories)


# ------------------------------------------------------------------ one value each

def _decimal(value: Any, high: Decimal, *, zero_ok: bool) -> Decimal | None:
    d = P._decimal(value)
    # the range first: quantizing 1e999999 would raise, not answer
    if d is None or d > high or d < 0 or (d == 0 and not zero_ok) or d != d.quantize(ledger.CENT):
        return None
    return abs(d).quantize(ledger.CENT)  # -0 as 0


_DAY = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _day(value: Any) -> date | None:
    """A date as typed or as a spreadsheet holds it: 2024-06-30, 2024/6/30, 2024年6月30日, a date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DAY.match(str(value or ""))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _category(value: Any, cats: dict[str, Any]) -> str | None:
    """A category by its key, its Chinese or its English name."""
    text = " ".join(str(value or "").split())
    for key, label in cats.items():
        if text in (key, label.zh) or (label.en and text.lower() == label.en.lower()):
            return key
    return None


def digest(teacher_id: int, category: str, earned_on: date, credits: Decimal, source: str) -> str:
    """The ledger's ``source`` of a carried-over entry: the same five values, the same digest."""
    key = f"{teacher_id}|{category}|{earned_on.isoformat()}|{credits.quantize(ledger.CENT)}|{source}"
    return f"{PREFIX}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}"


# ------------------------------------------------------------------ the rows

def check_rows(db: Session, me: Principal, rows: list[Any], cats: dict[str, Any], *, today: date,
               first_row: int = 1) -> tuple[list[dict[str, Any]], list[CarryProblem]]:
    """Each row checked (row numbers from ``first_row``); the good ones as ledger values. A teacher
    is found by ID number among those within the caller's record.review scope, and the name must
    match: an unknown number, a wrong name and a teacher elsewhere read the same ("unmatched"),
    so the import is no way to learn whether an ID number exists outside the caller's scope."""
    problems: list[CarryProblem] = []
    numbers = {idnumber.as_stored(r.get("id_number")) for r in rows if isinstance(r, dict)} - {""}
    found: dict[str, tuple[int, str]] = {}
    listed = sorted(numbers)
    for i in range(0, len(listed), 5000):
        stmt = select(Teacher.id_number, Teacher.id, Teacher.name).where(
            Teacher.id_number.in_(listed[i:i + 5000]), scope.teacher_filter(me, "record.review"))
        found.update({num: (tid, name) for num, tid, name in db.execute(stmt).all()})
    allowed = "、".join(f"{v.zh}" for v in cats.values())
    allowed_en = ", ".join(f"{v.en or v.zh} ({k})" for k, v in cats.items())
    checked: list[tuple[int, dict[str, Any]]] = []
    for i, raw in enumerate(rows):
        n = first_row + i
        r = raw if isinstance(raw, dict) else {}
        before = len(problems)

        def bad(column: str, key: str, **args: Any) -> None:
            problems.append(CarryProblem(n, column, key, args))

        tid = None
        if not idnumber.as_stored(r.get("id_number")):
            bad("id_number", "required", label="身份证件号", label_en="the ID number")
        elif not "".join(str(r.get("name") or "").split()):
            bad("name", "required", label="姓名", label_en="the name")
        else:
            tid, tname = found.get(idnumber.as_stored(r.get("id_number")), (None, None))
            if tid is None or R._name(r.get("name")) != R._name(tname):
                tid = None
                bad("id_number", "unmatched")
        category = _category(r.get("category"), cats)
        if category is None:
            bad("category", "category", value=str(r.get("category") or "")[:20], allowed=allowed, allowed_en=allowed_en)
        credits = _decimal(r.get("credits"), MAX_CREDITS, zero_ok=False)
        if credits is None:
            bad("credits", "credits", max=str(MAX_CREDITS))
        hours = _decimal(r.get("hours") if r.get("hours") not in (None, "") else 0, MAX_HOURS, zero_ok=True)
        if hours is None:
            bad("hours", "hours", max=str(MAX_HOURS))
        day = _day(r.get("earned_on"))
        if day is None:
            bad("earned_on", "date")
        elif day < FIRST_DAY:
            bad("earned_on", "early", first=FIRST_DAY.isoformat())
        elif day > today:
            bad("earned_on", "future", value=day.isoformat())
        source = " ".join(str(r.get("source") or "").split())
        if not 1 <= len(source) <= MAX_SOURCE:
            bad("source", "source")
        if len(problems) == before:
            checked.append((n, {"teacher_id": tid, "category": category, "credits": credits, "hours": hours,
                                "effective": day, "note": source,
                                "source": digest(tid, category, day, credits, source)}))
    # duplicates: within the rows, then against the ledger (only rows right in every other way)
    first: dict[str, int] = {}
    for n, g in checked:
        if g["source"] in first:
            problems.append(CarryProblem(n, "source", "twice", {"first": first[g["source"]]}))
        else:
            first[g["source"]] = n
    keys = list(first)
    done: set[str] = set()
    for i in range(0, len(keys), 5000):
        done.update(db.scalars(select(CreditEntry.source).where(CreditEntry.source.in_(keys[i:i + 5000]))))
    for n, g in checked:
        if g["source"] in done and first.get(g["source"]) == n:
            problems.append(CarryProblem(n, "source", "duplicate", {}))
    problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column)))
    bad_rows = {p.row for p in problems}
    return [g for n, g in checked if n not in bad_rows], problems


def carry_over(db: Session, me: Principal, rows: Any, *, root: Path, dry_run: bool = False,
               first_row: int = 1) -> dict[str, Any]:
    """Import carried-over credits: all rows or none (CarryRowsRefused), a dry run checks only.
    Rows are counted from ``first_row`` (1 for the API's list, 2 for a workbook's first data row)."""
    unit = require_carry(db, me)
    if not isinstance(rows, list) or not rows or len(rows) > MAX_ROWS:
        raise Refusal(Cw.W_CARRY_BODY, detail=f"rows 须为 1–{MAX_ROWS} 行的列表",
                      detail_en=f"rows must be a list of 1–{MAX_ROWS} rows")
    from web.people import clock

    good, problems = check_rows(db, me, rows, categories(root, db, me), today=clock.today(), first_row=first_row)
    if problems:
        raise CarryRowsRefused(problems)
    total = sum((g["credits"] for g in good), Decimal(0))
    summary = {"rows": len(good), "teachers": len({g["teacher_id"] for g in good}), "credits": str(total),
               "dry_run": dry_run, "saved": 0, "rule_version": f"{PREFIX}:{unit.code}"}
    if dry_run:
        return summary
    now = datetime.now(timezone.utc)
    entries = [{**g, "kind": "carried_over", "project_id": None, "rule_version": f"{PREFIX}:{unit.code}",
                "confirmed_by": me.account_id, "recorded_at": now} for g in good]
    try:
        with db.begin_nested():  # a concurrent import of the same rows: its unique digests win, this one says so
            ledger.insert_many(db, entries)
    except Exception as exc:  # the ORM's IntegrityError, or psycopg's own from the COPY path (web.db.bulk)
        if not (isinstance(exc, IntegrityError) or getattr(exc, "sqlstate", None) == "23505"):
            raise
        raise Refusal(Cw.W_CARRY_RACE) from None
    audit.record(db, "credits.carry_over", actor=me, target_type="unit", target_id=unit.id, unit_id=unit.id,
                 detail={"rows": len(good), "teachers": summary["teachers"], "credits": str(total)})
    return {**summary, "saved": len(good)}
