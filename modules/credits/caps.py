"""The caps' reads of a confirmation: the participants' teachers locked, then the credits they
already hold in the project's category (in its year and cycle)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from modules.credits.models import CreditEntry, TrainingResult


def lock_teachers(db: Session, among: Any) -> dict[int, tuple[str, str | None, str | None]]:
    """Lock the participants' teachers rows (FOR UPDATE, in id order: no deadlock between two
    confirmations) before their ledgers are read: two projects confirmed at once for one teacher
    then apply the caps one after the other, each seeing the other's credits. ``among``: teacher
    ids or a SELECT of them. Returns what the 国内培训 batch needs of each teacher
    (web.services.from_case.lock_teachers), so the records' write locks nothing twice."""
    from web.services.from_case import lock_teachers as lock

    return lock(db, among)


def used(db: Session, project_id: int, category: str, on: date, cycle: tuple[date, date],
         caps: tuple[Any, Any]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The credits the project's participants already hold in the category, in ``on``'s year and cycle."""
    if caps == (None, None):
        return {}, {}
    year_start, year_end = date(on.year, 1, 1), date(on.year, 12, 31)
    in_year = and_(CreditEntry.effective >= year_start, CreditEntry.effective <= year_end)
    participants = select(TrainingResult.teacher_id).where(TrainingResult.project_id == project_id,
                                                           TrainingResult.state == "submitted")
    rows = db.execute(select(CreditEntry.teacher_id, func.sum(case((in_year, CreditEntry.credits), else_=0)),
                             func.sum(CreditEntry.credits))
                      .where(CreditEntry.teacher_id.in_(participants), CreditEntry.category == category,
                             CreditEntry.effective >= cycle[0], CreditEntry.effective <= cycle[1])
                      .group_by(CreditEntry.teacher_id)).all()
    return ({t: Decimal(str(y or 0)) for t, y, _ in rows}, {t: Decimal(str(c or 0)) for t, _, c in rows})
