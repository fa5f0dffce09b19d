"""A teacher's own re-registration (我的注册, issue 17; walk finding 6): the cycle in force, whether
the conditions are met as of a day (each unmet one in words) and the teacher's applications with
their state, and once done the outcome and the reviewers' reason (暂缓注册 / 不予注册).

A teacher reads only its own file (web.scope through service.teacher_registration; its own data
is its own: privacy.Policy.own, nothing masked, nothing audited). While an application is under
review a step's decision may still change: the teacher sees its state, the outcome only once the
last step has written it, and then each level's conclusion (levels.py: the county's 初审 stays
readable when the city changed it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.registration import batch as B
from modules.registration import levels as LV
from modules.registration import service as S
from modules.registration import words as W
from modules.registration.models import COMPLETED, RegistrationApplication, RegistrationBatch
from web.permissions import denied
from web.principal import Principal


def my_registration(db: Session, ctx: Any, me: Principal, as_of: str | None = None) -> dict[str, Any]:
    """The signed-in teacher's cycle, eligibility and applications (W201 for any other account)."""
    if me.kind != "teacher" or me.teacher_id is None:
        raise denied(me, "teacher.read")
    out = S.teacher_registration(db, ctx, me, me.teacher_id, as_of)
    rows = db.execute(select(RegistrationApplication, RegistrationBatch)
                      .join(RegistrationBatch, RegistrationBatch.id == RegistrationApplication.batch_id)
                      .where(RegistrationApplication.teacher_id == me.teacher_id)
                      .order_by(RegistrationApplication.id.desc())).all()
    # once done, each level's conclusion too (the county's 初审 stays readable when the city changed it)
    levels = LV.of_applications(db, [(app.id, batch) for app, batch in rows if _done(app, batch)])
    out["applications"] = [{**_application(app, batch), "levels": levels.get(app.id, [])} for app, batch in rows]
    return out


def _done(app: RegistrationApplication, batch: RegistrationBatch) -> bool:
    return batch.state == COMPLETED and app.outcome_date is not None


def _application(app: RegistrationApplication, batch: RegistrationBatch) -> dict[str, Any]:
    done = _done(app, batch)
    word = W.DECISIONS.get(app.decision or "") if done else None
    return {"batch_id": batch.id, "applied_on": batch.created_at.date().isoformat() if batch.created_at else None,
            "cycle_start": app.cycle_start.isoformat(), "cycle_end": app.cycle_end.isoformat(),
            "state": batch.state, "state_label": B.state_word(batch), "state_label_en": B.state_word(batch, "en"),
            "decision": app.decision if done else None, "decision_label": word[1] if word else None,
            "decision_label_en": word[2] if word else None,
            "reason": app.reason if done else None,
            "outcome_date": app.outcome_date.isoformat() if done and app.outcome_date else None}
