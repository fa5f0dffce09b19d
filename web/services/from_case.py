"""The writes a business makes to a teacher's records (read-only fields, records it owns whole),
part of the one write path (``web.services.records`` names them): ``write_from_case`` and
``remove_from_case``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from engine.fieldtypes import is_empty
from web import audit
from web.db.models import Record, Teacher
from web.errors import W_BAD_REQUEST, Refusal
from web.principal import Principal
from web.services.records import changes, check_values, file_rows, owner

def write_from_case(db: Session, cat: Catalogue, actor: Principal | None, teacher_id: int, record_id: int | None,
                    values: Mapping[str, Any], *, via: str, case_id: int | None, set_key: str | None = None) -> Record:
    """The one write of the fields people cannot write (``readonly: true`` in the set's YAML): a
    business case fills them when it completes (教师资格's 定期注册日期/结论 from
    modules/registration). Only read-only fields, each value of its field's type (a code of its
    table, a yyyy-MM-dd date); the review state does not lock them (no one types them, so there is
    nothing to review); an open change request's copy (复本) of the record gets them too, so its
    approval cannot put the old values back. Audited as ``record.update`` naming the case.

    ``record_id`` None (with ``set_key``): the business adds a whole record it owns (国内培训 from
    the credit bank): the values must name its ``owns_record`` field, are cleaned and validated like
    any record (errors refuse), and the record takes the file's state (approved in an approved file:
    someone with the authority confirmed it); people then neither change nor delete it (W659)."""
    from web.review.service import lock_teacher

    teacher = lock_teacher(db, teacher_id)
    if record_id is None:
        return _add_from_case(db, cat, actor, teacher, set_key or "", values, via=via, case_id=case_id)
    row = db.scalar(select(Record).where(Record.id == record_id, Record.teacher_id == teacher.id,
                                         Record.copy_of_id.is_(None)).execution_options(populate_existing=True))
    if row is None:
        raise Refusal(W_BAD_REQUEST, detail=f"no record {record_id} of teacher {teacher_id}",
                      detail_en=f"no record {record_id} of teacher {teacher_id}")
    fields = {f.key: f for f in cat.sets[row.set_key].all_fields()}
    for key, value in values.items():
        f = fields.get(key)
        bad = f is None or not f.readonly
        if not bad and f.type == "code":
            table = cat.codes.get(f.codes)
            bad = table is None or str(value) not in table.by_code
        elif not bad and f.type == "date":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                bad = True
        if bad:
            raise Refusal(W_BAD_REQUEST, detail=f"{row.set_key}.{key} = {value!r}: not a read-only field's value",
                          detail_en=f"{row.set_key}.{key} = {value!r}: not a read-only field's value")
    copies = list(db.scalars(select(Record).where(Record.copy_of_id == row.id)))
    for target in [row, *copies]:
        before = dict(target.document or {})
        after = {**before, **{k: (str(v) if not isinstance(v, str) else v) for k, v in values.items()}}
        if after == before:
            continue
        target.document = after
        target.catalogue_version = cat.version
        target.updated_by_id = actor.account_id if actor else None
        db.flush()
        audit.record(db, "record.update", actor=actor, actor_name=None if actor else "tmis", target_type="record",
                     target_id=target.id, unit_id=teacher.unit_id,
                     detail={"teacher": teacher.id, "set": target.set_key, "version": target.version,
                             "copy_of": target.copy_of_id, "changes": changes(before, after, set()),
                             "via": via, "case": case_id})
        if target is row and row.state == "approved":  # approved data changed: listeners (statistics, the
            from web import events  # national tier's published file) see it as they see an approval

            events.emit(db, events.FILE_APPROVED, actor=actor.account_id if actor else None, teacher_id=teacher.id,
                        unit=teacher.unit.code if teacher.unit else None, kind=via, case_id=case_id)
    return row


def _add_from_case(db: Session, cat: Catalogue, actor: Principal | None, teacher: Teacher, set_key: str,
                   values: Mapping[str, Any], *, via: str, case_id: int | None) -> Record:
    spec = cat.sets.get(set_key)
    owned = [f for f in spec.all_fields() if f.owns_record] if spec is not None else []
    if spec is None or spec.cardinality != "many" or not owned or all(is_empty(values.get(f.key)) for f in owned):
        raise Refusal(W_BAD_REQUEST, detail=f"'{set_key}': a business adds only records it owns (an owns_record field)",
                      detail_en=f"'{set_key}': a business adds only records it owns (an owns_record field)")
    record, violations = check_values(cat, teacher, file_rows(db, teacher.id), set_key, values, None)
    errors = [v for v in violations if v.severity == "error"]
    if errors:
        raise Refusal(W_BAD_REQUEST, detail="; ".join(f"{v.field}: {v.message('zh')}" for v in errors[:5]),
                      detail_en="; ".join(f"{v.field}: {v.message('en')}" for v in errors[:5]))
    siblings = db.scalars(select(Record.position).where(Record.teacher_id == teacher.id, Record.set_key == set_key,
                                                         Record.copy_of_id.is_(None))).all()
    approved = teacher.state == "approved"
    row = Record(teacher_id=teacher.id, set_key=set_key, position=max(siblings, default=-1) + 1, document=dict(record),
                 catalogue_version=cat.version, updated_by_id=actor.account_id if actor else None,
                 state="approved" if approved else "draft")
    db.add(row)
    db.flush()
    audit.record(db, "record.create", actor=actor, actor_name=None if actor else "tmis", target_type="record",
                 target_id=row.id, unit_id=teacher.unit_id,
                 detail={"teacher": teacher.id, "set": set_key, "version": row.version,
                         "changes": changes({}, record, set()), "via": via, "case": case_id})
    if approved:
        from web import events

        events.emit(db, events.FILE_APPROVED, actor=actor.account_id if actor else None, teacher_id=teacher.id,
                    unit=teacher.unit.code if teacher.unit else None, kind=via, case_id=case_id)
    return row


def remove_from_case(db: Session, cat: Catalogue, actor: Principal | None, teacher_id: int, record_id: int, *,
                     via: str, case_id: int | None) -> None:
    """The business takes back a record it added (its credit revoked): the record and any copy
    of it go, audited as ``record.delete`` naming the business. Only a record it owns."""
    from web.review.service import lock_teacher

    teacher = lock_teacher(db, teacher_id)
    row = db.scalar(select(Record).where(Record.id == record_id, Record.teacher_id == teacher.id,
                                         Record.copy_of_id.is_(None)))
    if row is None:
        return  # already gone (the teacher's file was deleted, or removed before)
    if owner(cat, row.set_key, row.document) is None:
        raise Refusal(W_BAD_REQUEST, detail=f"record {record_id} is not owned by a business",
                      detail_en=f"record {record_id} is not owned by a business")
    audit.record(db, "record.delete", actor=actor, actor_name=None if actor else "tmis", target_type="record",
                 target_id=row.id, unit_id=teacher.unit_id,
                 detail={"teacher": teacher.id, "set": row.set_key, "changes": changes(dict(row.document), {}, set()),
                         "via": via, "case": case_id})
    approved = row.state == "approved"
    for copy in db.scalars(select(Record).where(Record.copy_of_id == row.id)):
        db.delete(copy)
    db.delete(row)
    db.flush()
    if approved:
        from web import events

        events.emit(db, events.FILE_APPROVED, actor=actor.account_id if actor else None, teacher_id=teacher.id,
                    unit=teacher.unit.code if teacher.unit else None, kind=via, case_id=case_id)


Locked = dict[int, tuple[str, str | None, str | None]]  # teacher id -> (file state, school type, unit code)


def lock_teachers(db: Session, among: Any) -> Locked:
    """The teachers' rows locked FOR UPDATE in id order (no deadlock between two batches), with
    what ``add_many_from_case`` needs of each. ``among``: teacher ids, or a SELECT of them (one
    statement however many: a confirmation's participants)."""
    from web.db.models import Unit

    stmt = (select(Teacher.id, Teacher.state, Unit.school_type, Unit.code).join(Unit, Unit.id == Teacher.unit_id)
            .order_by(Teacher.id).with_for_update(of=Teacher))
    if not isinstance(among, (list, tuple, set)):
        return {tid: (state, st, code) for tid, state, st, code in db.execute(stmt.where(Teacher.id.in_(among)))}
    ids, info = sorted(set(among)), {}
    for i in range(0, len(ids), 5000):
        for tid, state, st, code in db.execute(stmt.where(Teacher.id.in_(ids[i:i + 5000]))):
            info[tid] = (state, st, code)
    return info


def add_many_from_case(db: Session, cat: Catalogue, actor: Principal | None, items: list[tuple[int, Mapping[str, Any]]],
                       *, set_key: str, via: str, case_id: int | None, among: Any = None,
                       locked: Locked | None = None) -> int:
    """``write_from_case`` adding records for many teachers at once (a training project's
    confirmed results): the same rules — only a set's records a business owns whole, values
    cleaned and checked (each distinct record once; errors refuse the whole batch), the record
    takes its file's state — in a few statements; the teachers' rows locked in id order; audited
    once for the batch (as the Excel import is) and one FILE_APPROVED batch for approved files.
    Returns the number of records added.

    ``among``: a SELECT of the items' teacher ids (the reads then take one statement each, not one
    per 5,000 teachers); ``locked``: what ``lock_teachers`` returned when the caller locked the
    teachers already in this transaction (they are not locked twice)."""
    from sqlalchemy import func

    from web.db import bulk
    from web.db.base import utcnow

    spec = cat.sets.get(set_key)
    owned = [f for f in spec.all_fields() if f.owns_record] if spec is not None else []
    if spec is None or spec.cardinality != "many" or not owned:
        raise Refusal(W_BAD_REQUEST, detail=f"'{set_key}': a business adds only records it owns (an owns_record field)",
                      detail_en=f"'{set_key}': a business adds only records it owns (an owns_record field)")
    if not items:
        return 0
    ids = sorted({tid for tid, _ in items})
    info = locked if locked is not None else lock_teachers(db, ids if among is None else among)
    top_of = select(Record.teacher_id, func.max(Record.position)).where(
        Record.set_key == set_key, Record.copy_of_id.is_(None)).group_by(Record.teacher_id)
    top: dict[int, int] = {}
    if among is not None:
        top.update(db.execute(top_of.where(Record.teacher_id.in_(among))).all())
    else:
        for i in range(0, len(ids), 5000):
            top.update(db.execute(top_of.where(Record.teacher_id.in_(ids[i:i + 5000]))).all())
    checked: dict[tuple[str, str], dict[str, Any]] = {}
    shapes: dict[int, str] = {}  # id(values) -> its key (items keeps each values object alive)
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for tid, values in items:
        if tid not in info:
            continue
        state, family, _ = info[tid]
        if id(values) not in shapes:  # items often share one values object (the same training)
            shapes[id(values)] = repr(sorted(values.items()))
        key = (family, shapes[id(values)])
        if key not in checked:
            validator = cat.validator(set_key, family)
            record = validator.clean(dict(values))
            if all(is_empty(record.get(f.key)) for f in owned):
                raise Refusal(W_BAD_REQUEST, detail="the owns_record field is empty", detail_en="the owns_record field is empty")
            errors = [v for v in validator.validate(record, records=[record], index=0) if v.severity == "error"]
            if errors:
                raise Refusal(W_BAD_REQUEST, detail="; ".join(f"{v.field}: {v.message('zh')}" for v in errors[:5]),
                              detail_en="; ".join(f"{v.field}: {v.message('en')}" for v in errors[:5]))
            checked[key] = record
        top[tid] = top.get(tid, -1) + 1
        # one document object per distinct record, shared by its rows (only inserted: encoded once)
        rows.append({"teacher_id": tid, "set_key": set_key, "position": top[tid], "document": checked[key],
                     "catalogue_version": cat.version, "version": 1, "state": "approved" if state == "approved" else "draft",
                     "created_at": now, "updated_at": now, "updated_by_id": actor.account_id if actor else None})
    bulk.insert_many(db, Record.__table__, rows)
    audit.record(db, "record.create", actor=actor, actor_name=None if actor else "tmis", target_type="teachers",
                 target_id=None, unit_id=None, detail={"set": set_key, "records": len(rows), "via": via, "case": case_id})
    approved = sorted({r["teacher_id"] for r in rows if r["state"] == "approved"})
    if approved:
        from web import events

        events.emit_many(db, events.FILE_APPROVED, [{"teacher_id": t, "unit": info[t][2], "kind": via, "case_id": case_id}
                                                    for t in approved], actor=actor.account_id if actor else None)
    return len(rows)
