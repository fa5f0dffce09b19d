"""The one scope filter. Every query for units, teachers, records and accounts goes through here.

A permission held through a grant at unit U reaches U and everything below it: the closure table
``unit_closure`` has a row (U, D) for every descendant D (and U itself), so "within scope" is
``unit_id IN (SELECT descendant_id FROM unit_closure WHERE ancestor_id IN (:roots))``.
No grant means no rows (``false()``), never "everything". A teacher account reaches only its
own file, through the ``self.*`` permissions.

Services never build their own WHERE clause on units; they call the functions below.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from web.db.models import Account, Grant, Record, Teacher, Unit, UnitClosure
from web.errors import W_NO_PERMISSION, W_TEACHER_NOT_FOUND, W_UNIT_NOT_FOUND, Refusal
from web.principal import Principal


def subtree(roots: list[int]) -> Select:
    """Unit ids at or below any of ``roots``."""
    return select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id.in_(roots))


def unit_filter(principal: Principal, permission: str, column: ColumnElement) -> ColumnElement[bool]:
    """A WHERE condition: ``column`` (a unit id) lies within the permission's reach."""
    roots = principal.roots(permission)
    if not roots:
        return false()
    if len(roots) == 1:
        # one root (the usual case): a plain join-able subquery the planner handles best
        return column.in_(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == roots[0]))
    return column.in_(subtree(roots))


def units(principal: Principal, permission: str = "unit.read") -> Select:
    return select(Unit).where(unit_filter(principal, permission, Unit.id))


def teachers(principal: Principal, permission: str = "teacher.read") -> Select:
    """Teachers the principal may see (or act on, with another permission)."""
    return select(Teacher).where(teacher_filter(principal, permission))


def teacher_filter(principal: Principal, permission: str = "teacher.read") -> ColumnElement[bool]:
    if principal.kind == "teacher":
        if principal.teacher_id is None or not principal.has(_self_perm(permission)):
            return false()
        return Teacher.id == principal.teacher_id
    return unit_filter(principal, permission, Teacher.unit_id)


def _self_perm(permission: str) -> str:
    """What a teacher account needs for an action on its own file."""
    return {"teacher.read": "self.read", "personal.read": "self.read", "record.edit": "self.edit"}.get(
        permission, permission)


def records(principal: Principal, permission: str = "teacher.read") -> Select:
    return select(Record).join(Teacher, Teacher.id == Record.teacher_id).where(
        teacher_filter(principal, permission))


def accounts(principal: Principal, permission: str = "account.read") -> Select:
    return select(Account).where(unit_filter(principal, permission, Account.unit_id))


def unit_in_scope(db: Session, principal: Principal, unit_id: int, permission: str) -> bool:
    roots = principal.roots(permission)
    if not roots:
        return False
    return bool(db.scalar(select(exists().where(
        UnitClosure.ancestor_id.in_(roots), UnitClosure.descendant_id == unit_id))))


def require(principal: Principal, permission: str) -> None:
    """Refuse at once when the permission is held nowhere."""
    if not principal.has(permission) and not (
        principal.kind == "teacher" and principal.has(_self_perm(permission))):
        from web.permissions import denied

        raise denied(principal, permission)


def require_unit(db: Session, principal: Principal, unit: Unit | None, permission: str) -> Unit:
    """The unit, when within the permission's reach; otherwise 'not found' (no existence leak)."""
    require(principal, permission)
    if unit is None or not unit_in_scope(db, principal, unit.id, permission):
        raise Refusal(W_UNIT_NOT_FOUND)
    return unit


def get_teacher(db: Session, principal: Principal, teacher_id: int, permission: str = "teacher.read") -> Teacher:
    require(principal, permission)
    teacher = db.scalar(teachers(principal, permission).where(Teacher.id == teacher_id))
    if teacher is None:
        raise Refusal(W_TEACHER_NOT_FOUND)
    return teacher


# ------------------------------------------------------------------ mobility (web/people)

def seconded_filter(principal: Principal, day: date | None = None,
                    permission: str = "teacher.read") -> ColumnElement[bool]:
    """Teachers seconded (交流轮岗, web/people) into a unit within the principal's reach on
    ``day`` (today). Their school may read their 基本信息 while the secondment lasts, nothing
    else: callers use this through ``basic_filter`` / ``get_teacher_basic`` only."""
    from web.people import clock, history

    roots = principal.roots(permission)
    if principal.kind == "teacher" or not roots:
        return false()
    return Teacher.id.in_(history.seconded_into(subtree(roots), day or clock.today()))


def basic_filter(principal: Principal, day: date | None = None) -> ColumnElement[bool]:
    """Whose 基本信息 the principal may read: its own teachers, and those seconded into its units."""
    return or_(teacher_filter(principal, "teacher.read"), seconded_filter(principal, day))


def get_teacher_basic(db: Session, principal: Principal, teacher_id: int, day: date | None = None) -> Teacher:
    """A teacher whose 基本信息 the principal may read (own or seconded in); else 'not found'."""
    require(principal, "teacher.read")
    teacher = db.scalar(select(Teacher).where(Teacher.id == teacher_id, basic_filter(principal, day)))
    if teacher is None:
        raise Refusal(W_TEACHER_NOT_FOUND)
    return teacher


def province_of(db: Session, unit_id: int) -> Unit | None:
    """The province-level unit at or above ``unit_id`` (None for a ministry-level unit)."""
    return db.scalar(select(Unit).join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
                     .where(UnitClosure.descendant_id == unit_id, Unit.level == "province"))


def find_person(db: Session, principal: Principal, id_number: str, name: str,
                permission: str) -> Teacher | None:
    """A person by ID number AND name, outside the caller's scope (a transfer's receiving school
    looks for a teacher anywhere): the caller needs ``permission`` somewhere, both items must
    match, and what it may show of the result is ``identity_card`` and nothing more."""
    require(principal, permission)
    if not id_number or not name:
        return None
    from engine import idnumber

    return db.scalar(select(Teacher).where(Teacher.id_number == idnumber.normalize(id_number),
                                           Teacher.name == name.strip()))


def identity_card(teacher: Teacher) -> dict[str, Any]:
    """Name, masked ID number and current school: all a unit sees of a file it does not hold."""
    return {"name": teacher.name, "id_number": mask_id_number(teacher.id_number), "masked": True,
            "unit": {"code": teacher.unit.code, "name": teacher.unit.name}}


def personal_visible(principal: Principal) -> ColumnElement[bool]:
    """Per teacher row: may the principal see personal data unmasked? (信息查询员 may not.)"""
    if principal.kind == "teacher":
        return Teacher.id == (principal.teacher_id or -1)
    return unit_filter(principal, "personal.read", Teacher.unit_id)


def may_see_personal(db: Session, principal: Principal, teacher: Teacher) -> bool:
    if principal.kind == "teacher":
        return teacher.id == principal.teacher_id
    return unit_in_scope(db, principal, teacher.unit_id, "personal.read")


def grants_at(unit_id: int, role_key: str) -> Select:
    return select(Grant).where(Grant.unit_id == unit_id, Grant.role_key == role_key)


def mask_id_number(value: str | None) -> str | None:
    """3601********1234: region and last four kept, the birth date hidden."""
    if not value:
        return value
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# an ID number anywhere in a text (18 characters, or the old 15 digits), not inside a longer number
ID_LIKE = re.compile(r"(?<![0-9])[0-9]{6}(?:[0-9]{11}[0-9Xx]|[0-9]{9})(?![0-9Xx])")


def mask_id_numbers(text: str) -> str:
    """Every ID number inside ``text`` masked (for what is stored or shown beside other words)."""
    return ID_LIKE.sub(lambda m: mask_id_number(m.group(0)) or "", text)


def mask_name(value: str) -> str:
    return value[:1] + "*" * max(len(value) - 1, 1)


def count_teachers(db: Session, principal: Principal, permission: str = "teacher.read") -> int:
    """How many teachers the principal reaches, fast at any scope size.

    Small scopes (a county) count the rows of the units in scope through the closure.
    Large scopes (a province: most of the deployment) would hash-join every teacher row with
    the closure; there we count per unit first (one index-only pass) and sum over the units
    in scope, which costs about as much as an unfiltered ``count(*)``.
    """
    from sqlalchemy import func

    if principal.kind == "teacher":
        return 1 if principal.teacher_id is not None and principal.has("self.read") else 0
    roots = principal.roots(permission)
    if not roots:
        return 0
    in_scope = db.scalar(select(func.count()).select_from(UnitClosure).where(UnitClosure.ancestor_id.in_(roots))) or 0
    all_units = db.scalar(select(func.count()).select_from(Unit)) or 1
    if in_scope * 4 < all_units:
        return db.scalar(select(func.count()).select_from(Teacher).where(
            unit_filter(principal, permission, Teacher.unit_id))) or 0
    per_unit = select(Teacher.unit_id, func.count().label("n")).group_by(Teacher.unit_id).subquery()
    return int(db.scalar(select(func.coalesce(func.sum(per_unit.c.n), 0))
                         .where(per_unit.c.unit_id.in_(subtree(roots)))) or 0)
