"""Status changes (在职变动, 教师〔2017〕2号 art. 22), one or ten thousand at a time.

``apply`` takes a list of changes: it locks the teachers, loads what the checks need in a few
queries per thousand teachers, refuses the first change that cannot apply (nothing written), and
writes everything in set-wise statements: 人员状态 in 基本信息, the appointment closed (leaving,
retiring, dying: ``teachers.left_on``, the teacher's sessions end) or reopened (返岗), running
secondments cut short, one audit entry per teacher and per record. ``set_status`` is the one-
teacher form the case engine calls; the Excel batch (modules/status_change/batch.py) calls
``check`` on every row first, then ``apply`` on the rows.

What a change may do: ``words.CHANGES`` (the codes each may set). 长期不在岗 keeps the teacher
on the roll; 返岗 is possible from any status but 死亡; nothing but 返岗 happens to a teacher
who left. The effective date is today or earlier, and not before the current appointment began.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from sqlalchemy import (Boolean, Date, DateTime, Integer, String, any_, bindparam, delete, func, insert, literal, literal_column, select,
                        update)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from engine.fieldtypes import is_empty
from web import audit
from web.db.base import utcnow
from web.db.models import Account, Record, Teacher, Unit, WebSession
from web.errors import Refusal
from web.people import clock, history
from web.people import words as P
from web.people.models import APPOINTMENT, SECONDMENT, TeacherAssignment
from web.principal import Principal

A = TeacherAssignment
CHUNK = 1000


@dataclass(frozen=True)
class StatusChange:
    teacher_id: int
    change: str                 # words.CHANGES key
    on: dt.date                 # effective date
    code: str | None = None     # 人员状态 to set (the change's default when None)
    note: str | None = None
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class TeacherFacts:
    """The columns of a teacher the checks and writes read (loaded as rows, not ORM objects: ten
    thousand of them cost what a few do), with the unit's name for the messages."""

    id: int
    name: str
    unit_id: int
    unit_name: str
    left_on: dt.date | None
    created_at: dt.datetime


@dataclass
class Known:
    """What the checks need to know of one teacher, loaded in bulk."""

    teacher: TeacherFacts
    basic: int | None           # id of the 基本信息 record (None: none yet)
    status: str                 # 人员状态 now
    since: dt.date              # the current appointment began (the file's start for a never-moved teacher)
    open_row: int | None        # id of the open appointment row (None: none written yet, or left)
    change_request: bool        # an open change request (its copy of 基本信息 would undo the status)


def _chunks(ids: Sequence[Any]) -> Iterable[list[Any]]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def batches(db: Session, values: Sequence[Any]) -> Iterable[list[Any]]:
    """The values in as few lookups as the database allows: all at once on PostgreSQL (one array
    parameter, ``among``), a thousand at a time elsewhere (SQLite's limit on parameters)."""
    if db.get_bind().dialect.name == "postgresql":
        return [list(values)] if values else []
    return _chunks(values)


def among(db: Session, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``: on PostgreSQL ``column = ANY(:array)``, one parameter however many
    values (a short statement to send and plan, not ten thousand placeholders)."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)


def load(db: Session, teacher_ids: Iterable[int], *, lock: bool = False) -> dict[int, Known]:
    """The teachers (locked for the transaction with ``lock``, in id order as every writer does)."""
    from web.review.models import DRAFT, PENDING, ReviewCase

    ids = sorted(set(teacher_ids))
    out: dict[int, Known] = {}
    for chunk in batches(db, ids):
        stmt = (select(Teacher.id, Teacher.name, Teacher.unit_id, Unit.name, Teacher.left_on, Teacher.created_at)
                .join(Unit, Unit.id == Teacher.unit_id).where(among(db, Teacher.id, chunk)).order_by(Teacher.id))
        if lock:
            stmt = stmt.with_for_update(of=Teacher)
        teachers = {r[0]: TeacherFacts(*r) for r in db.execute(stmt)}
        basics: dict[int, tuple[int, Any]] = {}
        for tid, rid, code in db.execute(select(Record.teacher_id, Record.id, Record.document["person_status"].as_string())
                                         .where(among(db, Record.teacher_id, chunk), Record.set_key == "basic",
                                                Record.copy_of_id.is_(None))
                                         .order_by(Record.teacher_id, Record.position.desc(), Record.id.desc())):
            basics[tid] = (rid, code)  # the first by position wins (the last written)
        opened: dict[int, tuple[int, dt.date]] = {}
        with_rows: set[int] = set()
        for tid, rid, start, end in db.execute(select(A.teacher_id, A.id, A.valid_from, A.valid_to).where(
                among(db, A.teacher_id, chunk), A.kind == APPOINTMENT).order_by(A.teacher_id, A.valid_from, A.id)):
            with_rows.add(tid)
            if end is None:
                opened[tid] = (rid, start)
        changes = set(db.scalars(select(ReviewCase.teacher_id).where(
            among(db, ReviewCase.teacher_id, chunk), ReviewCase.kind == "change", ReviewCase.status.in_((DRAFT, PENDING)))))
        for tid, t in teachers.items():
            basic, code = basics.get(tid, (None, None))
            # no open row: a never-moved teacher (since the file began) or one who left (since leaving)
            row, since = opened.get(tid) or (None, (t.left_on if tid in with_rows else None) or history.file_start(t))
            out[tid] = Known(t, basic, str(code) if not is_empty(code) else P.WORKING, since, row, tid in changes)
    return out


def check(cat: Any, known: Known, item: StatusChange) -> str:
    """Refuse a change that cannot apply now; the 人员状态 code it will set."""
    from web.people.moves import status_label

    teacher, current = known.teacher, known.status
    spec = P.CHANGES[item.change]
    what = {"what": spec.zh, "what_en": spec.en.lower()}
    if known.change_request:
        raise Refusal(P.W_CHANGE_OPEN, name=teacher.name, **what)
    code = item.code or spec.default
    if code not in spec.codes:
        allowed = "、".join(f"{c} {status_label(cat, c)}" for c in spec.codes)
        raise Refusal(P.W_STATUS_CODE, change=spec.zh, change_en=spec.en, code=code or "", allowed=allowed)
    today = clock.today()
    if item.on > today:
        raise Refusal(P.W_FUTURE, date=item.on.isoformat(), today=today.isoformat())
    labels = {"status": status_label(cat, current), "status_en": status_label(cat, current, "en")}
    if item.change == P.RETURNED:
        if current == "303":
            raise Refusal(P.W_DECEASED, name=teacher.name, **what)
        if not (P.is_away(current) or P.is_left(current)):
            raise Refusal(P.W_NOT_AWAY, name=teacher.name, **labels)
        if teacher.left_on is not None and item.on < teacher.left_on:
            raise Refusal(P.W_TOO_EARLY, date=item.on.isoformat(), unit=teacher.unit_name,
                          since=teacher.left_on.isoformat())
        return code
    if teacher.left_on is not None or P.is_left(current):
        raise Refusal(P.W_HAS_LEFT, name=teacher.name, date=(teacher.left_on or item.on).isoformat(), **labels, **what)
    if item.on < known.since:  # every change alike: none can take effect before the appointment began
        raise Refusal(P.W_TOO_EARLY, date=item.on.isoformat(), unit=teacher.unit_name, since=known.since.isoformat())
    return code


def apply(db: Session, cat: Any, actor: Principal | None, items: Sequence[StatusChange], *,
          known: dict[int, Known] | None = None) -> list[dict[str, Any]]:
    """Check and apply every change (one per teacher) in the caller's transaction; the first
    that cannot apply is raised and nothing is written. ``known``: what ``load(…, lock=True)``
    returned earlier in this transaction (a batch that checked its rows with it)."""
    if len({i.teacher_id for i in items}) != len(items):
        raise ValueError("one status change per teacher at a time")
    known = known if known is not None else load(db, [i.teacher_id for i in items], lock=True)
    missing = [i.teacher_id for i in items if i.teacher_id not in known]
    if missing:
        from web.errors import W_TEACHER_NOT_FOUND

        raise Refusal(W_TEACHER_NOT_FOUND)
    codes = [check(cat, known[i.teacher_id], i) for i in items]
    actor_id = actor.account_id if actor else None
    now = utcnow()
    record_rows, left_rows, new_rows, closing, cut = [], [], [], [], []
    effects, entries = [], []
    for item, code in zip(items, codes):
        k = known[item.teacher_id]
        spec = P.CHANGES[item.change]
        if k.basic is not None:
            record_rows.append({"rid": k.basic, "code": code})
        left_on = k.teacher.left_on
        if spec.leaves:
            left_on = item.on
            if k.open_row is None:  # a never-moved teacher: the original appointment, closed at once
                new_rows.append(_row(k.teacher, k.since, item.on, item.change, "file", None, actor_id, now))
            else:
                closing.append({"aid": k.open_row, "to": item.on, "reason": item.change})
            cut.append({"tid": k.teacher.id, "on": item.on, "reason": item.change})
        elif item.change == P.RETURNED and k.teacher.left_on is not None:
            left_on = None
            new_rows.append(_row(k.teacher, item.on, None, None, "status", item.case_id, actor_id, now))
        if left_on != k.teacher.left_on:
            left_rows.append({"tid": k.teacher.id, "left_on": left_on})
        effect = {"teacher": k.teacher.id, "change": item.change, "status": {"before": k.status, "after": code},
                  "on": item.on.isoformat(), "left_on": left_on.isoformat() if left_on else None,
                  "records": [k.basic] if k.basic is not None else [], "case": item.case_id}
        effects.append(effect)
        # one entry per teacher: the change, and the 基本信息 record it wrote (人员状态 before/after)
        entries.append({"action": "teacher.status", "target_type": "teacher", "target_id": k.teacher.id,
                        "unit_id": k.teacher.unit_id, "detail": {**effect, "note": (item.note or "")[:200],
                                                                 "set": "basic", "field": "person_status"}})
    _write(db, record_rows, left_rows, new_rows, closing, cut, actor_id, cat.version)
    leaving = [r["tid"] for r in left_rows if r["left_on"] is not None]
    for chunk in batches(db, leaving):
        db.execute(delete(WebSession).where(WebSession.account_id.in_(
            select(Account.id).where(among(db, Account.teacher_id, chunk)))).execution_options(synchronize_session=False))
    # the ORM copies this session holds are stale now
    for model, key in [(Teacher, i.teacher_id) for i in items] + [(Record, r["rid"]) for r in record_rows]:
        loaded = db.identity_map.get(db.identity_key(model, key))
        if loaded is not None:
            db.expire(loaded)
    audit.record_many(db, entries, actor=actor)
    from web import events

    # one batch: a listener with handle_events sees the sheet in one call, the others each change
    events.emit_many(db, events.STATUS_CHANGED, [
        {"teacher_id": e["teacher"], "change": e["change"], "status": e["status"], "on": e["on"],
         "case_id": e["case"]} for e in effects], actor=actor_id)
    return effects


def _row(teacher: TeacherFacts, start: dt.date, end: dt.date | None, reason: str | None, source: str,
         case_id: int | None, actor_id: int | None, now: dt.datetime) -> dict[str, Any]:
    return {"teacher_id": teacher.id, "kind": APPOINTMENT, "personnel_unit_id": teacher.unit_id,
            "working_unit_id": teacher.unit_id, "valid_from": start, "valid_to": end, "end_reason": reason,
            "source": source, "source_case_id": case_id, "created_at": now, "created_by_id": actor_id,
            "start_applied": False}


def _write(db: Session, record_rows: list[dict[str, Any]], left_rows: list[dict[str, Any]],
           new_rows: list[dict[str, Any]], closing: list[dict[str, Any]], cut: list[dict[str, Any]],
           actor_id: int | None, version: str) -> None:
    """Set-wise statements on the tables, whatever the number of teachers: on PostgreSQL one
    UPDATE … FROM unnest(arrays) per table (one round trip for ten thousand teachers), elsewhere
    an executemany."""
    now = utcnow()
    records, teachers, rows = Record.__table__, Teacher.__table__, A.__table__
    pg = db.get_bind().dialect.name == "postgresql"
    if record_rows:  # 人员状态 set inside the stored document: the rest of it never travels
        if pg:
            v = _unnest(record_rows, rid=Integer(), code=String())
            document = func.jsonb_set(records.c.document, literal_column("'{person_status}'"), func.to_jsonb(v.c.code))
            db.execute(update(records).where(records.c.id == v.c.rid).values(
                document=document, version=records.c.version + 1, catalogue_version=version,
                updated_by_id=actor_id, updated_at=now))
        else:
            code = bindparam("code", type_=String())
            db.execute(update(records).where(records.c.id == bindparam("rid")).values(
                document=func.json_set(records.c.document, "$.person_status", code), version=records.c.version + 1,
                catalogue_version=version, updated_by_id=actor_id, updated_at=now), record_rows)
    if left_rows:
        if pg:
            v = _unnest(left_rows, tid=Integer(), left_on=Date())
            db.execute(update(teachers).where(teachers.c.id == v.c.tid).values(left_on=v.c.left_on, updated_at=now))
        else:
            db.execute(update(teachers).where(teachers.c.id == bindparam("tid")).values(
                left_on=bindparam("left_on"), updated_at=now), left_rows)
    if closing:
        if pg:
            v = _unnest(closing, aid=Integer(), to=Date(), reason=String())
            db.execute(update(rows).where(rows.c.id == v.c.aid).values(valid_to=v.c.to, end_reason=v.c.reason))
        else:
            db.execute(update(rows).where(rows.c.id == bindparam("aid")).values(
                valid_to=bindparam("to"), end_reason=bindparam("reason")), closing)
    if cut:  # running secondments end with the appointment (never before they began)
        if pg:
            v = _unnest(cut, tid=Integer(), on=Date(), reason=String())
            db.execute(update(rows).where(rows.c.teacher_id == v.c.tid, rows.c.kind == SECONDMENT,
                                          rows.c.valid_to.is_(None) | (rows.c.valid_to > v.c.on))
                       .values(valid_to=func.greatest(v.c.on, rows.c.valid_from), end_reason=v.c.reason))
        else:
            on = bindparam("on", type_=rows.c.valid_to.type)
            db.execute(update(rows).where(rows.c.teacher_id == bindparam("tid"), rows.c.kind == SECONDMENT,
                                          rows.c.valid_to.is_(None) | (rows.c.valid_to > on))
                       .values(valid_to=func.max(on, rows.c.valid_from), end_reason=bindparam("reason")), cut)
    if new_rows:
        if pg:  # INSERT … SELECT FROM unnest(arrays): one statement, ten thousand rows
            types = {k: _ROW_TYPES[k] for k in new_rows[0]}
            v = _unnest(new_rows, **types)
            db.execute(insert(rows).from_select(list(types), select(*(v.c[k] for k in types))))
        else:
            db.execute(insert(rows), new_rows)


_ROW_TYPES = {"teacher_id": Integer(), "kind": String(), "personnel_unit_id": Integer(), "working_unit_id": Integer(),
              "valid_from": Date(), "valid_to": Date(), "end_reason": String(), "source": String(),
              "source_case_id": Integer(), "created_at": DateTime(timezone=True), "created_by_id": Integer(),
              "start_applied": Boolean()}


def _unnest(values: list[dict[str, Any]], **types: Any) -> Any:
    """PostgreSQL: ``unnest(:a, :b, …) AS v(a, b, …)`` of the rows' columns, one array each."""
    arrays = [bindparam(f"arr_{k}", [r[k] for r in values], type_=ARRAY(t)) for k, t in types.items()]
    return func.unnest(*arrays).table_valued(*types).render_derived(name="v")


def set_status(db: Session, cat: Any, actor: Principal | None, teacher_id: int, change: str, code: str | None,
               on: dt.date, *, note: str | None = None, case_id: int | None = None) -> dict[str, Any]:
    """One teacher's status change (what a case does on completion)."""
    return apply(db, cat, actor, [StatusChange(teacher_id, change, on, code, note, case_id)])[0]
