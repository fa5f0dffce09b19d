"""Reading eligibility (one service function per read or write; the web layer only calls these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from modules.registration import eligibility as EL
from modules.registration import words as W
from web import privacy, scope
from web.errors import Refusal
from web.people import clock
from web.principal import Principal


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)  # the dates an as-of may take


def as_of_date(value: str | None) -> dt.date:
    """The as-of date of a request (today when not given); W570 for anything else than yyyy-MM-dd."""
    if value is None or not str(value).strip():
        return clock.today()
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Refusal(W.W_BAD_DATE, value=str(value)[:40]) from None
    if not FIRST_DAY <= day <= LAST_DAY:  # a cycle five years on from 9999 is no date at all
        raise Refusal(W.W_BAD_DATE, value=str(value)[:40])
    return day


def application_day(value: str | None) -> dt.date:
    """The day an application is judged on: today, always (walk finding 12: a school applying "as
    of 2099" made every teacher due). An ``as_of`` other than today is refused (W717), not
    ignored, so the API says what it did; the page sends none."""
    day = as_of_date(value)
    today = clock.today()
    if day != today:
        raise Refusal(W.W_APPLY_AS_OF, value=day.isoformat(), today=today.isoformat())
    return day


def teacher_registration(db: Session, ctx: Any, me: Principal, teacher_id: int, as_of: str | None = None) -> dict[str, Any]:
    """``GET /api/v1/teachers/{tid}/registration``: the teacher's cycle and eligibility as of a
    date, within the reader's scope (404 outside it; a teacher reads its own); an ethics item is
    masked for a reader without ``personal.read``; the read of another's file is audited."""
    day = as_of_date(as_of)
    teacher = scope.get_teacher(db, me, teacher_id, "teacher.read")
    policy = privacy.policy(db, me, teacher)
    answer = EL.answer_for(db, ctx.catalogue, EL.rules_for(ctx), teacher.id, day)
    policy.audit(db, "registration", as_of=day.isoformat())
    return {"teacher_id": teacher.id, "name": teacher.name, **answer.json(policy.shown)}
