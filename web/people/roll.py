"""Who is "active" (on the roll): the one definition statistics, home pages and sign-in use.

A teacher is on the roll from the day the file exists until the day they leave, retire or die
(a status change sets ``teachers.left_on``; 返岗 clears it). Teachers away from their post for a
long time (长期不在岗: sick leave, study, …) or seconded elsewhere stay on the roll at the unit
holding their personnel relation. A file that left the roll is kept, readable by its last unit,
and no longer counted.

- ``on_roll(day)``: a WHERE condition on ``teachers`` (today by default): cheap, for counts now.
- ``units_on(day)``: (teacher_id, unit_id) of those on the roll on any past day, where they were
  then (``web.people.history``): for snapshots and trends.
- ``is_on_roll(teacher, day)``: the same question for one teacher;
- ``sign_in_refusal``: a teacher who left cannot sign in (web/services/auth.py asks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from web.db.models import Account, Teacher
from web.errors import Refusal
from web.people import clock
from web.people.words import W_LOGIN_LEFT
from web.people.history import units_on  # noqa: F401  (re-exported: the "as of" form of on_roll)


def on_roll(day: dt.date | None = None) -> ColumnElement[bool]:
    day = day or clock.today()
    return or_(Teacher.left_on.is_(None), Teacher.left_on > day)


def is_on_roll(teacher: Teacher, day: dt.date | None = None) -> bool:
    day = day or clock.today()
    return teacher.left_on is None or teacher.left_on > day


def sign_in_refusal(db: Session, account: Account, cat: Any = None) -> Refusal | None:
    """Why a teacher account may not sign in because its teacher left the roll (None: it may)."""
    if account.kind != "teacher" or account.teacher_id is None:
        return None
    teacher = db.get(Teacher, account.teacher_id)
    if teacher is None or is_on_roll(teacher):
        return None
    from web.people.moves import person_status, status_label

    code = person_status(db, teacher.id)
    return Refusal(W_LOGIN_LEFT, status=status_label(cat, code), status_en=status_label(cat, code, "en"))
