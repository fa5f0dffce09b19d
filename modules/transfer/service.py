"""Starting a transfer and what completing one does.

The receiving school's 信息管理员 finds the teacher by ID number and name anywhere in the
province (``scope.find_person``: both must match) and sees only the name, the masked ID number
and the current school until the transfer completes. Refused: a teacher in another province
(that is 外省调入: modules/transfer/interprovince.py), a file under review or with an open change request, a
teacher who left, a second open case, the teacher's own school.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

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

WHAT = ("调动", "a transfer")


def _complete(db: Session, cat: Any, me: Principal | None, case: MobilityCase) -> dict[str, Any]:
    return moves.transfer(db, cat, me, case.teacher_id, case.initiator_unit_id, case_id=case.id)


S.register(S.Kind("transfer", "教师调动", "Transfer", _complete))


def find_teacher(db: Session, me: Principal, id_number: str, name: str):
    teacher = scope.find_person(db, me, id_number, name, "teacher.read")
    if teacher is None:
        raise Refusal(C.W_PERSON_NOT_FOUND)
    return teacher


def refuse_other_province(db: Session, teacher: Any, to_unit: Unit) -> None:
    here, there = scope.province_of(db, to_unit.id), scope.province_of(db, teacher.unit_id)
    if here is None or there is None or here.id != there.id:
        raise Refusal(C.W_OTHER_PROVINCE, name=teacher.name, province=there.name if there else "其他省份")


def own_school(db: Session, me: Principal, code: str) -> Unit:
    unit = unit_service.by_code(db, (code or "").strip())
    if unit is None:
        raise Refusal(C.W_UNKNOWN_UNIT, code=code)
    if unit.id not in {u for u, _ in me.grants}:
        mine = db.get(Unit, me.unit_id)
        raise Refusal(C.W_NOT_OWN_SCHOOL, mine=mine.name if mine else "", unit=unit.name)
    return unit


def start(db: Session, cat: Any, me: Principal, id_number: str, name: str, to_unit: str, *,
          province: str | None = None) -> MobilityCase:
    target = own_school(db, me, to_unit)
    teacher = find_teacher(db, me, id_number, name)
    refuse_other_province(db, teacher, target)
    if target.level != moves.SCHOOL:
        raise Refusal(P.W_NOT_A_SCHOOL, unit=target.name)
    if teacher.unit_id == target.id:
        raise Refusal(P.W_SAME_UNIT, name=teacher.name, unit=target.name, what=WHAT[0], what_en=WHAT[1])
    teacher = moves.lock_teacher(db, teacher.id)
    S.refuse_if_open(db, teacher)
    moves.check_free(db, teacher, WHAT, cat=cat)
    return S.start(db, cat, me, "transfer", teacher, target, teacher.unit,
                   payload={"from_unit": teacher.unit.code, "to_unit": target.code}, province=province)
