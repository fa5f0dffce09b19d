"""The facts of statistics: one row per active teacher with the code of every dimension, built
from approved data only. The one place that says who is counted, where and with which values:
the summary tables (refresh.py), the direct computation the tests and the benchmark compare them
with, and snapshots (S3) all read ``build_rows``.

Counted ("active"): on the roll on the day (web/people/roll.py: not left, retired or dead), with
an approved 基本信息 record (the file passed its first review). Values come from approved records
only (``state = 'approved'``, no copies under review: ``copy_of_id IS NULL``); derived fields
(最高学历, 现任专业技术职务, 现任岗位类别) are derived from those records by the catalogue
(``Catalogue.derive``), as the forms show them. Where: today, the unit holding the teacher
(``teachers.unit_id``); on a past day, the unit that held them then (web.people.history.units_on).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from modules.statistics.catalogue import Definitions, Dimension, month_start, years_between
from web.db.models import Record, Teacher, Unit, UnitClosure
from web.people import clock, history
from web.people.roll import on_roll

APPROVED = "approved"
CHUNK = 2000


def _approved_basic(teacher_id: Any) -> Any:
    """The teacher has an approved 基本信息 (EXISTS: one index probe per teacher, ix_records_teacher_set)."""
    return exists().where(Record.teacher_id == teacher_id, Record.set_key == "basic", Record.state == APPROVED,
                          Record.copy_of_id.is_(None))


def teachers_on(db: Session, day: dt.date, *, unit_ids: Any = None, teacher_ids: Iterable[int] | None = None,
                live: bool | None = None) -> Iterator[tuple[int, int]]:
    """(teacher_id, unit_id) of the active teachers on ``day`` (see the module's docstring), in
    teacher order; ``unit_ids`` (ids or a SELECT of ids) and ``teacher_ids`` narrow it."""
    live = (day >= clock.today()) if live is None else live
    if live:
        stmt = select(Teacher.id, Teacher.unit_id).where(on_roll(day))
        unit_col, tid_col = Teacher.unit_id, Teacher.id
    else:
        sub = history.units_on(day).subquery()
        stmt = select(sub.c.teacher_id, sub.c.unit_id).join(Teacher, Teacher.id == sub.c.teacher_id).where(
            on_roll(day))
        unit_col, tid_col = sub.c.unit_id, sub.c.teacher_id
    stmt = stmt.where(_approved_basic(tid_col))
    if unit_ids is not None:
        stmt = stmt.where(unit_col.in_(unit_ids))
    if teacher_ids is not None:
        ids = list(teacher_ids)
        stmt = stmt.where(tid_col.in_(ids or [-1]))
    yield from db.execute(stmt.order_by(tid_col)).all()


@dataclass(frozen=True)
class _Plan:
    """What to read of the records, decided once per call: per set the document keys needed, and
    for each field dimension where its value comes from (the field itself, or a derived field's
    source records: ``Catalogue.derive``'s rule, applied here to the few keys read)."""

    keys: tuple[str, ...]  # the document keys read (one column each)
    sets: tuple[str, ...]
    derived: dict[tuple[str, str], Any]  # (set, field) -> (Derived spec, none field, none code)


def _plan(cat: Any, dims: Sequence[Dimension]) -> _Plan:
    sets, keys, derived = {"basic"}, {"work_start_month"}, {}
    all_sets = cat.sets
    for d in dims:
        if d.kind != "field":
            continue
        spec = all_sets.get(d.set_key)
        f = next((f for f in spec.all_fields() if f.key == d.field_key), None) if spec else None
        if f is not None and f.derived is not None:
            src = all_sets.get(f.derived.from_set)
            none = src.none if src is not None else None
            derived[(d.set_key, d.field_key)] = (f.derived, none.field if none else None, none.code if none else None)
            sets.add(f.derived.from_set)
            keys |= {f.derived.field, f.derived.by} | ({none.field} if none else set())
        else:
            sets.add(d.set_key)  # type: ignore[arg-type]
            keys.add(d.field_key)  # type: ignore[arg-type]
    return _Plan(tuple(sorted(keys)), tuple(sorted(sets)), derived)


def _derive(rule: Any, records: list[dict[str, Any]]) -> Any:
    """engine.catalogue.Catalogue.derive for one field: the record with the smallest (largest) ``by``,
    skipping 无 records, empty ``by`` and the ``skip`` values; its ``field``."""
    d, none_field, none_code = rule
    candidates = [r for r in records if not (none_field and r.get(none_field) == none_code)
                  and r.get(d.by) not in (None, "") and str(r.get(d.by)) not in d.skip]
    if not candidates:
        return None
    pick = min if d.choose == "min" else max
    return pick(candidates, key=lambda r: str(r.get(d.by)).zfill(12)).get(d.field)


def _value(raw: Any) -> Any:
    """A document value as read by ``->>`` / json_extract: lists come back as JSON text."""
    if isinstance(raw, str) and raw[:1] == "[":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def build_rows(db: Session, as_of: dt.date | None = None, *, cat: Any = None, defs: Definitions | None = None,
               unit_ids: Any = None, teacher_ids: Iterable[int] | None = None,
               live: bool | None = None) -> Iterator[dict[str, Any]]:
    """One row per active teacher on ``as_of`` (today by default): ``teacher_id``, ``unit_id``
    (the unit holding them that day), ``school_type``, ``birth_date``, ``age`` and ``dims``
    ({dimension key: code}). Streams: reads the teachers and the few document keys the dimensions
    need a chunk at a time, so memory does not grow with the province."""
    from modules.statistics.catalogue import definitions

    day = as_of or clock.today()
    cat = cat if cat is not None else _catalogue()
    defs = defs if defs is not None else definitions(cat)
    dims = list(defs.dimensions.values())
    plan = _plan(cat, dims)
    units: dict[int, tuple[str | None, str | None]] = {}  # filled a chunk at a time (one teacher: one unit)
    chunk: list[tuple[int, int]] = []
    for pair in teachers_on(db, day, unit_ids=unit_ids, teacher_ids=teacher_ids, live=live):
        chunk.append(pair)
        if len(chunk) >= CHUNK:
            yield from _rows(db, plan, dims, units, chunk, day)
            chunk = []
    if chunk:
        yield from _rows(db, plan, dims, units, chunk, day)


def _rows(db: Session, plan: _Plan, dims: list[Dimension], units: dict[int, tuple[str | None, str | None]],
          chunk: list[tuple[int, int]], day: dt.date) -> Iterator[dict[str, Any]]:
    ids = [t for t, _ in chunk]
    missing = {u for _, u in chunk if u not in units}
    if missing:
        units.update((uid, (st, ur)) for uid, st, ur in db.execute(
            select(Unit.id, Unit.school_type, Unit.urban_rural).where(Unit.id.in_(missing))).all())
    births = dict(db.execute(select(Teacher.id, Teacher.birth_date).where(Teacher.id.in_(ids))).all())
    files: dict[int, dict[str, list[dict[str, Any]]]] = {t: {} for t in ids}
    cols = [Record.document[k].as_string() for k in plan.keys]
    for tid, set_key, *values in db.execute(
            select(Record.teacher_id, Record.set_key, *cols)
            .where(Record.teacher_id.in_(ids), Record.set_key.in_(plan.sets), Record.state == APPROVED,
                   Record.copy_of_id.is_(None))
            .order_by(Record.teacher_id, Record.set_key, Record.position, Record.id)).all():
        files[tid].setdefault(set_key, []).append({k: _value(v) for k, v in zip(plan.keys, values) if v is not None})
    for tid, uid in chunk:
        school_type, urban_rural = units.get(uid, (None, None))
        file = files[tid]
        basic = (file.get("basic") or [{}])[0]
        birth = births.get(tid)
        age = years_between(birth, day)
        out: dict[str, str] = {}
        for d in dims:
            if d.kind == "unit":
                out[d.key] = d.code(school_type if d.spec.unit == "school_type" else urban_rural)
            elif d.kind == "computed":
                if d.spec.computed == "age":
                    out[d.key] = d.band(age)
                else:
                    out[d.key] = d.band(years_between(month_start(basic.get("work_start_month")), day))
            else:
                rule = plan.derived.get((d.set_key, d.field_key))  # type: ignore[arg-type]
                if rule is not None:
                    raw = _derive(rule, file.get(rule[0].from_set) or [])
                else:
                    raw = ((file.get(d.set_key) or [{}])[0]).get(d.field_key)  # type: ignore[arg-type]
                out[d.key] = d.code(raw)
        yield {"teacher_id": tid, "unit_id": uid, "school_type": school_type, "birth_date": birth, "age": age,
               "dims": out}


def subtree_ids(unit_id: int) -> Any:
    """A SELECT of the unit ids at or below ``unit_id``."""
    return select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit_id)


def _catalogue() -> Any:
    from engine.catalogue import build_catalogues
    from web.modules import current

    reg = current()
    province = reg.province or "national"
    return build_catalogues(reg.root, [province] if province != "national" else [])[province]


__all__ = ["build_rows", "teachers_on", "subtree_ids", "and_"]
