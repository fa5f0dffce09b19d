"""The credit bank's reads (学分银行): one teacher's credits (total, by year and category, every
entry, as of a day) and a page of a unit's teachers with their year, cycle and category sums.
The writes are in service.py; the ledger itself in ledger.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import credits as C
from modules.credits import ledger
from modules.credits.models import CreditEntry, TrainingProject
from modules.credits.service import rules_for
from web import audit, scope
from web.db.models import Teacher, Unit
from web.errors import Refusal
from web.principal import Principal

def teacher_credits(db: Session, me: Principal, teacher_id: int, *, as_of: date | None = None,
                    start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """A teacher's credit bank: total, by year and category, and every entry (the teacher's own,
    or one within the reader's scope; another person's read is audited)."""
    teacher = scope.get_teacher(db, me, teacher_id)
    start, end = start or date(1900, 1, 1), end or date(2999, 12, 31)
    b = ledger.balance(db, teacher.id, start=start, end=end, as_of=as_of)
    names = dict(db.execute(select(TrainingProject.id, TrainingProject.name).where(
        TrainingProject.id.in_(select(CreditEntry.project_id).where(CreditEntry.teacher_id == teacher.id)))).all())
    entries = [{"id": e.id, "kind": e.kind, "credits": str(e.credits), "hours": str(e.hours), "category": e.category,
                "effective": e.effective.isoformat(), "project_id": e.project_id, "project": names.get(e.project_id),
                "rule_version": e.rule_version, "confirmed_by": e.confirmed_by,
                "recorded_at": e.recorded_at.isoformat(), "note": e.note}
               for e in ledger.entries(db, teacher.id, start=start, end=end, as_of=as_of)]
    if me.teacher_id != teacher.id:
        audit.record(db, "credits.read", actor=me, target_type="teacher", target_id=teacher.id, unit_id=teacher.unit_id)
    return {"teacher_id": teacher.id, "name": teacher.name, "as_of": (as_of or date.today()).isoformat(),
            "total": str(b.credits), "hours": str(b.hours), "by_year": {str(y): str(v) for y, v in b.by_year.items()},
            "by_category": {k: str(v) for k, v in b.by_category.items()}, "entries": entries}


def balances_page(db: Session, me: Principal, *, root: Path, as_of: date | None = None, year: int | None = None,
                  limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The credit bank of a unit's teachers (the caller's scope), one page: per teacher the credits
    of ``year``, of the registration cycle containing it, by category in the cycle and in all,
    as recorded by ``as_of``. One page of teachers (the order of the teacher list), then one
    grouped query over the ledger for those teachers only."""
    scope.require(me, "teacher.read")
    day = as_of or date.today()
    year = year or day.year
    prov = scope.province_of(db, me.unit_id)
    try:
        cycle = rules_for(root, prov.code if prov else None).cycle
    except Refusal:
        cycle = C.Cycle()
    start, end = cycle.window(date(year, 7, 1))
    total = scope.count_teachers(db, me)
    rows = db.execute(select(Teacher.id, Teacher.name, Teacher.id_number, Unit.name).join(Unit, Unit.id == Teacher.unit_id)
                      .where(scope.teacher_filter(me)).order_by(Teacher.unit_id, Teacher.name, Teacher.id)
                      .limit(max(1, min(limit, 200))).offset(max(0, offset))).all()
    ids = [r[0] for r in rows]
    sums: dict[int, dict[str, Any]] = {i: {"year": Decimal(0), "cycle": Decimal(0), "all": Decimal(0), "by_category": {}} for i in ids}
    if ids:
        year_col = func.extract("year", CreditEntry.effective) if db.get_bind().dialect.name != "sqlite" \
            else func.strftime("%Y", CreditEntry.effective)
        stmt = (select(CreditEntry.teacher_id, CreditEntry.category, year_col, func.sum(CreditEntry.credits))
                .where(CreditEntry.teacher_id.in_(ids))
                .group_by(CreditEntry.teacher_id, CreditEntry.category, year_col))
        if as_of is not None:  # None: everything recorded until now
            stmt = stmt.where(CreditEntry.recorded_at < ledger._end_of(as_of))
        for tid, cat, y, c in db.execute(stmt):
            s, c, y = sums[tid], Decimal(str(c or 0)), int(y)
            s["all"] += c
            if y == year:
                s["year"] += c
            if start.year <= y <= end.year:
                s["cycle"] += c
                s["by_category"][cat] = s["by_category"].get(cat, Decimal(0)) + c
    q = ledger.CENT
    items = [{"id": tid, "name": name, "id_number": scope.mask_id_number(num), "unit_name": unit,
              "year": str(sums[tid]["year"].quantize(q)), "cycle": str(sums[tid]["cycle"].quantize(q)),
              "total": str(sums[tid]["all"].quantize(q)),
              "by_category": {k: str(v.quantize(q)) for k, v in sorted(sums[tid]["by_category"].items())}}
             for tid, name, num, unit in rows]
    return {"total": total, "as_of": day.isoformat(), "year": year, "offset": max(0, offset), "cycle": [start.isoformat(), end.isoformat()],
            "items": items}
