"""批量退回 (issue 20.12): send many items back with one reason, beside 批量审核通过.

Each item is sent back exactly as one 退回 is (web.review.service.reject: the same checks, the
same event, audit entry and states), in its own savepoint, so one refused item does not stop
the others; the teachers are locked up front in id order, as the bulk approval does, so two
bulk actions never deadlock. The reason is checked once, before anything happens.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from web import scope
from web.db.models import Teacher
from web.errors import Refusal
from web.principal import Principal
from web.review import service as S
from web.review import words as W
from web.review.models import ReviewCase


def bulk_reject(db: Session, cat: Catalogue, principal: Principal, case_ids: Sequence[int], reason: str,
                versions: dict[int, int] | None = None) -> list[S.Outcome]:
    """退回 many cases with one reason; a result per case."""
    scope.require(principal, S.REVIEW)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Refusal(W.W_REASON_REQUIRED)
    ids = list(dict.fromkeys(case_ids))
    versions = versions or {}
    teacher_ids: set[int] = set()
    for chunk in S._chunks(ids):
        teacher_ids.update(db.scalars(select(ReviewCase.teacher_id).where(ReviewCase.id.in_(chunk))))
    for chunk in S._chunks(sorted(teacher_ids)):
        db.scalars(select(Teacher.id).where(Teacher.id.in_(chunk), scope.teacher_filter(principal, S.REVIEW))
                   .order_by(Teacher.id).with_for_update(of=Teacher)).all()
    return [S._one(db, cid, lambda i: S.reject(db, cat, principal, i, reason, version=versions.get(i)))
            for cid in ids]
