"""The warning list (预警名单): teachers whose registration cycle ends within ``warn_months`` of
a date (or has ended) and who do not meet the conditions yet, for the school and the authorities
above it, within the reader's scope. Names with the ID number masked and ethics items hidden for a
reader without ``personal.read``; one audit entry per look, naming the teachers (ids only).

The qualification records of the scope are read in one query and their cycles computed here;
only the teachers due are evaluated (their records in one query, the credit bank per teacher)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.registration import eligibility as EL
from modules.registration.models import RegistrationApplication
from modules.registration.service import as_of_date
from web import privacy, scope
from web.db.models import Record, Teacher, Unit

from web.principal import Principal

LIMIT = 1000
FILTER_LIMIT = 300     # past this many units below the reader, the filter is a code to type


def _due(db: Session, me: Principal, unit: Unit | None, day: Any, rules: Any) -> list[int]:
    stmt = (select(Record.teacher_id, Record.id, Record.document).join(Teacher, Teacher.id == Record.teacher_id)
            .where(Record.set_key == "qualification", Record.copy_of_id.is_(None), scope.teacher_filter(me),
                   Teacher.left_on.is_(None)))
    if unit is not None:
        stmt = stmt.where(Teacher.unit_id.in_(scope.subtree([unit.id])))
    horizon = EL.add_months(day, rules.warn_months)
    due: dict[int, None] = {}
    carried = EL.carried_starts(db, stmt.with_only_columns(Record.id).scalar_subquery())
    for tid, rid, doc in db.execute(stmt.order_by(Record.teacher_id)):
        cycle = EL.cycle_of(rid, dict(doc or {}), rules.cycle_years, rules.first_cycle_start, carried.get(rid), day)
        if cycle is not None and cycle.end <= horizon:
            due[tid] = None
    return list(due)


def warning_list(db: Session, ctx: Any, me: Principal, unit_code: str | None = None,
                 as_of: str | None = None, eligible: bool = False) -> dict[str, Any]:
    """The warning list (``eligible=True``: the teachers due who do meet the conditions, whom a
    school applies for with one button)."""
    day = as_of_date(as_of)
    scope.require(me, "teacher.read")
    unit = None
    if unit_code:
        unit = scope.require_unit(db, me, db.scalar(select(Unit).where(Unit.code == unit_code.strip())), "teacher.read")
    rules = EL.rules_for(ctx)
    rows = due_rows(db, ctx, me, unit, day, eligible=eligible)
    return {"as_of": day.isoformat(), "warn_months": rules.warn_months, "count": len(rows), "teachers": rows}


def due_rows(db: Session, ctx: Any, me: Principal, unit: Unit | None, day: Any, *, eligible: bool,
             audited: bool = True) -> list[dict[str, Any]]:
    """The teachers of the scope (of ``unit``) whose cycle ends within the window: those who do not
    meet the conditions yet (``eligible=False``) or those who do."""
    rules = EL.rules_for(ctx)
    ids = _due(db, me, unit, day, rules)
    recs = EL.records_of(db, ids)
    open_apps = {a.teacher_id: a.batch_id for a in db.scalars(
        select(RegistrationApplication).where(RegistrationApplication.teacher_id.in_(ids),
                                              RegistrationApplication.open_record_id.is_not(None)))} if ids else {}
    seen = privacy.listing(db, me, ids)  # web/privacy.py decides who is shown unmasked
    rows = []
    for tid in ids:
        answer = EL.answer_for(db, ctx.catalogue, rules, tid, day, recs[tid]).first
        if answer.eligible != eligible:
            continue
        teacher = db.get(Teacher, tid)
        shown = seen.shown(tid)
        rows.append({"teacher_id": tid, "name": teacher.name,
                     "id_number": seen.id_number(tid, teacher.id_number),
                     "unit": {"code": teacher.unit.code, "name": teacher.unit.name},
                     "cycle_start": answer.cycle.start.isoformat(), "cycle_end": answer.cycle.end.isoformat(),
                     "unmet": [u.json(shown) for u in answer.unmet], "applied_in": open_apps.get(tid)})
        if len(rows) >= LIMIT:
            break
    rows.sort(key=lambda r: (r["cycle_end"], r["unit"]["code"], r["teacher_id"]))
    if rows and audited:
        seen.audit(db, "registration.warnings", [r["teacher_id"] for r in rows], action="registration.warnings",
                   target_type="unit", target_id=unit.id if unit else None, unit_id=me.unit_id,
                   teachers=[r["teacher_id"] for r in rows][:200], as_of=day.isoformat(), eligible=eligible)
    return rows


def units_to_filter(db: Session, me: Principal) -> dict[str, Any]:
    """The unit filter of the pages: hidden (``kind`` none) when the reader reaches a single unit
    (a school), a list to choose from when it reaches a few, a code to type past FILTER_LIMIT."""
    roots = me.roots("teacher.read")
    if not roots:
        return {"kind": "none", "units": []}
    units = list(db.execute(select(Unit.code, Unit.name).where(Unit.id.in_(scope.subtree(roots)))
                            .order_by(Unit.code).limit(FILTER_LIMIT + 1)))
    if len(units) <= 1:
        return {"kind": "none", "units": []}
    if len(units) > FILTER_LIMIT:
        return {"kind": "code", "units": []}
    return {"kind": "list", "units": [{"code": c, "name": n} for c, n in units]}


def count(db: Session, ctx: Any, me: Principal, unit: Unit) -> int:
    """For the home page: how many of the unit's teachers are on the list today (no audit: no
    one's data is shown, only a number)."""
    rules = EL.rules_for(ctx)
    day = as_of_date(None)
    ids = _due(db, me, unit, day, rules)
    recs = EL.records_of(db, ids)
    return sum(1 for tid in ids if not EL.answer_for(db, ctx.catalogue, rules, tid, day, recs[tid]).first.eligible)
