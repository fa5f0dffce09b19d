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
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from modules.statistics.catalogue import Definitions, Dimension, month_start, years_between
from web.db.models import Record, Teacher, Unit, UnitClosure
from web.people import clock, history
from web.people.roll import on_roll

APPROVED = "approved"
CHUNK = 2000


def _approved_basic() -> Any:
    return select(Record.teacher_id).where(Record.set_key == "basic", Record.state == APPROVED,
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
    stmt = stmt.where(tid_col.in_(_approved_basic()))
    if unit_ids is not None:
        stmt = stmt.where(unit_col.in_(unit_ids))
    if teacher_ids is not None:
        ids = list(teacher_ids)
        stmt = stmt.where(tid_col.in_(ids or [-1]))
    yield from db.execute(stmt.order_by(tid_col)).all()


def _sets_needed(cat: Any, dims: Sequence[Dimension]) -> set[str]:
    out = {"basic"}
    for d in dims:
        if d.kind != "field":
            continue
        out.add(d.set_key)  # type: ignore[arg-type]
        spec = cat.sets.get(d.set_key)
        f = next((f for f in spec.all_fields() if f.key == d.field_key), None) if spec else None
        if f is not None and f.derived is not None:
            out.add(f.derived.from_set)
    return out


def _derived_fields(cat: Any, dims: Sequence[Dimension]) -> set[tuple[str, str]]:
    out = set()
    for d in dims:
        if d.kind == "field":
            spec = cat.sets.get(d.set_key)
            f = next((f for f in spec.all_fields() if f.key == d.field_key), None) if spec else None
            if f is not None and f.derived is not None:
                out.add((d.set_key, d.field_key))
    return out  # type: ignore[return-value]


def build_rows(db: Session, as_of: dt.date | None = None, *, cat: Any = None, defs: Definitions | None = None,
               unit_ids: Any = None, teacher_ids: Iterable[int] | None = None,
               live: bool | None = None) -> Iterator[dict[str, Any]]:
    """One row per active teacher on ``as_of`` (today by default): ``teacher_id``, ``unit_id``
    (the unit holding them that day), ``school_type``, ``birth_date``, ``age`` and ``dims``
    ({dimension key: code}). Streams: reads the teachers and their approved records a chunk at a
    time, so memory does not grow with the province."""
    from modules.statistics.catalogue import definitions

    day = as_of or clock.today()
    cat = cat if cat is not None else _catalogue()
    defs = defs if defs is not None else definitions(cat)
    dims = list(defs.dimensions.values())
    sets = sorted(_sets_needed(cat, dims))
    derived = _derived_fields(cat, dims)
    units = {uid: (st, ur) for uid, st, ur in db.execute(select(Unit.id, Unit.school_type, Unit.urban_rural))}
    chunk: list[tuple[int, int]] = []
    for pair in teachers_on(db, day, unit_ids=unit_ids, teacher_ids=teacher_ids, live=live):
        chunk.append(pair)
        if len(chunk) >= CHUNK:
            yield from _rows(db, cat, dims, sets, derived, units, chunk, day)
            chunk = []
    if chunk:
        yield from _rows(db, cat, dims, sets, derived, units, chunk, day)


def _rows(db: Session, cat: Any, dims: list[Dimension], sets: list[str], derived: set[tuple[str, str]],
          units: dict[int, tuple[str | None, str | None]], chunk: list[tuple[int, int]],
          day: dt.date) -> Iterator[dict[str, Any]]:
    ids = [t for t, _ in chunk]
    births = dict(db.execute(select(Teacher.id, Teacher.birth_date).where(Teacher.id.in_(ids))).all())
    files: dict[int, dict[str, list[dict[str, Any]]]] = {t: {} for t in ids}
    for tid, set_key, doc in db.execute(
            select(Record.teacher_id, Record.set_key, Record.document)
            .where(Record.teacher_id.in_(ids), Record.set_key.in_(sets), Record.state == APPROVED,
                   Record.copy_of_id.is_(None))
            .order_by(Record.teacher_id, Record.set_key, Record.position, Record.id)):
        files[tid].setdefault(set_key, []).append(doc or {})
    for tid, uid in chunk:
        school_type, urban_rural = units.get(uid, (None, None))
        file = files[tid]
        family = cat.family_of(school_type)
        values: dict[str, dict[str, Any]] = {}
        for s, recs in file.items():
            values[s] = dict(recs[0]) if recs else {}
        if derived:
            want = {s for s, _ in derived}
            for s in want:
                got = cat.derive(s, family, {k: (v if cat.sets[k].cardinality == "many" else (v[0] if v else {}))
                                             for k, v in file.items()})
                values.setdefault(s, {}).update(got)
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
                    start = month_start(values.get("basic", {}).get("work_start_month"))
                    out[d.key] = d.band(years_between(start, day))
            else:
                out[d.key] = d.code(values.get(d.set_key, {}).get(d.field_key))  # type: ignore[arg-type]
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
