"""Teachers (persons): creation from the four items, one person one number, scoped listing,
reading a whole file, and teacher numbers from the province's scheme."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import idnumber
from engine.catalogue import Catalogue
from web import audit, privacy, scope
from web.db.models import Record, Teacher, Unit
from web.errors import (W_DUPLICATE_PERSON, W_NO_PERMISSION, W_NUMBER_FORMAT, W_NUMBER_FULL,
                        W_TEACHER_BAD, Refusal)
from web.principal import Principal
from web.services import units as unit_service

GENDER_WORDS = {"1": "1", "2": "2", "男": "1", "女": "2", "male": "1", "female": "2", "M": "1", "F": "2"}
RESIDENT_ID = "1"  # 居民身份证 (code table id_type)
SCHOOL_LEVELS = ("school",)
# 姓名: the limit of schemas/sets/basic.yaml (name.max_length), the one every entry point applies
# (tests/web/test_bad_input.py keeps the two equal)
NAME_MAX_LENGTH = 20


@dataclass(frozen=True)
class FourItems:
    """姓名, 性别, 出生日期, 身份证件号 (+ the document type, 居民身份证 by default)."""

    name: str
    gender: str
    birth_date: date
    id_number: str
    id_type: str = RESIDENT_ID

    @classmethod
    def parse(cls, name: Any, gender: Any, birth_date: Any, id_number: Any,
              id_type: Any = RESIDENT_ID, *, cat: Any = None) -> "FourItems":
        """``cat``: the catalogue whose 基本信息 fields bound the items (issue 14, finding 11b:
        the name's length and the document type's code list are the form's, not a limit of
        their own); every entry point that creates a person passes it."""
        problems: list[tuple[str, str]] = []  # (Chinese, English)
        name_s = str(name or "").strip()
        id_t = str(id_type or RESIDENT_ID).strip()
        found = catalogue_problems(cat, name=name_s, id_type=id_t) if cat is not None else []
        problems += found
        if not name_s:
            problems.append(("「姓名」必填", "Name is required"))
        elif len(name_s) > NAME_MAX_LENGTH and not found:  # without a catalogue: the national form's
            problems.append((f"姓名至多 {NAME_MAX_LENGTH} 字", f"name: at most {NAME_MAX_LENGTH} characters"))
        g = GENDER_WORDS.get(str(gender or "").strip())
        if g is None:
            problems.append((f"性别「{gender}」无效（男/女）", f"gender '{gender}' must be 男 or 女"))
        b: date | None = None
        if isinstance(birth_date, date):
            b = birth_date
        else:
            try:
                b = date.fromisoformat(str(birth_date or "").strip()[:10])
            except ValueError:
                problems.append((f"出生日期「{birth_date}」无效（YYYY-MM-DD）", "birth date must be YYYY-MM-DD"))
        idn = idnumber.normalize(id_number)  # …x, full-width digits, spaces: one form (issue 20.1)
        if id_t == RESIDENT_ID:
            if len(idn) == 15 and idnumber.from_15(idn):
                idn = idnumber.from_15(idn) or idn
            if not idnumber.is_valid(idn):
                problems.append(("身份证件号无效（18 位，末位校验码）",
                                 "the ID number is invalid (18 characters with a check character)"))
            else:
                if b is not None and idnumber.birth_date(idn) != b.isoformat():
                    problems.append(("出生日期与身份证件号不一致", "the birth date does not match the ID number"))
                if g is not None and idnumber.gender(idn) != g:
                    problems.append(("性别与身份证件号不一致", "the gender does not match the ID number"))
        elif not idn or len(idn) > 32:
            problems.append(("身份证件号必填，至多 32 位", "the ID number is required, at most 32 characters"))
        if problems:
            raise Refusal(W_TEACHER_BAD, detail="；".join(p[0] for p in problems),
                          detail_en="; ".join(p[1] for p in problems))
        assert g is not None and b is not None
        return cls(name_s, g, b, idn, id_t)


def catalogue_problems(cat: Any, **items: str) -> list[tuple[str, str]]:
    """What 基本信息's own fields say of these items (length, code list): the same messages,
    naming the field, as the form and the forms API give."""
    from engine import errors as E

    validator = cat.validator("basic")
    found = validator.validate(validator.clean(dict(items)))
    return [(v.message_zh, v.message_en) for v in found
            if v.field in items and v.code in (E.V_TOO_LONG, E.V_UNKNOWN_CODE) and v.severity == "error"]


def find_person(db: Session, id_type: str, id_number: str) -> Teacher | None:
    return db.scalar(select(Teacher).where(Teacher.id_type == id_type,
                                           Teacher.id_number == idnumber.normalize(id_number)))


def duplicate_refusal(db: Session, existing: Teacher) -> Refusal:
    """Where the person is on file (问题数据) and whom to contact (that unit or its authority).

    Issue 20: the hint names no transfer feature until one exists (the mobility modules reword
    it when they land)."""
    return Refusal(W_DUPLICATE_PERSON, name=scope.mask_name(existing.name), unit=existing.unit.name,
                   unit_code=existing.unit.code, path=unit_service.path_text(db, existing.unit_id))


def create(db: Session, principal: Principal, unit_code: str, items: FourItems, *,
           catalogue_version: str) -> Teacher:
    unit = scope.require_unit(db, principal, unit_service.by_code(db, unit_code), "teacher.create")
    if unit.level not in SCHOOL_LEVELS:
        raise Refusal(W_TEACHER_BAD, detail="教师只能建在学校（或教研室等学校类单位）下",
                      detail_en="teachers belong to schools")
    existing = find_person(db, items.id_type, items.id_number)
    if existing is not None:
        audit.record(db, "teacher.duplicate", actor=principal, target_type="teacher", target_id=existing.id,
                     unit_id=unit.id, detail={"found_in": existing.unit.code})
        raise duplicate_refusal(db, existing)
    teacher = create_raw(db, unit, items, catalogue_version=catalogue_version)
    # the teacher id and the masked number: never the whole ID number or the birth date (finding 9)
    audit.record(db, "teacher.create", actor=principal, target_type="teacher", target_id=teacher.id,
                 unit_id=unit.id, detail={"id_type": items.id_type, "id_number": scope.mask_id_number(items.id_number)})
    return teacher


def basic_document(items: FourItems) -> dict[str, Any]:
    return {"name": items.name, "gender": items.gender, "birth_date": items.birth_date.isoformat(),
            "id_type": items.id_type, "id_number": items.id_number}


def create_raw(db: Session, unit: Unit, items: FourItems, *, catalogue_version: str,
               updated_by: int | None = None) -> Teacher:
    """No scope or duplicate check (callers do both); also writes the 基本信息 record."""
    teacher = Teacher(id_type=items.id_type, id_number=items.id_number, name=items.name,
                      gender=items.gender, birth_date=items.birth_date, unit_id=unit.id)
    db.add(teacher)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        # a concurrent request created the same person a moment ago
        existing = find_person(db, items.id_type, items.id_number)
        if existing is None:
            raise
        raise duplicate_refusal(db, existing) from None
    db.add(Record(teacher_id=teacher.id, set_key="basic", position=0, document=basic_document(items),
                  catalogue_version=catalogue_version, updated_by_id=updated_by))
    db.flush()
    return teacher


def listing(db: Session, principal: Principal, *, unit_code: str | None = None, include_below: bool = True,
            q: str | None = None, state: str | None = None, limit: int = 50, offset: int = 0,
            school: str | None = None) -> tuple[int, list[dict[str, Any]]]:
    """A page of teachers within scope, with the total. ID numbers masked where not allowed."""
    scope.require(principal, "teacher.read")
    stmt = select(Teacher.id, Teacher.name, Teacher.gender, Teacher.birth_date, Teacher.id_type,
                  Teacher.id_number, Teacher.teacher_number, Teacher.state, Teacher.unit_id,
                  Unit.code.label("unit_code"), Unit.name.label("unit_name"), Unit.level.label("unit_level"),
                  privacy.shown_column(principal).label("personal")
                  ).join(Unit, Unit.id == Teacher.unit_id).where(scope.teacher_filter(principal))
    if unit_code:
        unit = unit_service.get(db, principal, unit_code) if principal.kind != "teacher" else None
        if unit is not None:
            if include_below:
                stmt = stmt.where(Teacher.unit_id.in_(scope.subtree([unit.id])))
            else:
                stmt = stmt.where(Teacher.unit_id == unit.id)
    if q:
        q = q.strip()
        stmt = stmt.where(Teacher.name.startswith(q) | (Teacher.id_number == idnumber.normalize(q))
                          | (Teacher.teacher_number == q))
    if state:
        stmt = stmt.where(Teacher.state == state)
    if school and school.strip():
        stmt = stmt.where(school_filter(school))
    if not (unit_code or q or state or (school and school.strip())):
        total = scope.count_teachers(db, principal)  # the whole scope: the fast path for large scopes
    else:
        total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.execute(stmt.order_by(Teacher.unit_id, Teacher.name, Teacher.id).limit(limit).offset(offset)).all()
    seen = privacy.listing_of(principal, [(r.id, r.personal) for r in rows])  # web/privacy.py decides
    items = []
    for r in rows:
        shown = seen.shown(r.id)
        items.append({
            "id": r.id, "name": r.name, "gender": r.gender,
            "birth_date": r.birth_date.isoformat() if shown else None,
            "id_type": r.id_type,
            "id_number": seen.id_number(r.id, r.id_number),
            "masked": not shown, "teacher_number": r.teacher_number, "state": r.state,
            "unit_id": r.unit_id, "unit_code": r.unit_code, "unit_name": r.unit_name, "unit_level": r.unit_level,
        })
    if principal.kind != "teacher":
        # reading other people's personal data: one entry per page shown, without the data itself
        seen.audit(db, "teachers", [i["id"] for i in items], only_unmasked=True,
                   unit=unit_code, q=bool(q), state=state, offset=offset)
    return total, items


def school_filter(text: str) -> Any:
    """Teachers' units by a school's name (any part of it) or its code (issue 20.12: county and
    city lists find a school by the name a clerk knows); to join with ``Unit``."""
    text = text.strip()
    return Unit.name.contains(text, autoescape=True) | (Unit.code == text)


def schools_in_scope(db: Session, me: Principal, limit: int = 2000) -> list[tuple[str, str]]:
    """(code, name) of the schools below an authority, for the list's 学校 filter (a school's own
    staff get none: their list is one school)."""
    if me.kind == "teacher" or not me.has("teacher.read"):
        return []
    rows = db.execute(select(Unit.code, Unit.name).where(Unit.level == "school",
                                                         scope.unit_filter(me, "teacher.read", Unit.id))
                      .order_by(Unit.code).limit(limit + 1)).all()
    return [] if len(rows) <= 1 else [(r.code, r.name) for r in rows[:limit]]


def read(db: Session, principal: Principal, teacher_id: int, cat: Catalogue) -> dict[str, Any]:
    """A whole file: the person and every record, grouped by set (masked for 信息查询员: web.privacy)."""
    teacher = scope.get_teacher(db, principal, teacher_id, "teacher.read")
    view = privacy.policy(db, principal, teacher)
    records = db.scalars(select(Record).where(Record.teacher_id == teacher.id, Record.copy_of_id.is_(None))
                         .order_by(Record.set_key, Record.position, Record.id))
    sets: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        sets.setdefault(rec.set_key, []).append({
            "id": rec.id, "position": rec.position, "state": rec.state, "version": rec.version,
            "catalogue_version": rec.catalogue_version, "values": view.record(cat, rec.set_key, rec.document)})
    view.audit(db, "api:teacher")
    return {
        "id": teacher.id, "name": teacher.name, "gender": teacher.gender,
        **view.person(), "id_type": teacher.id_type,
        "teacher_number": teacher.teacher_number, "state": teacher.state,
        "unit": {"code": teacher.unit.code, "name": teacher.unit.name,
                 "school_type": teacher.unit.school_type},
        "sets": sets,
    }


# ------------------------------------------------------------------ teacher numbers

_PART = re.compile(r"\{(region|unit|seq):(\d+)\}")


def parse_number_format(fmt: str) -> list[tuple[str, int]]:
    parts = _PART.findall(fmt)
    if _PART.sub("", fmt) or [p for p, _ in parts] != ["region", "unit", "seq"]:
        raise Refusal(W_NUMBER_FORMAT, detail=fmt)
    return [(p, int(w)) for p, w in parts]


def number_prefix(unit: Unit, fmt: str) -> tuple[str, int]:
    """(region + unit part, sequence width). Region: the first digits of the unit code (a
    school's code starts with its county's GB/T 2260 code); unit: the rest, zero-padded."""
    parts = dict(parse_number_format(fmt))
    rw, uw = parts["region"], parts["unit"]
    region, rest = unit.code[:rw], unit.code[rw:]
    if len(region) != rw or not region.isdigit() or len(rest) > uw or not (rest.isdigit() or rest == ""):
        raise Refusal(W_NUMBER_FORMAT, detail=f"{fmt} ← {unit.code}")
    return region + rest.zfill(uw), parts["seq"]


def assign_teacher_number(session: Session, teacher: Teacher, fmt: str) -> str:
    """Give the teacher the next free number of its unit (Jiangxi: {region:6}{unit:8}{seq:4}).

    "Next free" = the largest sequence in use at the unit + 1 (seed 000: a transferred teacher
    gets the target unit's largest number + 1). Allocated under a lock: the unit's row is locked
    (``SELECT … FOR UPDATE`` on PostgreSQL) for the rest of the transaction, so two approvals or
    transfers into one unit take turns; the unique number column stays the last guard (a
    collision retries with the next one).
    """
    if teacher.teacher_number:
        return teacher.teacher_number
    session.execute(select(Unit.id).where(Unit.id == teacher.unit_id).with_for_update())
    prefix, width = number_prefix(teacher.unit, fmt)
    for _ in range(20):
        top = session.scalar(select(func.max(Teacher.teacher_number))
                             .where(Teacher.teacher_number.startswith(prefix),
                                    func.length(Teacher.teacher_number) == len(prefix) + width))
        seq = int(top[len(prefix):]) + 1 if top else 1
        if seq >= 10 ** width:
            raise Refusal(W_NUMBER_FULL, unit=teacher.unit.name)
        number = f"{prefix}{seq:0{width}d}"
        try:
            with session.begin_nested():
                teacher.teacher_number = number
                session.flush()
            return number
        except IntegrityError:
            teacher.teacher_number = None
            continue
    raise Refusal(W_NUMBER_FULL, unit=teacher.unit.name)


def renumber(session: Session, teacher: Teacher, fmt: str) -> tuple[str | None, str | None]:
    """A teacher who moved gets the next free number of the new unit (seed 000); a teacher
    without a number keeps none (it is given on approval). Returns (old, new)."""
    old = teacher.teacher_number
    if not old:
        return None, None
    teacher.teacher_number = None
    session.flush()
    return old, assign_teacher_number(session, teacher, fmt)


def require_school_unit(unit: Unit) -> None:
    if unit.level not in SCHOOL_LEVELS:
        raise Refusal(W_NO_PERMISSION, permission="school")
