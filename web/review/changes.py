"""After approval: additions (new records, route ``addition``) and change requests through copies
(复本, route ``change``), with the field-by-field diff reviewers see.

Seed 000 (赣教师字〔2011〕31号): "把原教师信息另存一个教师信息复本，对复本进行更正后提交…通过与原教师信息
进行比对，确认后…逐级提交给上级审核"; 教师〔2017〕2号 art. 19: new information may be added by the
teacher and is reviewed; changing existing information is requested by the school and approved by
the authority. So:

- a copy is a ``records`` row with ``copy_of_id`` → the approved original; forms and reads skip
  copies (they filter ``copy_of_id IS NULL``), so the approved file stays what everyone sees;
- on final approval every copy's values replace its original's in one transaction (the original
  keeps its id, its version counter moves on); the copy stays as history (state ``applied``) and
  the case keeps the original's values before the change (``snapshot``): history keeps both;
- a change request sent back leaves the originals untouched; the school edits the copies and
  submits again, or discards the request.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from engine.fieldtypes import is_empty
from web import permissions, scope
from web.privacy import MASK
from web.db.base import utcnow
from web.db.models import Record, Teacher
from web.errors import W_BAD_REQUEST, Refusal
from web.principal import Principal
from web.review import service as S
from web.review import words as W
from web.services import records as R
from web.review.models import APPROVED, DRAFT, PENDING, REJECTED, WITHDRAWN, ReviewCase

APPLIED = "applied"


class Invalid(Refusal):
    """Engine errors on a record: nothing saved; the violations go back to the user."""

    def __init__(self, violations: list[dict[str, Any]]) -> None:
        super().__init__("W403", detail="；".join(v["message"] for v in violations[:5]),
                         detail_en="; ".join(v.get("message_en") or v["message"] for v in violations[:5]))
        self.violations = violations

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "violations": self.violations}


# ------------------------------------------------------------------ who may edit

def _require_school(db: Session, principal: Principal, teacher_id: int) -> Teacher:
    """Change requests are the school's act (art. 19): record.edit held at the teacher's school;
    a teacher may also start one on the own file (seed 000 way 1), which the school reviews first."""
    if own_file(principal, teacher_id):
        return scope.get_teacher(db, principal, teacher_id, "teacher.read")
    teacher = scope.get_teacher(db, principal, teacher_id, "teacher.read")
    if not permissions.may(principal, "change.request", teacher.unit_id):
        raise Refusal(W.W_NOT_COPY_EDITOR)
    return teacher


def own_file(principal: Principal, teacher_id: int) -> bool:
    """A teacher acting on the own file (self-service, with self.edit)."""
    return principal.kind == "teacher" and principal.teacher_id == teacher_id and principal.has("self.edit")


def _may_copy(cat: Catalogue, principal: Principal, teacher_id: int, original: Record, delete: bool) -> None:
    """A teacher corrects only the sets the teacher fills; a set of one record is never deleted."""
    spec = cat.sets.get(original.set_key)
    if spec is None:
        raise Refusal(W_BAD_REQUEST, detail=f"no set '{original.set_key}'")
    if own_file(principal, teacher_id) and not spec.teacher_fills_any():
        from web.forms.service import W_FILLED_BY_SCHOOL

        raise Refusal(W_FILLED_BY_SCHOOL, set=spec.label.zh, set_en=spec.label.get("en"))
    if delete:
        from web.services.records import check_add

        check_add(principal, spec)  # W802: a teacher deletes no record of a set the school fills
    if delete and spec.cardinality == "one":
        from web.forms.service import W_SINGLE_RECORD

        raise Refusal(W_SINGLE_RECORD, set=spec.label.zh, set_en=spec.label.get("en"))


def deleting(case: ReviewCase, original_id: int | None) -> bool:
    """Does the change request delete this approved record (rather than correct it)?"""
    return bool((case.snapshot or {}).get(str(original_id), {}).get("delete"))


# ------------------------------------------------------------------ validation in the file's context

def save_record(db: Session, cat: Catalogue, principal: Principal, teacher_id: int, set_key: str,
                values: Mapping[str, Any], *, record_id: int | None = None, version: int | None = None,
                require_version: bool = False) -> tuple[Record, list[dict[str, Any]]]:
    """保存 one record: a new record (an addition when the file is approved), an addition not yet
    submitted, or a copy of an open change request, through the one write path
    (``web.services.records.write``: who, state, version, values, identity, one number). With
    ``require_version`` (the API and the copy page) a change of an existing record names the
    version it was read at (428 W440 without); a stale one is 409 W410 with the current values."""
    if set_key not in cat.sets:
        raise Refusal(W_BAD_REQUEST, detail=f"no set '{set_key}'", detail_en=f"no set '{set_key}'")
    try:
        row, found = R.write(db, cat, principal, teacher_id, set_key, values, record_id=record_id, version=version,
                             require_version=require_version)
    except R.Refused as refused:
        raise Invalid(S.violations_json([v for v in refused.violations if v.severity == "error"], cat)) from None
    except R.Conflict as conflict:
        teacher = db.get(Teacher, teacher_id)
        raise conflict.refusal(R.shown(db, cat, principal, teacher, set_key, conflict.current)) from None
    return row, S.violations_json(found, cat)


# ------------------------------------------------------------------ additions

def pending_additions(db: Session, teacher_id: int) -> list[Record]:
    return list(db.scalars(select(Record).where(Record.teacher_id == teacher_id, Record.copy_of_id.is_(None),
                                                Record.state.in_((DRAFT, REJECTED)))
                           .order_by(Record.set_key, Record.position)))


def submit_additions(db: Session, cat: Catalogue, principal: Principal, teacher_id: int) -> ReviewCase:
    """报送 the new records of an approved file along the ``addition`` route."""
    S._require_submitter(db, principal, teacher_id)
    teacher = S.lock_teacher(db, teacher_id)
    if teacher.state != W.APPROVED:
        raise Refusal(W.W_WRONG_STATE, state=W.state_word(teacher.state), state_en=W.state_word(teacher.state, lang="en"),
                      action="报送新增信息", action_en="submit additions")
    added = pending_additions(db, teacher_id)
    if not added:
        raise Refusal(W.W_NOTHING, what="新增记录", what_en="no new records")
    rows = S.file_records(db, teacher_id)
    errors = [v for v in S.completeness(cat, teacher, rows) if v.severity == "error"]
    if errors:
        raise S.Incomplete(S.violations_json(errors, cat))
    case = ReviewCase(teacher_id=teacher_id, unit_id=teacher.unit_id, kind="addition", status=DRAFT,
                      record_ids=[r.id for r in added], snapshot={}, created_by_id=principal.account_id)
    db.add(case)
    db.flush()
    for r in added:
        r.state = PENDING
    S._start(db, cat, principal, case)
    if case.waiting_unit_id is None:
        S._finish(db, cat, principal, case, teacher)
    db.flush()
    S._audit(db, principal, "submit", case, records=case.record_ids, level=case.waiting_level)
    return case


# ------------------------------------------------------------------ change requests (复本)

def open_change(db: Session, cat: Catalogue, principal: Principal, teacher_id: int,
                record_ids: Sequence[int], *, delete: bool = False) -> ReviewCase:
    """Open (or extend) the teacher's change request with copies of approved records; with
    ``delete`` the request deletes those records (a wrongly entered 学习经历, say): their copies
    are kept unchanged and, on final approval, the originals are deleted."""
    _require_school(db, principal, teacher_id)
    teacher = S.lock_teacher(db, teacher_id)
    if teacher.state != W.APPROVED:
        raise Refusal(W.W_WRONG_STATE, state=W.state_word(teacher.state), state_en=W.state_word(teacher.state, lang="en"),
                      action="申请变更", action_en="request a change")
    case = db.scalar(select(ReviewCase).where(ReviewCase.teacher_id == teacher_id, ReviewCase.kind == "change",
                                              ReviewCase.status.in_((DRAFT, REJECTED, PENDING)))
                     .with_for_update())
    if case is not None and case.status == PENDING:
        raise Refusal(W.W_UNDER_REVIEW, level=W.word(W.LEVEL_WORDS, case.waiting_level), level_en=case.waiting_level)
    if case is None:
        case = ReviewCase(teacher_id=teacher_id, unit_id=teacher.unit_id, kind="change", status=DRAFT,
                          record_ids=[], snapshot={}, created_by_id=principal.account_id)
        db.add(case)
        db.flush()
    existing = {c.copy_of_id for c in copies(db, case)}
    new_ids = list(case.record_ids)
    for rid in dict.fromkeys(record_ids):
        original = db.scalar(select(Record).where(Record.id == rid, Record.teacher_id == teacher_id,
                                                  Record.copy_of_id.is_(None)))
        if original is None:
            raise Refusal(W_BAD_REQUEST, detail=f"no record {rid}")
        if original.id in existing:
            raise Refusal(W.W_COPY_OPEN)
        if original.state != APPROVED:
            raise Refusal(W.W_WRONG_STATE, state=W.state_word(original.state),
                          state_en=W.state_word(original.state, lang="en"), action="创建复本", action_en="copy")
        _may_copy(cat, principal, teacher_id, original, delete)
        copy = Record(teacher_id=teacher_id, set_key=original.set_key, position=original.position,
                      document=dict(original.document), catalogue_version=original.catalogue_version,
                      copy_of_id=original.id, state=DRAFT, updated_by_id=principal.account_id)
        db.add(copy)
        db.flush()
        new_ids.append(copy.id)
        entry: dict[str, Any] = {"base_version": original.version}
        if delete:
            entry.update(delete=True, set=original.set_key, position=original.position)
        case.snapshot = {**case.snapshot, str(original.id): entry}
        S._event(db, case, principal, "open", level="school", unit_id=principal.unit_id, from_status=None,
                 to_status=DRAFT, reason=f"{'-' if delete else ''}{original.set_key}#{original.id}")
    case.record_ids = new_ids
    db.flush()
    S._audit(db, principal, "open_copy", case, records=list(record_ids), delete=delete)
    return case


def copies(db: Session, case: ReviewCase) -> list[Record]:
    if not case.record_ids:
        return []
    return list(db.scalars(select(Record).where(Record.id.in_(case.record_ids)).order_by(Record.set_key,
                                                                                         Record.position)))


def submit_change(db: Session, cat: Catalogue, principal: Principal, case_id: int) -> ReviewCase:
    """报送 a change request (draft, or sent back and corrected) along the ``change`` route."""
    teacher_id = db.scalar(select(ReviewCase.teacher_id).where(ReviewCase.id == case_id, ReviewCase.kind == "change"))
    if teacher_id is None:
        raise Refusal(W.W_CASE_NOT_FOUND)
    if own_file(principal, teacher_id):  # the teacher's own correction goes to the school first
        scope.get_teacher(db, principal, teacher_id, "teacher.read")
    else:
        S._require_submitter(db, principal, teacher_id)
    teacher = S.lock_teacher(db, teacher_id)
    case = S.lock_case(db, case_id)
    assert case is not None
    if case.status not in (DRAFT, REJECTED):
        raise Refusal(W.W_WRONG_STATE, state=W.state_word(case.status), state_en=W.state_word(case.status, lang="en"),
                      action="报送", action_en="submit")
    cps = copies(db, case)
    if not cps:
        raise Refusal(W.W_NOTHING, what="复本", what_en="no copies")
    gone = {c.copy_of_id for c in cps if deleting(case, c.copy_of_id)}
    rows = [r for r in S.file_records(db, teacher_id) if r.id not in gone]
    errors = [v for v in S.completeness(cat, teacher, rows, {c.copy_of_id: c.document for c in cps
                                                             if c.copy_of_id not in gone})
              if v.severity == "error"]
    if errors:
        raise S.Incomplete(S.violations_json(errors, cat))
    for c in cps:
        c.state = PENDING
    case.reason = None
    S._start(db, cat, principal, case)
    if case.waiting_unit_id is None:
        S._finish(db, cat, principal, case, teacher)
    S._flush_case(db, case)
    S._audit(db, principal, "submit", case, copies=case.record_ids, level=case.waiting_level)
    return case


def discard_change(db: Session, cat: Catalogue, principal: Principal, case_id: int) -> ReviewCase:
    """Give up a change request that is not under review: the copies go, the originals stay."""
    teacher_id = db.scalar(select(ReviewCase.teacher_id).where(ReviewCase.id == case_id, ReviewCase.kind == "change"))
    if teacher_id is None:
        raise Refusal(W.W_CASE_NOT_FOUND)
    _require_school(db, principal, teacher_id)
    S.lock_teacher(db, teacher_id)
    case = S.lock_case(db, case_id)
    assert case is not None
    if case.status not in (DRAFT, REJECTED):
        raise Refusal(W.W_WRONG_STATE, state=W.state_word(case.status), state_en=W.state_word(case.status, lang="en"),
                      action="撤回", action_en="discard")
    for c in copies(db, case):
        db.delete(c)
    case.status, case.decided_at = WITHDRAWN, utcnow()
    S._event(db, case, principal, "withdraw", level=None, unit_id=principal.unit_id, from_status=DRAFT,
             to_status=WITHDRAWN)
    S._flush_case(db, case)
    S._audit(db, principal, "withdraw", case)
    return case


def apply_copies(db: Session, cat: Catalogue, principal: Principal, case: ReviewCase, teacher: Teacher) -> None:
    """Final approval of a change request: copies replace originals, atomically (same transaction
    as the approval; the originals are locked first)."""
    cps = copies(db, case)
    originals = {r.id: r for r in db.scalars(select(Record).where(Record.id.in_([c.copy_of_id for c in cps]))
                                             .with_for_update())}
    snapshot = dict(case.snapshot)
    for c in cps:
        original = originals[c.copy_of_id]  # type: ignore[index]
        entry = dict(snapshot.get(str(original.id), {}))
        if entry.get("delete"):  # the request deletes the record: history keeps its values
            entry.update(before=dict(original.document), after=None, before_version=original.version,
                         set=original.set_key, position=original.position)
            snapshot[str(original.id)] = entry
            db.delete(c)
            db.flush()
            db.delete(original)
            continue
        entry.update(before=dict(original.document), after=dict(c.document), before_version=original.version)
        snapshot[str(original.id)] = entry
        original.document = dict(c.document)
        original.catalogue_version = c.catalogue_version
        original.updated_by_id = c.updated_by_id
        original.state = APPROVED
        c.state = APPLIED
        if original.set_key == "basic":
            R.sync_identity(db, teacher, original.document)
    case.snapshot = snapshot
    S._event(db, case, principal, "apply", level=None, unit_id=principal.unit_id, from_status=PENDING,
             to_status=APPROVED, reason=", ".join(f"{'-' if deleting(case, c.copy_of_id) else ''}{c.set_key}#{c.copy_of_id}"
                                                  for c in cps))


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in set(before) | set(after)
                  if before.get(k) != after.get(k) and not (is_empty(before.get(k)) and is_empty(after.get(k))))


# ------------------------------------------------------------------ the diff reviewers see

def diff(db: Session, cat: Catalogue, case: ReviewCase, lang: str = "zh", *, reader: Any = None) -> list[dict[str, Any]]:
    """Original beside copy, every field, changed ones marked. After the copy was applied the
    original's old values come from the snapshot. ``reader`` (a web.privacy.Policy) masks what the
    reader may not see; a masked field still says whether it changed."""
    out = []
    teacher = db.get(Teacher, case.teacher_id)
    family = teacher.unit.school_type if teacher else None
    cps = copies(db, case)
    for c in cps:
        original = db.get(Record, c.copy_of_id)
        snap = case.snapshot.get(str(c.copy_of_id), {})
        before = snap.get("before") if "before" in snap else (dict(original.document) if original else {})
        out.append(_diff_entry(cat, family, lang, c.set_key, before, None if snap.get("delete") else dict(c.document),
                               reader, copy_id=c.id, original_id=c.copy_of_id, position=c.position, state=c.state,
                               version=c.version))
    # deleted on final approval: the copy went with the record, the snapshot keeps both
    present = {c.copy_of_id for c in cps}
    for oid, snap in sorted((case.snapshot or {}).items(), key=lambda kv: int(kv[0])):
        if snap.get("delete") and int(oid) not in present and snap.get("set") in cat.sets:
            out.append(_diff_entry(cat, family, lang, snap["set"], snap.get("before") or {}, None, reader,
                                   copy_id=None, original_id=int(oid), position=snap.get("position", 0),
                                   state=APPLIED, version=None))
    return out


def _diff_entry(cat: Catalogue, family: str | None, lang: str, set_key: str, before: Mapping[str, Any],
                after: Mapping[str, Any] | None, reader: Any = None, **about: Any) -> dict[str, Any]:
    """One record of the diff; ``after`` None: the request deletes the record (every value goes).
    ``reader`` masks what the reader may not see (a masked field still says whether it changed)."""
    changed_keys = set(_changes(before, after or {}))
    if reader is not None:
        before = reader.record(cat, set_key, before)
        after = None if after is None else reader.record(cat, set_key, after)
    fields = []
    for f in cat.view(set_key, family).fields:
        b = before.get(f.key)
        a = None if after is None else after.get(f.key)
        changed = f.key in changed_keys
        fields.append({"key": f.key, "label": f.label(lang), "before": b, "after": a, "changed": changed,
                       "before_text": _text(f, b, lang), "after_text": _text(f, a, lang)})
    return {**about, "set": set_key, "set_label": cat.sets[set_key].label.get(lang), "deleted": after is None,
            "changed": [x["key"] for x in fields if x["changed"]], "fields": fields}


def _text(f: Any, value: Any, lang: str) -> str:
    """A value as a person reads it (code labels, not codes; a mask as it is)."""
    if is_empty(value):
        return ""
    if value == MASK:
        return MASK
    if f.codes is not None:
        values = value if isinstance(value, list) else [value]
        return "、".join(f.codes.label(str(v), lang) for v in values)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang != "en" else ("yes" if value else "no")
    return str(value)
