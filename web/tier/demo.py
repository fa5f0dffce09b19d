"""Approve demo files through the real review route (submit as the school's 信息管理员
``manager-<school>``, approve as each level's 信息审核员 ``reviewer-<unit>``), so a demo province has
approved files to publish: ``tmis tier demo-approve --count N``. Files that do not pass the
completeness check are skipped (counted)."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import select

from web.db.models import Account, Teacher, Unit
from web.errors import Refusal


def approve_files(ctx: Any, count: int, *, teacher_ids: list[int] | None = None,
                  progress: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    from web.review import service as review
    from web.services.auth import principal_of

    cat = ctx.catalogue
    done = skipped = 0
    with ctx.sessions() as db:
        accounts = {a.username: a for a in db.scalars(select(Account).where(
            Account.username.like("manager-%") | Account.username.like("reviewer-%")))}
        codes = dict(db.execute(select(Unit.id, Unit.code)).all())
        q = select(Teacher.id, Teacher.unit_id).where(Teacher.state.in_(("unsubmitted", "draft"))).order_by(Teacher.id)
        if teacher_ids is not None:
            q = q.where(Teacher.id.in_(teacher_ids))
        todo = db.execute(q.limit(count)).all()
        for tid, unit_id in todo:
            manager = accounts.get(f"manager-{codes[unit_id]}")
            if manager is None:
                skipped += 1
                continue
            try:
                with db.begin_nested():
                    case = review.submit(db, cat, principal_of(manager, ctx), tid)
                    while case.status != "approved" and case.waiting_unit_id is not None:
                        reviewer = accounts[f"reviewer-{codes[case.waiting_unit_id]}"]
                        case = review.approve(db, cat, principal_of(reviewer, ctx), case.id)
                done += 1
            except (Refusal, KeyError):
                skipped += 1
            if (done + skipped) % 50 == 0:
                progress(f"  {done + skipped}/{len(todo)}")
        db.commit()
    return {"approved": done, "skipped": skipped}
