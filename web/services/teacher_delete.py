"""删除 a teacher file entered by mistake (issue 20.14; seed: the 信息管理员 deletes 基本信息).

Only while the file is 未报送 (nothing of it was ever submitted, so no reviewer saw it), only by
the school's staff who enter files (web.permissions ``teacher.delete``), after a confirmation,
and audited. Everything of the person goes with the file: records, the teacher's own account,
the appointment rows. The audit entry names the file by its id and counts, never by the
person's name or ID number (the entry outlives the file; personal data stays out of logs).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web import audit, permissions, scope
from web.db.models import Account, Record, Teacher
from web.errors import Refusal, _e
from web.principal import Principal

W_DELETE_SUBMITTED = _e(
    "W460", 409, "「{name}」的档案{state}，不能删除：只有未报送的档案可以删除",
    "The file of '{name}' is {state_en}; only a file that was never submitted can be deleted",
    "已报送或审核过的档案由审核记录保留。如信息有误，请用「申请变更」（复本）更正；教师调离、退休等请办理相应业务。",
    "A file that was submitted or reviewed is kept with its review history. Correct wrong data with a "
    "change request (a copy); a teacher who left or retired is recorded by that procedure.")

W_DELETE_IN_USE = _e(
    "W461", 409, "「{name}」的档案已被其他业务（如调动、交流轮岗）引用，不能删除",
    "The file of '{name}' is referred to by other work (a transfer, a rotation …); it cannot be deleted",
    "请先撤回或办结相关业务，再删除误录入的档案。", "Withdraw or finish that work first, then delete the file.")

STATE_WORDS = {"pending": ("正在审核", "under review"), "approved": ("已审核通过", "approved"),
               "rejected": ("已被退回", "sent back")}


def deletable(db: Session, me: Principal, teacher: Teacher) -> bool:
    """What the list and the file's page ask before they offer 删除."""
    return teacher.state == "unsubmitted" and permissions.may(me, "teacher.delete", teacher.unit, db=db)


def check(db: Session, me: Principal, teacher_id: int) -> Teacher:
    """The teacher, if ``me`` may delete the file now; the refusal that says why otherwise."""
    teacher = scope.get_teacher(db, me, teacher_id, "teacher.read")
    permissions.require(me, "teacher.delete", teacher.unit, db=db)
    if teacher.state != "unsubmitted":
        zh, en = STATE_WORDS.get(teacher.state, (teacher.state, teacher.state))
        raise Refusal(W_DELETE_SUBMITTED, name=teacher.name, state=zh, state_en=en)
    return teacher


def delete_file(db: Session, me: Principal, teacher_id: int) -> dict[str, Any]:
    """Delete the file (the one write of every entry point: page, API). Returns what went."""
    check(db, me, teacher_id)
    # lock the row: a 报送 at the same moment either comes first (then this refuses) or finds nothing
    teacher = db.scalar(select(Teacher).where(Teacher.id == teacher_id).with_for_update(of=Teacher)
                        .execution_options(populate_existing=True))
    if teacher is None:
        raise Refusal("W402")
    if teacher.state != "unsubmitted":
        zh, en = STATE_WORDS.get(teacher.state, (teacher.state, teacher.state))
        raise Refusal(W_DELETE_SUBMITTED, name=teacher.name, state=zh, state_en=en)
    unit_id, unit_code = teacher.unit_id, teacher.unit.code
    records = db.scalar(select(func.count()).select_from(Record).where(Record.teacher_id == teacher_id)) or 0
    accounts = 0
    for account in db.scalars(select(Account).where(Account.teacher_id == teacher_id, Account.kind == "teacher")):
        db.delete(account)  # with its grants and sessions
        accounts += 1
    # records first (copies point at originals), then the person; the rest follows by cascade
    name = teacher.name
    try:
        with db.begin_nested():
            db.execute(delete(Record).where(Record.teacher_id == teacher_id, Record.copy_of_id.is_not(None)))
            db.execute(delete(Record).where(Record.teacher_id == teacher_id))
            _delete_dependants(db, teacher_id)
            db.delete(teacher)
            db.flush()
    except IntegrityError:  # another module's rows still refer to the person
        raise Refusal(W_DELETE_IN_USE, name=name) from None
    out = {"teacher": teacher_id, "unit": unit_code, "records": records, "accounts": accounts}
    audit.record(db, "teacher.delete", actor=me, target_type="teacher", target_id=teacher_id, unit_id=unit_id,
                 detail=out)
    return out


def _delete_dependants(db: Session, teacher_id: int) -> None:
    """Rows of other modules that hang on the person (their foreign keys cascade on PostgreSQL;
    deleted here too so that no database leaves them behind)."""
    from web.people.models import TeacherAssignment
    from web.review.models import ReviewCase, ReviewEvent

    db.execute(delete(TeacherAssignment).where(TeacherAssignment.teacher_id == teacher_id))
    db.execute(delete(ReviewEvent).where(ReviewEvent.teacher_id == teacher_id))
    db.execute(delete(ReviewCase).where(ReviewCase.teacher_id == teacher_id))
