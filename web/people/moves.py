"""What completing a transfer, a secondment or a status change does, each in the caller's
transaction (the case engine calls these as a transition's side effects), audited.

- ``transfer``: the teacher's owning unit changes (so the new school gains access and the old
  one loses it: scope filters on ``teachers.unit_id``), the appointment at the old unit is
  end-dated and one at the new unit opened, the teacher number follows the province scheme (江西:
  the next free number of the target unit, under the unit's lock), the 工作经历 record of the old
  school is closed and one for the new school opened, 进本校年月 becomes the month of the move, and
  the teacher's self-service account moves along. Nothing is copied: every record stays the row
  it was, with its approved data.
- ``second``: a time-boxed secondment (交流轮岗 without a change of personnel relation), the
  交流轮岗 record written from the case, 人员状态 交流轮岗 while it lasts.
- status changes (人员状态; leaving ends the appointment) are ``web.people.status``.
- ``apply_dates``: the dated effects of a day (a secondment that starts or ends); idempotent,
  run by ``tmis mobility apply-dates`` and harmless to run twice. Access never waits for it:
  every reader compares dates itself.

``check_free`` is what a case asks before it starts (and again before it completes): a file
under review or with an open change request cannot move.

Lock order as in web/review: teacher → (unit, for numbering) → records → audit head.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.fieldtypes import is_empty
from web import audit
from web.db.models import Account, Record, Teacher, Unit
from web.errors import Refusal
from web.people import clock, history
from web.people import words as P
from web.people.models import SECONDMENT, TeacherAssignment
from web.principal import Principal

SCHOOL = "school"
EDUCATION_UNIT = "23"     # 单位性质类别: 其他教育单位 (a school)
DEFAULT_POSITION = ("教师", "Teacher")


def ym(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _what(what: tuple[str, str]) -> dict[str, str]:
    return {"what": what[0], "what_en": what[1]}


# ------------------------------------------------------------------ loading

def lock_teacher(db: Session, teacher_id: int) -> Teacher:
    from web.review.service import lock_teacher as lock

    return lock(db, teacher_id)


def lock_unit(db: Session, unit_id: int) -> Unit:
    unit = db.scalar(select(Unit).where(Unit.id == unit_id).with_for_update(of=Unit)
                     .execution_options(populate_existing=True))
    if unit is None:
        from web.errors import W_UNIT_NOT_FOUND

        raise Refusal(W_UNIT_NOT_FOUND)
    return unit


def _records(db: Session, teacher_id: int, set_key: str) -> list[Record]:
    return list(db.scalars(select(Record).where(Record.teacher_id == teacher_id, Record.set_key == set_key,
                                                Record.copy_of_id.is_(None))
                           .order_by(Record.position, Record.id)))


def person_status(db: Session, teacher_id: int) -> str:
    """人员状态 from 基本信息 (100 在本单位任职 when not filled in)."""
    basic = next(iter(_records(db, teacher_id, "basic")), None)
    code = (basic.document or {}).get("person_status") if basic is not None else None
    return str(code) if not is_empty(code) else P.WORKING


def status_label(cat: Any, code: str, lang: str = "zh") -> str:
    table = cat.codes.get("person_status") if cat is not None else None
    item = table.by_code.get(code) if table is not None else None
    if item is None:
        return code
    return (item.en or item.zh) if lang == "en" else item.zh


def check_free(db: Session, teacher: Teacher, what: tuple[str, str], *, cat: Any = None,
               review_blocks: bool = True) -> None:
    """Refuse to move a file that is under review or has an open change request, or a teacher
    who has left (what = the business, in both languages, for the message).

    ``review_blocks=False`` (status changes): only an open change request refuses (its copy of
    基本信息 would put the old 人员状态 back when approved); leaving is the change's own check."""
    from web.review import words as RW
    from web.review.models import DRAFT, PENDING, ReviewCase

    open_case = db.scalar(select(ReviewCase).where(ReviewCase.teacher_id == teacher.id,
                                                   ReviewCase.status.in_((DRAFT, PENDING))).limit(1))
    if open_case is not None and open_case.kind == "change":
        raise Refusal(P.W_CHANGE_OPEN, name=teacher.name, **_what(what))
    if not review_blocks:
        return
    if open_case is not None or teacher.state == RW.PENDING:
        status, level = (open_case.status, open_case.waiting_level) if open_case else (RW.PENDING, None)
        raise Refusal(P.W_UNDER_REVIEW, name=teacher.name, state=RW.state_word(status, level),
                      state_en=RW.state_word(status, level, "en"), **_what(what))
    if teacher.left_on is not None:
        code = person_status(db, teacher.id)
        raise Refusal(P.W_HAS_LEFT, name=teacher.name, date=teacher.left_on.isoformat(),
                      status=status_label(cat, code), status_en=status_label(cat, code, "en"), **_what(what))


# ------------------------------------------------------------------ writing records

class _Writer:
    """Writes records of one teacher as a case's effect: the file's review state decides the new
    records' state (an approved file stays approved), every write is audited with its case."""

    def __init__(self, db: Session, cat: Any, actor: Principal | None, teacher: Teacher, via: str,
                 case_id: int | None) -> None:
        self.db, self.cat, self.actor, self.teacher = db, cat, actor, teacher
        self.via, self.case_id = via, case_id
        self.family = cat.family_of(teacher.unit.school_type)
        self.sets = set(cat.set_keys(self.family))
        self.changed: list[int] = []

    def has(self, set_key: str, field: str | None = None) -> bool:
        if set_key not in self.sets:
            return False
        return field is None or any(f.spec.key == field for f in self.cat.view(set_key, self.family).fields)

    def _audit(self, action: str, row: Record, before: dict[str, Any], after: dict[str, Any]) -> None:
        changes = {k: {"before": before.get(k), "after": after.get(k)}
                   for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}
        audit.record(self.db, action, actor=self.actor, target_type="record", target_id=row.id,
                     unit_id=self.teacher.unit_id,
                     detail={"teacher": self.teacher.id, "set": row.set_key, "version": row.version,
                             "changes": changes, "via": self.via, "case": self.case_id})
        self.changed.append(row.id)

    def update(self, row: Record, values: dict[str, Any]) -> None:
        before = dict(row.document or {})
        after = {**before, **values}
        if after == before:
            return
        row.document = after
        row.catalogue_version = self.cat.version
        row.updated_by_id = self.actor.account_id if self.actor else None
        self.db.flush()
        self._audit("record.update", row, before, after)

    def add(self, set_key: str, values: dict[str, Any]) -> Record:
        from web.review import words as RW

        rows = _records(self.db, self.teacher.id, set_key)
        row = Record(teacher_id=self.teacher.id, set_key=set_key,
                     position=max((r.position for r in rows), default=-1) + 1, document=dict(values),
                     catalogue_version=self.cat.version, updated_by_id=self.actor.account_id if self.actor else None,
                     state="approved" if self.teacher.state == RW.APPROVED else "draft")
        self.db.add(row)
        self.db.flush()
        self._audit("record.create", row, {}, dict(values))
        return row

    def delete(self, row: Record) -> None:
        self._audit("record.delete", row, dict(row.document or {}), {})
        self.db.delete(row)
        self.db.flush()

    def basic(self) -> Record | None:
        return next(iter(_records(self.db, self.teacher.id, "basic")), None)

    def set_status(self, code: str) -> str | None:
        """人员状态 := code; returns the code before."""
        row = self.basic()
        if row is None or not self.has("basic", "person_status"):
            return None
        before = (row.document or {}).get("person_status") or P.WORKING
        self.update(row, {"person_status": code})
        return str(before)

    def code_ok(self, table: str, code: str) -> bool:
        codes = self.cat.codes.get(table)
        return codes is not None and code in codes.by_code


# ------------------------------------------------------------------ transfer

def transfer(db: Session, cat: Any, actor: Principal | None, teacher_id: int, to_unit_id: int, *,
             on: dt.date | None = None, case_id: int | None = None, source: str = "transfer",
             ) -> dict[str, Any]:
    """Complete a transfer of the teacher to ``to_unit_id`` effective ``on`` (today)."""
    on = on or clock.today()
    teacher = lock_teacher(db, teacher_id)
    check_free(db, teacher, ("调动", "a transfer"), cat=cat)
    old_unit = teacher.unit
    to_unit = lock_unit(db, to_unit_id)  # also the lock under which the new number is allocated
    if to_unit.level != SCHOOL:
        raise Refusal(P.W_NOT_A_SCHOOL, unit=to_unit.name)
    if to_unit.id == old_unit.id:
        raise Refusal(P.W_SAME_UNIT, name=teacher.name, unit=to_unit.name, what="调动", what_en="transfer")
    actor_id = actor.account_id if actor else None
    appointment = history.current_appointment(db, teacher, actor_id=actor_id)
    if on < appointment.valid_from:
        raise Refusal(P.W_TOO_EARLY, date=on.isoformat(), unit=old_unit.name, since=appointment.valid_from.isoformat())
    ended = history.close_secondments(db, teacher.id, on, "transfer")
    history.close_appointment(db, teacher, on, "transfer", actor_id=actor_id)
    history.open_appointment(db, teacher, to_unit.id, on, source=source, case_id=case_id, actor_id=actor_id)

    teacher.unit_id, teacher.unit = to_unit.id, to_unit
    db.flush()
    numbers: tuple[str | None, str | None] = (teacher.teacher_number, teacher.teacher_number)
    if cat.teacher_number is not None:
        from web.services.teachers import renumber

        numbers = renumber(db, teacher, cat.teacher_number.format)
    accounts = _move_accounts(db, teacher.id, old_unit.id, to_unit.id)

    writer = _Writer(db, cat, actor, teacher, source, case_id)
    _move_work_history(writer, old_unit, to_unit, on)
    basic = writer.basic()
    if basic is not None and writer.has("basic", "entry_month"):
        writer.update(basic, {"entry_month": ym(on)})
    if ended and person_status(db, teacher.id) == P.ROTATING_AWAY:
        writer.set_status(P.WORKING)
    effect = {"teacher": teacher.id, "from_unit": old_unit.code, "to_unit": to_unit.code, "on": on.isoformat(),
              "teacher_number": {"before": numbers[0], "after": numbers[1]}, "records": writer.changed,
              "accounts": accounts, "secondments_ended": len(ended), "case": case_id}
    audit.record(db, "teacher.transfer", actor=actor, target_type="teacher", target_id=teacher.id,
                 unit_id=to_unit.id, detail={**effect, "from_unit_name": old_unit.name, "to_unit_name": to_unit.name})
    from web import events

    events.emit(db, events.TEACHER_MOVED, actor=actor_id, teacher_id=teacher.id, from_unit=old_unit.code,
                to_unit=to_unit.code, from_unit_name=old_unit.name, to_unit_name=to_unit.name,
                on=on.isoformat(), case_id=case_id, source=source)
    return effect


def _move_accounts(db: Session, teacher_id: int, old_unit_id: int, new_unit_id: int) -> list[int]:
    """The teacher's self-service account belongs to the new school from now on."""
    moved = []
    for account in db.scalars(select(Account).where(Account.teacher_id == teacher_id)):
        account.unit_id = new_unit_id
        for grant in account.grants:
            if grant.unit_id == old_unit_id and grant.role_key == "teacher":
                grant.unit_id = new_unit_id
        moved.append(account.id)
    db.flush()
    return moved


def _open_job(row: Record) -> bool:
    return is_empty((row.document or {}).get("end_month"))


def _move_work_history(writer: _Writer, old_unit: Unit, to_unit: Unit, on: dt.date) -> None:
    """Close the 工作经历 record of the old school and open one for the new school.

    The old school's record is the open one (no end month) bearing its name; failing that, the
    only open record (the "current job" of rule work.one_current_job); failing that, a closed
    record for the old school is added, starting when the teacher joined it (进本校年月)."""
    if not writer.has("work"):
        return
    rows = _records(writer.db, writer.teacher.id, "work")
    if writer.cat.sets["work"].none is not None:
        rows_real = [r for r in rows if not _is_none_record(writer, "work", r)]
    else:
        rows_real = rows
    open_rows = [r for r in rows_real if _open_job(r)]
    closing = [r for r in open_rows if (r.document or {}).get("unit_name") == old_unit.name] or (
        open_rows if len(open_rows) == 1 else [])
    month = ym(on)
    template: dict[str, Any] = {}
    for row in closing:
        start = str((row.document or {}).get("start_month") or month)
        writer.update(row, {"end_month": max(month, start)})
        template = dict(row.document or {})
    if not closing:
        basic = writer.basic()
        joined = (basic.document or {}).get("entry_month") if basic is not None else None
        start = str(joined) if joined and str(joined) <= month else month
        template = {"unit_name": old_unit.name, "start_month": start, "end_month": month,
                    "unit_nature": EDUCATION_UNIT if writer.code_ok("unit_nature", EDUCATION_UNIT) else None,
                    "position": DEFAULT_POSITION[0]}
        writer.add("work", {k: v for k, v in template.items() if v is not None})
    for row in rows:
        if _is_none_record(writer, "work", row):
            writer.delete(row)  # a 无 record cannot stand beside real ones
    new = {"unit_name": to_unit.name, "start_month": month,
           "unit_nature": template.get("unit_nature") or (EDUCATION_UNIT if writer.code_ok("unit_nature", EDUCATION_UNIT) else None),
           "position": template.get("position") or DEFAULT_POSITION[0]}
    writer.add("work", {k: v for k, v in new.items() if v is not None})


def _is_none_record(writer: _Writer, set_key: str, row: Record) -> bool:
    none = writer.cat.sets[set_key].none
    return none is not None and str((row.document or {}).get(none.field)) == none.code


# ------------------------------------------------------------------ secondment (rotation)

def second(db: Session, cat: Any, actor: Principal | None, teacher_id: int, to_unit_id: int, start: dt.date,
           end: dt.date, *, rotation_type: str | None = None, case_id: int | None = None) -> dict[str, Any]:
    """A secondment to ``to_unit_id`` from ``start`` to ``end`` (inclusive), the 交流轮岗 record
    written from it, and 人员状态 交流轮岗 (205) while it lasts."""
    teacher = lock_teacher(db, teacher_id)
    check_free(db, teacher, ("交流轮岗", "a rotation"), cat=cat)
    to_unit = db.get(Unit, to_unit_id)
    if to_unit is None or to_unit.level != SCHOOL:
        raise Refusal(P.W_NOT_A_SCHOOL, unit=to_unit.name if to_unit else str(to_unit_id))
    if to_unit.id == teacher.unit_id:
        raise Refusal(P.W_SAME_UNIT, name=teacher.name, unit=to_unit.name, what="交流轮岗", what_en="rotation")
    if end < start:
        raise Refusal(P.W_BAD_PERIOD, start=start.isoformat(), end=end.isoformat())
    clash = db.scalar(select(TeacherAssignment).where(
        TeacherAssignment.teacher_id == teacher.id, TeacherAssignment.kind == SECONDMENT,
        TeacherAssignment.valid_from <= end, TeacherAssignment.valid_to > start))
    if clash is not None:
        unit = db.get(Unit, clash.working_unit_id)
        raise Refusal(P.W_OVERLAP, name=teacher.name, unit=unit.name if unit else "",
                      start=clash.valid_from.isoformat(),
                      end=(clash.valid_to - dt.timedelta(days=1)).isoformat() if clash.valid_to else "")
    actor_id = actor.account_id if actor else None
    row = history.add_secondment(db, teacher, to_unit.id, start, end, case_id=case_id, actor_id=actor_id)
    writer = _Writer(db, cat, actor, teacher, "rotation", case_id)
    record = write_rotation_record(writer, teacher.unit, to_unit, start, end, rotation_type, relation=False)
    if start <= clock.today():
        row.start_applied = True
        if person_status(db, teacher.id) == P.WORKING:
            writer.set_status(P.ROTATING_AWAY)
    effect = {"teacher": teacher.id, "from_unit": teacher.unit.code, "to_unit": to_unit.code,
              "start": start.isoformat(), "end": end.isoformat(), "assignment": row.id,
              "record": record.id if record is not None else None, "records": writer.changed, "case": case_id}
    audit.record(db, "teacher.second", actor=actor, target_type="teacher", target_id=teacher.id,
                 unit_id=teacher.unit_id, detail={**effect, "to_unit_name": to_unit.name})
    return effect


def write_rotation_record(writer: _Writer, from_unit: Unit, to_unit: Unit, start: dt.date, end: dt.date | None,
                          rotation_type: str | None, *, relation: bool) -> Record | None:
    """The 交流轮岗 record, from the case (the school does not type it again); a 无 record goes."""
    if not writer.has("rotation"):
        return None
    for row in _records(writer.db, writer.teacher.id, "rotation"):
        if _is_none_record(writer, "rotation", row):
            writer.delete(row)
    kind = rotation_type if rotation_type and writer.code_ok("rotation_type", rotation_type) else "9"
    values: dict[str, Any] = {"rotation_type": kind, "transfers_relation": relation, "start_month": ym(start),
                              "original_unit": from_unit.name, "rotation_unit": to_unit.name}
    if end is not None:
        values["end_month"] = ym(end)
    return writer.add("rotation", values)


def rotation_record_for_transfer(db: Session, cat: Any, actor: Principal | None, teacher_id: int,
                                 from_unit_id: int, rotation_type: str | None, *, on: dt.date | None = None,
                                 case_id: int | None = None) -> int | None:
    """After a rotation with a change of personnel relation completed as a transfer: its 交流轮岗
    record (是否调动人事关系 = 是)."""
    teacher = lock_teacher(db, teacher_id)
    writer = _Writer(db, cat, actor, teacher, "rotation", case_id)
    from_unit = db.get(Unit, from_unit_id)
    assert from_unit is not None
    row = write_rotation_record(writer, from_unit, teacher.unit, on or clock.today(), None, rotation_type,
                                relation=True)
    return row.id if row is not None else None


# ------------------------------------------------------------------ dated effects

def apply_dates(db: Session, cat: Any, day: dt.date | None = None, *,
                progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """The effects of ``day`` (today): a secondment that has begun sets 人员状态 交流轮岗 (205)
    once (``start_applied``); one past its end is marked ended and sets it back to 在本单位任职
    (100). Only a status the secondment itself set is touched; running it twice changes nothing."""
    day = day or clock.today()
    A = TeacherAssignment
    started = ended = 0
    begun = db.scalars(select(A).where(A.kind == SECONDMENT, history.holds_on(day), A.start_applied.is_(False)))
    for row in list(begun):
        row.start_applied = True
        if person_status(db, row.teacher_id) == P.WORKING:
            teacher = lock_teacher(db, row.teacher_id)
            _Writer(db, cat, None, teacher, "rotation", row.source_case_id).set_status(P.ROTATING_AWAY)
            started += 1
    finished = db.scalars(select(A).where(A.kind == SECONDMENT, A.valid_to <= day, A.end_reason.is_(None)))
    for row in list(finished):
        row.end_reason = "ended"
        teacher = lock_teacher(db, row.teacher_id)
        still = history.secondment_on(db, teacher.id, day)
        if still is None and person_status(db, teacher.id) == P.ROTATING_AWAY:
            _Writer(db, cat, None, teacher, "rotation", row.source_case_id).set_status(P.WORKING)
        ended += 1
        audit.record(db, "teacher.secondment_ended", target_type="teacher", target_id=teacher.id,
                     unit_id=teacher.unit_id, actor_name="tmis",
                     detail={"assignment": row.id, "until": (row.valid_to - dt.timedelta(days=1)).isoformat()
                             if row.valid_to else None, "case": row.source_case_id})
    if progress:
        progress(f"{day}: {started} secondments began, {ended} ended")
    return {"started": started, "ended": ended}
