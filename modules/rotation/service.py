"""Starting a rotation and what completing one does (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from modules.transfer.service import refuse_other_province
from web import scope
from web.cases import service as S
from web.cases import words as C
from web.cases.models import MobilityCase
from web.db.models import Unit
from web.errors import Refusal
from web.people import moves
from web.people import words as P
from web.principal import Principal
from web.services import units as unit_service

WHAT = ("交流轮岗", "a rotation")


def _second(db: Session, cat: Any, me: Principal | None, case: MobilityCase) -> dict[str, Any]:
    p = case.payload
    return moves.second(db, cat, me, case.teacher_id, case.counterpart_unit_id, dt.date.fromisoformat(p["start"]),
                        dt.date.fromisoformat(p["end"]), rotation_type=p.get("rotation_type"), case_id=case.id)


def _transfer(db: Session, cat: Any, me: Principal | None, case: MobilityCase) -> dict[str, Any]:
    effect = moves.transfer(db, cat, me, case.teacher_id, case.counterpart_unit_id, case_id=case.id, source="rotation")
    effect["rotation_record"] = moves.rotation_record_for_transfer(
        db, cat, me, case.teacher_id, case.initiator_unit_id, case.payload.get("rotation_type"), case_id=case.id)
    return effect


S.register(S.Kind("rotation", "交流轮岗", "Exchange rotation", _second))
S.register(S.Kind("rotation_relation", "交流轮岗（调动人事关系）", "Exchange rotation with a change of personnel relation",
                  _transfer))


def parse_date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise Refusal(C.W_BAD_DATE, field=field, value=str(value)) from None


def start(db: Session, cat: Any, me: Principal, teacher_id: int, to_unit: str, *, relation: bool = False,
          start: Any = None, end: Any = None, rotation_type: str | None = None,
          province: str | None = None) -> MobilityCase:
    teacher = scope.get_teacher(db, me, teacher_id, "record.edit")
    target = unit_service.by_code(db, (to_unit or "").strip())
    if target is None:
        raise Refusal(C.W_UNKNOWN_UNIT, code=to_unit)
    refuse_other_province(db, teacher, target)
    if target.level != moves.SCHOOL:
        raise Refusal(P.W_NOT_A_SCHOOL, unit=target.name)
    if target.id == teacher.unit_id:
        raise Refusal(P.W_SAME_UNIT, name=teacher.name, unit=target.name, what=WHAT[0], what_en=WHAT[1])
    payload: dict[str, Any] = {"relation": relation, "rotation_type": rotation_type, "to_unit": target.code,
                               "from_unit": teacher.unit.code}
    if not relation:
        first, last = parse_date(start, "start"), parse_date(end, "end")
        if last < first:
            raise Refusal(P.W_BAD_PERIOD, start=first.isoformat(), end=last.isoformat())
        payload.update(start=first.isoformat(), end=last.isoformat())
    teacher = moves.lock_teacher(db, teacher.id)
    S.refuse_if_open(db, teacher)
    moves.check_free(db, teacher, WHAT, cat=cat)
    school: Unit = teacher.unit
    return S.start(db, cat, me, "rotation_relation" if relation else "rotation", teacher, school, target,
                   payload=payload, province=province)
