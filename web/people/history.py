"""The dated assignment rows (``models.TeacherAssignment``): written by ``moves``, read here.

Writers (each in the caller's transaction, the teacher row already locked by the caller):
``current_appointment`` (writing the original row of a teacher who never moved),
``close_appointment``, ``open_appointment``, ``add_secondment``, ``close_secondments``.

Readers, "as of" any date:
- ``unit_on(db, teacher_id, day)``: the unit holding the teacher's personnel relation on that day
  (None before the file existed or after the teacher left);
- ``units_on(day)``: a SELECT of (teacher_id, unit_id) for every teacher on the roll on that day,
  at the unit that held them then (statistics count movers where they were on a snapshot date);
- ``seconded_into(unit_ids, day)``: teachers seconded into those units on that day (scope gives
  the receiving school their basic information while the secondment lasts).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import Select, and_, exists, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from web.db.models import Teacher, Unit
from web.people.models import APPOINTMENT, SECONDMENT, TeacherAssignment

A = TeacherAssignment


def file_start(teacher: Teacher) -> dt.date:
    """The day the file was created (the server's local date, the same calendar as ``clock.today()``
    and every ``date.today()`` of the system; a server in China runs with TZ=Asia/Shanghai):
    where a never-moved teacher's history begins."""
    created = teacher.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone.utc)
    return created.astimezone().date()


def _day_ends(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` (server-local, as ``file_start``), in UTC:
    ``created_at < _day_ends(d)`` = created by d."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time()).astimezone(dt.timezone.utc)


def holds_on(day: dt.date) -> ColumnElement[bool]:
    """An assignment row covers ``day`` (half-open interval)."""
    return and_(A.valid_from <= day, or_(A.valid_to.is_(None), A.valid_to > day))


def rows(db: Session, teacher_id: int) -> list[TeacherAssignment]:
    """Every row of a teacher, oldest first."""
    return list(db.scalars(select(A).where(A.teacher_id == teacher_id).order_by(A.valid_from, A.id)))


# ------------------------------------------------------------------ writing

def current_appointment(db: Session, teacher: Teacher, *, actor_id: int | None = None) -> TeacherAssignment:
    """The open appointment row; for a teacher with no rows yet, the original one is written now
    (at ``teachers.unit_id`` since the file was created)."""
    row = db.scalar(select(A).where(A.teacher_id == teacher.id, A.kind == APPOINTMENT, A.valid_to.is_(None))
                    .order_by(A.valid_from.desc(), A.id.desc()).limit(1))
    if row is not None:
        return row
    if db.scalar(select(exists().where(A.teacher_id == teacher.id, A.kind == APPOINTMENT))):
        raise ValueError(f"teacher {teacher.id} has no open appointment (left?)")
    row = A(teacher_id=teacher.id, kind=APPOINTMENT, personnel_unit_id=teacher.unit_id,
            working_unit_id=teacher.unit_id, valid_from=file_start(teacher), source="file",
            created_by_id=actor_id)
    db.add(row)
    db.flush()
    return row


def close_appointment(db: Session, teacher: Teacher, on: dt.date, reason: str, *,
                      actor_id: int | None = None) -> TeacherAssignment:
    """End the open appointment the day before ``on`` (``valid_to = on``)."""
    row = current_appointment(db, teacher, actor_id=actor_id)
    if on < row.valid_from:
        raise ValueError(f"{on} is before the appointment began ({row.valid_from})")
    row.valid_to, row.end_reason = on, reason
    return row


def open_appointment(db: Session, teacher: Teacher, unit_id: int, on: dt.date, *, source: str,
                     case_id: int | None = None, actor_id: int | None = None) -> TeacherAssignment:
    row = A(teacher_id=teacher.id, kind=APPOINTMENT, personnel_unit_id=unit_id, working_unit_id=unit_id,
            valid_from=on, source=source, source_case_id=case_id, created_by_id=actor_id)
    db.add(row)
    db.flush()
    return row


def add_secondment(db: Session, teacher: Teacher, working_unit_id: int, start: dt.date, end: dt.date, *,
                   case_id: int | None = None, actor_id: int | None = None) -> TeacherAssignment:
    """A secondment from ``start`` to ``end`` inclusive (stored half-open: ``valid_to = end + 1``)."""
    row = A(teacher_id=teacher.id, kind=SECONDMENT, personnel_unit_id=teacher.unit_id,
            working_unit_id=working_unit_id, valid_from=start, valid_to=end + dt.timedelta(days=1),
            source="rotation", source_case_id=case_id, created_by_id=actor_id)
    db.add(row)
    db.flush()
    return row


def close_secondments(db: Session, teacher_id: int, on: dt.date, reason: str) -> list[TeacherAssignment]:
    """Cut every secondment still running on or after ``on`` short at ``on`` (a transfer or a
    departure ends them); one that has not begun yet ends before it starts (kept, zero length)."""
    out = []
    for row in db.scalars(select(A).where(A.teacher_id == teacher_id, A.kind == SECONDMENT,
                                          or_(A.valid_to.is_(None), A.valid_to > on))):
        row.valid_to, row.end_reason = max(on, row.valid_from), reason
        out.append(row)
    return out


# ------------------------------------------------------------------ reading "as of" a date

def unit_on(db: Session, teacher_id: int, day: dt.date) -> int | None:
    """The unit holding the teacher's personnel relation on ``day``."""
    found = db.execute(select(A.personnel_unit_id).where(A.teacher_id == teacher_id, A.kind == APPOINTMENT,
                                                         holds_on(day)).limit(1)).first()
    if found is not None:
        return found[0]
    if db.scalar(select(exists().where(A.teacher_id == teacher_id, A.kind == APPOINTMENT))):
        return None  # before the first row or after leaving
    teacher = db.get(Teacher, teacher_id)
    if teacher is None or day < file_start(teacher):
        return None
    return teacher.unit_id


def units_on(day: dt.date) -> Select:
    """(teacher_id, unit_id) of every teacher on the roll on ``day``, at the unit holding their
    personnel relation that day: the rows covering the day, plus the never-moved teachers (no
    row) whose file existed by then."""
    held = select(A.teacher_id.label("teacher_id"), A.personnel_unit_id.label("unit_id")).where(
        A.kind == APPOINTMENT, holds_on(day))
    never_moved = select(Teacher.id.label("teacher_id"), Teacher.unit_id.label("unit_id")).where(
        ~exists().where(A.teacher_id == Teacher.id, A.kind == APPOINTMENT),
        Teacher.created_at < _day_ends(day))
    return union_all(held, never_moved)  # type: ignore[return-value]


def seconded_into(unit_ids: Select | Iterable[int], day: dt.date) -> Select:
    """Ids of teachers seconded into any of ``unit_ids`` on ``day``."""
    return select(A.teacher_id).where(A.kind == SECONDMENT, A.working_unit_id.in_(unit_ids), holds_on(day))


def secondment_on(db: Session, teacher_id: int, day: dt.date) -> TeacherAssignment | None:
    return db.scalar(select(A).where(A.teacher_id == teacher_id, A.kind == SECONDMENT, holds_on(day))
                     .order_by(A.valid_from.desc()).limit(1))


def as_json(db: Session, teacher_id: int, lang: str = "zh") -> list[dict[str, Any]]:
    """The history for a page or the API: units by name, the end shown inclusive."""
    found = rows(db, teacher_id)
    ids = {r.personnel_unit_id for r in found} | {r.working_unit_id for r in found}
    names = dict(db.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids or [-1]))).all())
    return [{"kind": r.kind, "personnel_unit": names.get(r.personnel_unit_id),
             "working_unit": names.get(r.working_unit_id), "from": r.valid_from.isoformat(),
             "until": (r.valid_to - dt.timedelta(days=1)).isoformat() if r.valid_to else None,
             "end_reason": r.end_reason, "source": r.source, "case": r.source_case_id} for r in found]

