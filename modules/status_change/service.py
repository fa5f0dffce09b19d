"""One status change as a case (/api/v1/status-changes): the school's 信息管理员 records it with an
effective date and a note; the workflow (modules/status_change/workflows.yaml) says who
confirms which kind (default: the county confirms 离职 and 退休); the others take effect at once.
Completion is web.people.status.set_status in the same transaction: 人员状态, the appointment
closed or reopened, sign-in refused to a teacher who left; the file is kept.

The change is checked when it is recorded (and again when it completes), so a wrong one is
refused with its reason before anyone has to confirm it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from modules.rotation.service import parse_date
from web import scope
from web.cases import service as S
from web.cases import words as C
from web.cases.models import MobilityCase
from web.errors import Refusal
from web.people import moves
from web.people import status as ST
from web.people import words as P
from web.principal import Principal


def _complete(db: Session, cat: Any, me: Principal | None, case: MobilityCase) -> dict[str, Any]:
    p = case.payload
    return ST.set_status(db, cat, me, case.teacher_id, case.variant, p.get("code"), parse_date(p["on"], "on"),
                         note=p.get("note"), case_id=case.id)


S.register(S.Kind("status_change", "在职变动", "Status change", _complete))


def start(db: Session, cat: Any, me: Principal, teacher_id: int, change: str, on: Any, *, code: str | None = None,
          note: str | None = None, province: str | None = None) -> MobilityCase:
    if change not in P.CHANGES:
        raise Refusal(C.W_BAD_CHANGE, change=change, allowed=", ".join(f"{k} {c.zh}" for k, c in P.CHANGES.items()))
    spec = P.CHANGES[change]
    if change == P.ABSENT and not code:
        raise Refusal(C.W_ABSENT_REASON, allowed="、".join(f"{c} {moves.status_label(cat, c)}" for c in spec.codes))
    day = parse_date(on, "on")
    teacher = scope.get_teacher(db, me, teacher_id, "record.edit")
    teacher = moves.lock_teacher(db, teacher.id)
    S.refuse_if_open(db, teacher)
    known = ST.load(db, [teacher.id])[teacher.id]
    code = ST.check(cat, known, ST.StatusChange(teacher.id, change, day, code, note))
    return S.start(db, cat, me, "status_change", teacher, teacher.unit, None, variant=change,
                   payload={"on": day.isoformat(), "code": code, "note": (note or "")[:500] or None,
                            "change_label": spec.zh}, province=province)
