"""Transitions of a file along its province's route: 报送, 审核通过, 退回; and the edit lock.

A *case* (web.review.models.ReviewCase) is one journey: a first submission of the whole file, an
addition (new records of an approved file) or a change request (copies of approved records). The
route of each kind comes from the catalogue (``cat.routes[kind].steps``, e.g. Jiangxi
school → county → city → province); the unit acting at each level is the teacher's school's
ancestor at that level, resolved at submission. A level with no unit above the school (a school
directly under a city) is skipped, and the skip is on the timeline.

Concurrency: every transition and every save first locks the teacher row
(``SELECT … FOR UPDATE`` on PostgreSQL) and re-reads the state, so a reviewer and a school editor,
or two reviewers, are serialised; the loser gets W607 / W601 naming who acted first. The case row
also carries a version counter: a request that names the version it saw is refused when the case
moved on (stale page), and the UPDATE itself is conditional on the version (SQLite, where
FOR UPDATE does nothing, relies on that and on its single writer).

Lock order, everywhere: teacher → case → records → audit head. Every transition writes a
timeline event and an audit entry (web.audit) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.catalogue import Catalogue
from engine.validate import Violation
from web import audit, permissions, scope
from web.db.base import utcnow
from web.db.models import Record, Teacher, Unit, UnitClosure
from web.errors import W_TEACHER_NOT_FOUND, Refusal
from web.principal import Principal
from web.review import words as W
from web.review.models import APPROVED, DRAFT, PENDING, REJECTED, ReviewCase, ReviewEvent

SUBMIT = "record.submit"
REVIEW = "record.review"
EDIT = "record.edit"


# ------------------------------------------------------------------ locking and loading

def lock_teacher(db: Session, teacher_id: int) -> Teacher:
    """The teacher row, locked for this transaction and re-read from the database."""
    teacher = db.scalar(select(Teacher).where(Teacher.id == teacher_id).with_for_update(of=Teacher)
                        .execution_options(populate_existing=True))
    if teacher is None:
        raise Refusal(W_TEACHER_NOT_FOUND)
    return teacher


def lock_case(db: Session, case_id: int) -> ReviewCase | None:
    return db.scalar(select(ReviewCase).where(ReviewCase.id == case_id).with_for_update()
                     .execution_options(populate_existing=True))


def file_records(db: Session, teacher_id: int) -> list[Record]:
    """The file's own records (copies excluded), in set and position order."""
    return list(db.scalars(select(Record).where(Record.teacher_id == teacher_id, Record.copy_of_id.is_(None))
                           .order_by(Record.set_key, Record.position, Record.id)))


def engine_file(cat: Catalogue, rows: Iterable[Record], replace: dict[int, dict[str, Any]] | None = None,
                ) -> dict[str, Any]:
    """Records as the engine reads a file (a dict per single set, a list per repeating set);
    ``replace`` substitutes documents by record id (a change request's copies)."""
    replace = replace or {}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        grouped.setdefault(r.set_key, []).append(dict(replace.get(r.id, r.document)))
    out: dict[str, Any] = {}
    for key, spec in cat.sets.items():
        docs = grouped.get(key, [])
        out[key] = (docs[0] if docs else {}) if spec.cardinality == "one" else docs
    return out


def completeness(cat: Catalogue, teacher: Teacher, rows: Sequence[Record],
                 replace: dict[int, dict[str, Any]] | None = None) -> list[Violation]:
    """完整性检测: the engine's whole-file check (errors block 报送; warnings do not)."""
    return cat.check_file(teacher.unit.school_type, engine_file(cat, rows, replace))


def violations_json(found: Sequence[Violation], cat: Catalogue) -> list[dict[str, Any]]:
    out = []
    for v in found:
        spec = cat.sets.get(v.set)
        out.append({"set": v.set, "set_label": spec.label.zh if spec else v.set, "field": v.field,
                    "index": v.index, "code": v.code, "severity": v.severity,
                    "message": v.message_zh, "message_en": v.message_en})
    return out


class Incomplete(Refusal):
    """W603 with the completeness problems (shown on the page, returned by the API)."""

    def __init__(self, violations: list[dict[str, Any]]) -> None:
        super().__init__(W.W_INCOMPLETE, errors=len(violations))
        self.violations = violations

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "violations": self.violations[:200]}


# ------------------------------------------------------------------ routes

def route_units(db: Session, school_unit_id: int) -> dict[str, int]:
    """Level → the unit at that level at or above the school (the closure table, one query)."""
    rows = db.execute(select(Unit.level, Unit.id).join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
                      .where(UnitClosure.descendant_id == school_unit_id)).all()
    return {level: uid for level, uid in rows}


def resolve_route(db: Session, cat: Catalogue, kind: str, school_unit_id: int) -> tuple[list[str], list[int | None]]:
    route = cat.routes.get(kind)  # type: ignore[call-overload]
    levels = [s.level for s in route.steps] if route else ["school", "county"]
    at = route_units(db, school_unit_id)
    return levels, [at.get(level) for level in levels]


def step_roles(cat: Catalogue, kind: str, step: int) -> list[str]:
    route = cat.routes.get(kind)  # type: ignore[call-overload]
    if route is None or step >= len(route.steps):
        return ["info_manager", "info_reviewer"]
    return list(route.steps[step].roles)


def acting_grants(principal: Principal, unit_id: int | None, roles: Iterable[str]) -> list[str]:
    """Roles the principal holds *at* this unit that may act at the step (and carry record.review)."""
    if unit_id is None or principal.kind == "teacher":
        return []
    wanted = set(roles)
    return [r for u, r in principal.grants
            if u == unit_id and r in wanted and REVIEW in principal.roles.perms(r)]


# ------------------------------------------------------------------ events

def _event(db: Session, case: ReviewCase, principal: Principal | None, action: str, *, level: str | None,
           unit_id: int | None, from_status: str | None, to_status: str | None, reason: str | None = None) -> None:
    db.add(ReviewEvent(case_id=case.id, teacher_id=case.teacher_id, at=utcnow(),
                       actor_id=principal.account_id if principal else None,
                       actor_name=principal.username if principal else None, unit_id=unit_id,
                       action=action, level=level, from_status=from_status, to_status=to_status, reason=reason))


def _event_row(case: ReviewCase, principal: Principal | None, action: str, level: str | None,
               unit_id: int | None, at: Any) -> dict[str, Any]:
    return {"case_id": case.id, "teacher_id": case.teacher_id, "at": at,
            "actor_id": principal.account_id if principal else None,
            "actor_name": principal.username if principal else None, "unit_id": unit_id, "action": action,
            "level": level, "from_status": PENDING, "to_status": PENDING, "reason": None}


def _audit(db: Session, principal: Principal, action: str, case: ReviewCase, **detail: Any) -> None:
    audit.record(db, f"review.{action}", actor=principal, target_type="teacher", target_id=case.teacher_id,
                 unit_id=case.unit_id, detail={"case": case.id, "kind": case.kind, **detail})


def last_event(db: Session, case_id: int) -> ReviewEvent | None:
    return db.scalar(select(ReviewEvent).where(ReviewEvent.case_id == case_id).order_by(ReviewEvent.id.desc()).limit(1))


def stale(db: Session, case: ReviewCase) -> Refusal:
    """W607 naming who acted last on the case, and when."""
    ev = last_event(db, case.id)
    if ev is None:
        return Refusal(W.W_STALE, actor="?", at="?", action="", action_en="")
    return Refusal(W.W_STALE, actor=ev.actor_name or "?", at=ev.at.strftime("%Y-%m-%d %H:%M:%S"),
                   action=W.word(W.ACTION_WORDS, ev.action), action_en=W.word(W.ACTION_WORDS, ev.action, "en").lower())


# ------------------------------------------------------------------ the edit lock

def ensure_editable(session: Session, teacher: Teacher, *, record: Record | None = None,
                    set_key: str | None = None, cat: Catalogue | None = None, lock: bool = True) -> Teacher:
    """Refuse a save that the review state forbids. Every path that writes a teacher's records
    (forms, API, Excel import, this module) calls it before writing, in the same transaction.

    - 未报送 / 审核未通过: editable;
    - 待审核: refused (W601) — no one edits a file while a reviewer looks at it;
    - 审核通过: the approved records are locked (W602); allowed are new records in repeating sets
      (additions, ``record=None``), additions not yet submitted or sent back, and the copies
      (复本) of an open change request.

    With ``lock`` the teacher row is locked and re-read first, so a save and a submission or a
    review of the same file never interleave. Returns the (fresh) teacher.
    """
    if lock:
        teacher = lock_teacher(session, teacher.id)
    state = teacher.state
    if state in W.EDITABLE_FILE_STATES or state in ("draft", "returned"):
        if record is not None and record.copy_of_id is not None:
            raise Refusal(W.W_LOCKED)
        return teacher
    if state == W.PENDING:
        level = session.scalar(select(ReviewCase.waiting_level).where(
            ReviewCase.teacher_id == teacher.id, ReviewCase.kind == "first_submission",
            ReviewCase.status == PENDING).limit(1))
        raise Refusal(W.W_UNDER_REVIEW, level=W.word(W.LEVEL_WORDS, level), level_en=level or "?")
    # approved
    if record is None:
        many = cat is None or set_key is None or (set_key in cat.sets and cat.sets[set_key].cardinality == "many")
        if set_key is not None and many:
            return teacher
        raise Refusal(W.W_LOCKED)
    if record.state in (DRAFT, REJECTED):
        if record.copy_of_id is None:
            return teacher  # an addition not submitted yet, or sent back
        open_case = session.scalar(select(ReviewCase.status).where(
            ReviewCase.teacher_id == teacher.id, ReviewCase.kind == "change",
            ReviewCase.status.in_((DRAFT, REJECTED))).limit(1))
        if open_case is not None:
            return teacher
    if record.state == PENDING:
        raise Refusal(W.W_UNDER_REVIEW, level="", level_en="?")
    raise Refusal(W.W_LOCKED)


def lock_editable(session: Session, teacher_ids: Iterable[int]) -> set[int]:
    """For set-based writers (the Excel import): lock these teachers in id order and return the
    ids whose files may still be written (未报送 / 审核未通过). Call it in the writing transaction,
    just before writing, and skip (report) the others: they were submitted meanwhile."""
    ids = sorted(set(teacher_ids))
    ok: set[int] = set()
    for chunk in _chunks(ids):
        ok.update(session.scalars(select(Teacher.id).where(Teacher.id.in_(chunk),
                                                           Teacher.state.in_(W.EDITABLE_FILE_STATES))
                                  .order_by(Teacher.id).with_for_update()))
    return ok


def editable(session: Session, teacher: Teacher, **kw: Any) -> Refusal | None:
    """The same rule without raising or locking (for drawing pages)."""
    try:
        ensure_editable(session, teacher, lock=False, **kw)
        return None
    except Refusal as r:
        return r


# ------------------------------------------------------------------ submission (报送)

def may_submit_for(principal: Principal, teacher: Teacher) -> bool:
    """报送 is the school's act (seed 003: teachers only save): record.submit held at the school."""
    return permissions.may(principal, "review.submit", teacher.unit_id)


def _require_submitter(db: Session, principal: Principal, teacher_id: int) -> None:
    scope.get_teacher(db, principal, teacher_id, "teacher.read")  # out of scope: not found
    t = db.get(Teacher, teacher_id)
    assert t is not None
    if not may_submit_for(principal, t):
        raise Refusal(W.W_NOT_SUBMITTER)


def _start(db: Session, cat: Catalogue, principal: Principal, case: ReviewCase) -> None:
    """Put a case at the first level of its route that has a unit (skips are on the timeline)."""
    levels, units = resolve_route(db, cat, case.kind, case.unit_id)
    now = utcnow()
    case.levels, case.units = levels, units
    case.status, case.step = PENDING, 0
    case.submitted_at, case.submitted_by_id, case.decided_at = now, principal.account_id, None
    case.waiting_since = now
    _event(db, case, principal, "submit", level=levels[0] if levels else None, unit_id=principal.unit_id,
           from_status=None, to_status=PENDING)
    _move_to(db, case, 0, principal=None)


def _move_to(db: Session, case: ReviewCase, step: int, *, principal: Principal | None) -> bool:
    """Advance to ``step`` or the next level that has a unit. False when the route is done."""
    while step < len(case.levels) and case.units[step] is None:
        _event(db, case, None, "skip", level=case.levels[step], unit_id=None, from_status=PENDING, to_status=PENDING)
        step += 1
    if step >= len(case.levels):
        return False
    case.step = step
    case.waiting_level = case.levels[step]
    case.waiting_unit_id = case.units[step]
    case.waiting_since = utcnow()
    return True


def submit(db: Session, cat: Catalogue, principal: Principal, teacher_id: int) -> ReviewCase:
    """报送 a file for its first review. Needs the completeness check to pass."""
    _require_submitter(db, principal, teacher_id)
    teacher = lock_teacher(db, teacher_id)
    if teacher.state not in W.EDITABLE_FILE_STATES and teacher.state not in ("draft", "returned"):
        raise Refusal(W.W_WRONG_STATE, state=W.state_word(teacher.state), state_en=W.state_word(teacher.state, lang="en"),
                      action="报送", action_en="submit")
    rows = file_records(db, teacher.id)
    errors = [v for v in completeness(cat, teacher, rows) if v.severity == "error"]
    if errors:
        raise Incomplete(violations_json(errors, cat))
    case = ReviewCase(teacher_id=teacher.id, unit_id=teacher.unit_id, kind="first_submission",
                      status=DRAFT, created_by_id=principal.account_id, record_ids=[], snapshot={})
    db.add(case)
    db.flush()
    before = teacher.state
    _start(db, cat, principal, case)
    if case.waiting_unit_id is None:  # a route with no unit at all: nothing to wait for
        _finish(db, cat, principal, case, teacher)
    else:
        teacher.state = W.PENDING
        db.execute(update(Record).where(Record.teacher_id == teacher.id, Record.copy_of_id.is_(None))
                   .values(state=PENDING).execution_options(synchronize_session=False))
    db.flush()
    _audit(db, principal, "submit", case, **{"from": before, "level": case.waiting_level})
    return case


# ------------------------------------------------------------------ review (审核通过 / 退回)

def _check_actor(db: Session, cat: Catalogue, principal: Principal, case: ReviewCase,
                 version: int | None, action: str) -> str:
    """Who may act on this case now; returns the acting role. Refusals in the order a user
    would want to hear them: not found (out of scope) → stale → wrong state → wrong level → role."""
    scope.require(principal, REVIEW)
    teacher = db.scalar(select(Teacher.id).where(Teacher.id == case.teacher_id, scope.teacher_filter(principal, REVIEW)))
    if teacher is None:
        raise Refusal(W.W_CASE_NOT_FOUND)
    return _check_case(db, cat, principal, case, version, action)


def _check_case(db: Session, cat: Catalogue, principal: Principal, case: ReviewCase,
                version: int | None, action: str) -> str:
    """The part of ``_check_actor`` after the scope check (bulk actions check scope once)."""
    if version is not None and version != case.version:
        raise stale(db, case)
    if case.status != PENDING:
        if version is not None:
            raise stale(db, case)
        raise Refusal(W.W_WRONG_STATE, state=W.state_word(case.status), state_en=W.state_word(case.status, lang="en"),
                      action=W.word(W.ACTION_WORDS, action), action_en=action)
    roles = acting_grants(principal, case.waiting_unit_id, step_roles(cat, case.kind, case.step))
    if roles:
        return roles[0]
    held_here = [r for u, r in principal.grants if u == case.waiting_unit_id]
    if held_here:
        raise Refusal(W.W_WRONG_ROLE, unit=_unit_name(db, case.waiting_unit_id),
                      roles="、".join(principal.roles.label(r) for r in step_roles(cat, case.kind, case.step)))
    raise Refusal(W.W_WRONG_LEVEL, level=W.word(W.LEVEL_WORDS, case.waiting_level),
                  level_en=case.waiting_level or "?", unit=_unit_name(db, case.waiting_unit_id))


def _unit_name(db: Session, unit_id: int | None) -> str:
    if unit_id is None:
        return "?"
    return db.scalar(select(Unit.name).where(Unit.id == unit_id)) or "?"


def _case_for_action(db: Session, case_id: int) -> tuple[Teacher, ReviewCase]:
    """Lock in the fixed order (teacher, then case) and return both, fresh."""
    teacher_id = db.scalar(select(ReviewCase.teacher_id).where(ReviewCase.id == case_id))
    if teacher_id is None:
        raise Refusal(W.W_CASE_NOT_FOUND)
    teacher = lock_teacher(db, teacher_id)
    case = lock_case(db, case_id)
    if case is None:
        raise Refusal(W.W_CASE_NOT_FOUND)
    return teacher, case


def _flush_case(db: Session, case: ReviewCase | None = None) -> None:
    """The conditional UPDATE (version counter) lost: someone else changed the case meanwhile.
    The session cannot be queried any more here, so the message names no one."""
    try:
        db.flush()
    except StaleDataError:
        raise Refusal(W.W_STALE, actor="另一位用户", at="刚才", action="处理了该档案",
                      action_en="acted on") from None


def approve(db: Session, cat: Catalogue, principal: Principal, case_id: int, *, version: int | None = None,
            ) -> ReviewCase:
    """审核通过 at the level the case waits at; the last level finishes it."""
    teacher, case = _case_for_action(db, case_id)
    role = _check_actor(db, cat, principal, case, version, "approve")
    level, unit_id = case.waiting_level, case.waiting_unit_id
    _event(db, case, principal, "approve", level=level, unit_id=unit_id, from_status=PENDING, to_status=PENDING)
    if not _move_to(db, case, case.step + 1, principal=principal):
        _finish(db, cat, principal, case, teacher)
    _flush_case(db, case)
    _audit(db, principal, "approve", case, level=level, role=role, final=case.status == APPROVED,
           next=case.waiting_level if case.status == PENDING else None)
    return case


def reject(db: Session, cat: Catalogue, principal: Principal, case_id: int, reason: str, *,
           version: int | None = None) -> ReviewCase:
    """退回 with a reason shown to the school and the teacher. The file (or the addition's records,
    or the change request's copies) becomes editable again; an approved file stays untouched."""
    reason = (reason or "").strip()
    teacher, case = _case_for_action(db, case_id)
    role = _check_actor(db, cat, principal, case, version, "reject")
    if len(reason) < 2:
        raise Refusal(W.W_REASON_REQUIRED)
    level, unit_id = case.waiting_level, case.waiting_unit_id
    case.status, case.reason, case.decided_at = REJECTED, reason, utcnow()
    case.waiting_unit_id, case.waiting_level = None, None
    _event(db, case, principal, "reject", level=level, unit_id=unit_id, from_status=PENDING, to_status=REJECTED,
           reason=reason)
    if case.kind == "first_submission":
        teacher.state = W.REJECTED
        db.execute(update(Record).where(Record.teacher_id == teacher.id, Record.copy_of_id.is_(None))
                   .values(state=REJECTED).execution_options(synchronize_session=False))
    else:
        db.execute(update(Record).where(Record.id.in_(case.record_ids or [-1]))
                   .values(state=REJECTED).execution_options(synchronize_session=False))
    _flush_case(db, case)
    _audit(db, principal, "reject", case, level=level, role=role, reason=reason)
    return case


def _finish(db: Session, cat: Catalogue, principal: Principal, case: ReviewCase, teacher: Teacher) -> None:
    """The last level approved: the file (or records) become 审核通过 and locked."""
    from web.review import changes

    case.status, case.decided_at, case.waiting_unit_id, case.waiting_level = APPROVED, utcnow(), None, None
    _event(db, case, principal, "complete", level=case.levels[-1] if case.levels else None,
           unit_id=principal.unit_id, from_status=PENDING, to_status=APPROVED)
    if case.kind == "first_submission":
        teacher.state = W.APPROVED
        db.execute(update(Record).where(Record.teacher_id == teacher.id, Record.copy_of_id.is_(None))
                   .values(state=APPROVED).execution_options(synchronize_session=False))
        fmt = cat.teacher_number
        if fmt is not None and not teacher.teacher_number:
            from web.services.teachers import assign_teacher_number

            number = assign_teacher_number(db, teacher, fmt.format)
            _event(db, case, principal, "number", level=None, unit_id=teacher.unit_id, from_status=None,
                   to_status=None, reason=number)
    elif case.kind == "addition":
        db.execute(update(Record).where(Record.id.in_(case.record_ids or [-1]))
                   .values(state=APPROVED).execution_options(synchronize_session=False))
    else:
        changes.apply_copies(db, cat, principal, case, teacher)
    from web import events

    events.emit(db, events.FILE_APPROVED, actor=principal.account_id, teacher_id=teacher.id,
                unit=teacher.unit.code if teacher.unit else None, kind=case.kind, case_id=case.id)


# ------------------------------------------------------------------ bulk

@dataclass
class Outcome:
    id: int
    ok: bool
    code: str | None = None
    message: str | None = None
    message_en: str | None = None
    state: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        out = {"id": self.id, "ok": self.ok, "code": self.code, "message": self.message,
               "message_en": self.message_en, "state": self.state}
        out.update(self.extra)
        return out


def _one(db: Session, item_id: int, fn: Any) -> Outcome:
    try:
        with db.begin_nested():
            case = fn(item_id)
        return Outcome(item_id, True, state=case.status,
                       extra={"case": case.id, "level": case.waiting_level, "version": case.version})
    except Refusal as r:
        out = Outcome(item_id, False, r.code, r.message("zh"), r.message("en"))
        if isinstance(r, Incomplete):
            out.extra["violations"] = r.violations[:20]
        return out


def bulk_submit(db: Session, cat: Catalogue, principal: Principal, teacher_ids: Sequence[int]) -> list[Outcome]:
    """报送 many files, a result per file, with the same checks as ``submit`` in the same order
    (not found → not the school's → wrong state → completeness), in set-based statements: the
    teacher rows locked up front in id order, the records read in one pass, the cases inserted
    together, the state changes and the audit entries (one per file) written in batches."""
    ids = list(dict.fromkeys(teacher_ids))
    permissions.require(principal, "review.submit_page")
    teachers: dict[int, Teacher] = {}
    for chunk in _chunks(sorted(ids)):
        teachers.update((t.id, t) for t in db.scalars(
            select(Teacher).where(Teacher.id.in_(chunk), scope.teacher_filter(principal, "teacher.read"))
            .order_by(Teacher.id).with_for_update(of=Teacher).execution_options(populate_existing=True)))
    out: dict[int, Outcome] = {}
    candidates: list[Teacher] = []
    for tid in ids:
        t = teachers.get(tid)
        try:
            if t is None:
                raise Refusal(W_TEACHER_NOT_FOUND)
            if not may_submit_for(principal, t):
                raise Refusal(W.W_NOT_SUBMITTER)
            if t.state not in W.EDITABLE_FILE_STATES and t.state not in ("draft", "returned"):
                raise Refusal(W.W_WRONG_STATE, state=W.state_word(t.state), state_en=W.state_word(t.state, lang="en"),
                              action="报送", action_en="submit")
        except Refusal as r:
            out[tid] = Outcome(tid, False, r.code, r.message("zh"), r.message("en"))
            continue
        candidates.append(t)
    rows_of: dict[int, list[Record]] = {}
    for chunk in _chunks([t.id for t in candidates]):
        for r in db.scalars(select(Record).where(Record.teacher_id.in_(chunk), Record.copy_of_id.is_(None))
                            .order_by(Record.teacher_id, Record.set_key, Record.position, Record.id)):
            rows_of.setdefault(r.teacher_id, []).append(r)
    routes: dict[int, tuple[list[str], list[int | None]]] = {}
    now = utcnow()
    ready: list[tuple[Teacher, ReviewCase, str]] = []
    for t in candidates:
        errors = [v for v in completeness(cat, t, rows_of.get(t.id, [])) if v.severity == "error"]
        if errors:
            r = Incomplete(violations_json(errors, cat))
            out[t.id] = Outcome(t.id, False, r.code, r.message("zh"), r.message("en"),
                                extra={"violations": r.violations[:20]})
            continue
        if t.unit_id not in routes:
            routes[t.unit_id] = resolve_route(db, cat, "first_submission", t.unit_id)
        levels, units = routes[t.unit_id]
        step = next((i for i, u in enumerate(units) if u is not None), len(levels))
        case = ReviewCase(teacher_id=t.id, unit_id=t.unit_id, kind="first_submission", status=PENDING,
                          levels=levels, units=units, step=min(step, max(len(levels) - 1, 0)),
                          waiting_level=levels[step] if step < len(levels) else None,
                          waiting_unit_id=units[step] if step < len(levels) else None, waiting_since=now,
                          submitted_at=now, submitted_by_id=principal.account_id, record_ids=[], snapshot={},
                          created_by_id=principal.account_id)
        ready.append((t, case, t.state))
    db.add_all([c for _, c, _ in ready])
    db.flush()  # case ids (one batched INSERT … RETURNING)
    events: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    moved: list[int] = []
    for t, case, before in ready:
        row = _event_row(case, principal, "submit", case.levels[0] if case.levels else None, principal.unit_id, now)
        row.update(from_status=None)
        events.append(row)
        for i in range(case.step if case.waiting_unit_id is not None else len(case.levels)):
            events.append(_event_row(case, None, "skip", case.levels[i], None, now))
        if case.waiting_unit_id is None:  # a route with no unit at all: nothing to wait for
            _finish(db, cat, principal, case, t)
        else:
            moved.append(t.id)
            set_committed_value(t, "state", W.PENDING)
        audits.append({"action": "review.submit", "target_type": "teacher", "target_id": t.id, "unit_id": t.unit_id,
                       "detail": {"case": case.id, "kind": case.kind, "from": before, "level": case.waiting_level,
                                  "bulk": True}})
        out[t.id] = Outcome(t.id, True, state=case.status,
                            extra={"case": case.id, "level": case.waiting_level, "version": case.version})
    if events:
        db.execute(ReviewEvent.__table__.insert(), events)
    for chunk in _chunks(moved):
        db.execute(update(Teacher.__table__).where(Teacher.__table__.c.id.in_(chunk)).values(state=W.PENDING,
                                                                                             updated_at=now))
        db.execute(update(Record.__table__).where(Record.__table__.c.teacher_id.in_(chunk),
                                                  Record.__table__.c.copy_of_id.is_(None)).values(state=PENDING))
    _flush_case(db)
    audit.record_many(db, audits, actor=principal)
    return [out[tid] for tid in ids]


def bulk_approve(db: Session, cat: Catalogue, principal: Principal, case_ids: Sequence[int],
                 versions: dict[int, int] | None = None) -> list[Outcome]:
    """审核通过 many cases at once, a result per case, in set-based statements: the teacher rows
    are locked up front in id order (so two bulk actions never deadlock), then the cases; each case
    is checked exactly as a single approval is; the moves, the timeline events and the audit
    entries (one per file) are written in batches. Cases finishing their route go through the
    same ``_finish`` as single approvals (file state, records, teacher number, copies)."""
    ids = list(dict.fromkeys(case_ids))
    versions = versions or {}
    scope.require(principal, REVIEW)
    teacher_of: dict[int, int] = {}
    for chunk in _chunks(ids):
        teacher_of.update(db.execute(select(ReviewCase.id, ReviewCase.teacher_id).where(ReviewCase.id.in_(chunk))).all())
    in_scope: set[int] = set()
    for chunk in _chunks(sorted(set(teacher_of.values()))):
        in_scope.update(db.scalars(select(Teacher.id).where(Teacher.id.in_(chunk), scope.teacher_filter(principal, REVIEW))
                                   .order_by(Teacher.id).with_for_update(of=Teacher)))
    cases: dict[int, ReviewCase] = {}
    for chunk in _chunks(sorted(teacher_of)):
        cases.update((c.id, c) for c in db.scalars(select(ReviewCase).where(ReviewCase.id.in_(chunk))
                                                     .order_by(ReviewCase.id).with_for_update()
                                                     .execution_options(populate_existing=True)))
    out: list[Outcome] = []
    audits: list[dict[str, Any]] = []
    finals: list[ReviewCase] = []
    moves: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    now = utcnow()
    for cid in ids:
        case = cases.get(cid)
        try:
            if case is None or case.teacher_id not in in_scope:
                raise Refusal(W.W_CASE_NOT_FOUND)
            role = _check_case(db, cat, principal, case, versions.get(cid), "approve")
        except Refusal as r:
            out.append(Outcome(cid, False, r.code, r.message("zh"), r.message("en")))
            continue
        level = case.waiting_level
        rows = [_event_row(case, principal, "approve", level, case.waiting_unit_id, now)]
        step = case.step + 1
        while step < len(case.levels) and case.units[step] is None:
            rows.append(_event_row(case, None, "skip", case.levels[step], None, now))
            step += 1
        if step >= len(case.levels):
            # the last level: finish it now, alone in a savepoint, so a refusal there (e.g. a changed
            # ID number another file holds) fails this file only
            try:
                with db.begin_nested():
                    teacher = db.get(Teacher, case.teacher_id)
                    assert teacher is not None
                    _finish(db, cat, principal, case, teacher)
            except Refusal as r:
                out.append(Outcome(cid, False, r.code, r.message("zh"), r.message("en")))
                continue
            finals.append(case)
        else:
            # the row is locked (FOR UPDATE above): write the move in one executemany below, and set
            # the values as committed so the unit of work does not issue one UPDATE per case
            values = {"step": step, "waiting_level": case.levels[step], "waiting_unit_id": case.units[step],
                      "waiting_since": now, "version": case.version + 1}
            moves.append({"id": case.id, **values})
            for key, value in values.items():
                set_committed_value(case, key, value)
        events.extend(rows)
        audits.append({"action": "review.approve", "target_type": "teacher", "target_id": case.teacher_id,
                       "unit_id": case.unit_id, "detail": {"case": case.id, "kind": case.kind, "level": level,
                                                           "role": role, "bulk": True}})
        out.append(Outcome(cid, True))
    if events:
        db.execute(ReviewEvent.__table__.insert(), events)
    if moves:
        db.execute(update(ReviewCase.__table__).where(ReviewCase.__table__.c.id == bindparam("case_id")).values(
            step=bindparam("step"), waiting_level=bindparam("waiting_level"),
            waiting_unit_id=bindparam("waiting_unit_id"), waiting_since=bindparam("waiting_since"),
            version=bindparam("version")), [{**{k: v for k, v in m.items() if k != "id"}, "case_id": m["id"]} for m in moves])
    _flush_case(db)
    audit.record_many(db, audits, actor=principal)
    for o in out:
        if o.ok:
            c = cases[o.id]
            o.state, o.extra = c.status, {"case": c.id, "level": c.waiting_level, "version": c.version,
                                          "final": c.status == APPROVED}
    return out


def _chunks(values: Sequence[int], size: int = 1000) -> Iterable[list[int]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]
