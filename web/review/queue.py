"""Reviewers' work: the queue, a file's status with what the user may do, the timeline.

The queue of a reviewer is what waits *at a unit where the reviewer holds a reviewing role*
(``waiting_unit_id``; one indexed range scan on ``ix_review_cases_queue`` however many files
wait), further restricted by the one scope filter (web.scope) on the teacher's unit. Filters:
unit (any unit below), kind (first_submission, addition, change) and age (days waiting).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from web import permissions, privacy, scope
from web.db.base import utcnow
from web.db.models import Record, Teacher, Unit
from web.errors import Refusal
from web.principal import Principal
from web.review import changes as C
from web.review import naming
from web.review import service as S
from web.review import words as W
from web.review.models import DRAFT, KINDS, PENDING, REJECTED, ReviewCase, ReviewEvent
from web.services import units as unit_service


COUNT_CAP = 10_000


def review_units(principal: Principal, cat: Catalogue) -> list[int]:
    """Units where the principal holds a role that some route step lets act."""
    step_roles = {r for route in cat.routes.values() for s in route.steps for r in s.roles}
    return sorted({u for u, r in principal.grants
                   if r in step_roles and S.REVIEW in principal.roles.perms(r)}) if principal.kind != "teacher" else []


def queue(db: Session, cat: Catalogue, principal: Principal, *, unit_code: str | None = None,
          kind: str | None = None, min_days: int | None = None, max_days: int | None = None,
          limit: int = 50, offset: int = 0, with_total: bool = True, lang: str = "zh",
          school: str | None = None) -> dict[str, Any]:
    scope.require(principal, S.REVIEW)
    mine = review_units(principal, cat)
    if not mine:
        return {"total": 0, "limit": limit, "offset": offset, "items": []}
    conds = [ReviewCase.status == PENDING,
             ReviewCase.waiting_unit_id.in_(mine) if len(mine) > 1 else ReviewCase.waiting_unit_id == mine[0],
             scope.unit_filter(principal, S.REVIEW, ReviewCase.unit_id)]
    if unit_code:
        unit = unit_service.get(db, principal, unit_code)
        conds.append(ReviewCase.unit_id.in_(scope.subtree([unit.id])))
    if school and school.strip():  # a school by (part of) its name or its code
        from web.services.teachers import school_filter

        conds.append(ReviewCase.unit_id.in_(select(Unit.id).where(school_filter(school))))
    if kind:
        if kind not in KINDS:
            raise Refusal("W901", detail=f"kind must be one of {', '.join(KINDS)}")
        conds.append(ReviewCase.kind == kind)
    now = utcnow()
    if min_days is not None:
        conds.append(ReviewCase.waiting_since <= now - timedelta(days=min_days))
    if max_days is not None:
        conds.append(ReviewCase.waiting_since > now - timedelta(days=max_days))
    where = and_(*conds)
    # page first (index order), then join the few rows it needs for display
    page = (select(ReviewCase.id).where(where).order_by(ReviewCase.waiting_since, ReviewCase.id)
            .limit(limit).offset(offset).subquery())
    rows = db.execute(
        select(ReviewCase.id, ReviewCase.kind, ReviewCase.waiting_level, ReviewCase.waiting_since,
               ReviewCase.submitted_at, ReviewCase.version, ReviewCase.teacher_id, ReviewCase.record_ids,
               Teacher.name, Teacher.teacher_number, Unit.code.label("unit_code"), Unit.name.label("unit_name"))
        .join(page, page.c.id == ReviewCase.id)
        .join(Teacher, Teacher.id == ReviewCase.teacher_id).join(Unit, Unit.id == ReviewCase.unit_id)
        .order_by(ReviewCase.waiting_since, ReviewCase.id)).all()
    items = [{
        "case": r.id, "teacher_id": r.teacher_id, "name": r.name, "teacher_number": r.teacher_number,
        "unit_code": r.unit_code, "unit_name": r.unit_name, "kind": r.kind,
        "kind_label": W.word(W.KIND_WORDS, r.kind, lang), "level": r.waiting_level,
        "level_label": W.word(W.LEVEL_WORDS, r.waiting_level, lang),
        "waiting_since": r.waiting_since.isoformat() if r.waiting_since else None,
        "age_days": (now - r.waiting_since).days if r.waiting_since else None,
        "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
        "version": r.version, "records": len(r.record_ids or []),
    } for r in rows]
    total, capped = None, False
    if with_total:
        # counted up to COUNT_CAP: a city's 100,000 waiting files would cost a full scan on every
        # page view; past the cap the page says "10,000+" (exact numbers: the progress page)
        total = db.scalar(select(func.count()).select_from(
            select(ReviewCase.id).where(where).limit(COUNT_CAP + 1).subquery())) or 0
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP)
    return {"total": total, "total_capped": capped, "limit": limit, "offset": offset, "items": items}


# ------------------------------------------------------------------ one file

def may(db: Session, cat: Catalogue, principal: Principal, teacher: Teacher,
        cases: list[ReviewCase]) -> dict[str, Any]:
    """What the current user may do with the file (DHIS2's mayApprove…, per person file)."""
    pending = [c for c in cases if c.status == PENDING]
    actionable = [c.id for c in pending
                  if S.acting_grants(principal, c.waiting_unit_id, S.step_roles(cat, c.kind, c.step))]
    school = S.may_submit_for(principal, teacher)
    own = C.own_file(principal, teacher.id)  # a teacher's own correction (复本), reviewed by the school first
    edit_perm = (principal.kind == "teacher" and principal.teacher_id == teacher.id and principal.has("self.edit")) \
        or permissions.may(principal, "record.edit", teacher.unit_id, db=db)
    first_open = teacher.state in W.EDITABLE_FILE_STATES
    change = next((c for c in cases if c.kind == "change" and c.status in (DRAFT, REJECTED)), None)
    additions = C.pending_additions(db, teacher.id) if teacher.state == W.APPROVED else []
    return {
        "may_submit": (school and (first_open or bool(additions) or change is not None)) or (own and change is not None),
        "may_approve": bool(actionable),
        "may_reject": bool(actionable),
        "may_edit": bool(edit_perm) and first_open,
        "may_add": bool(edit_perm) and teacher.state == W.APPROVED,
        "may_request_change": ((school and permissions.may(principal, "change.request", teacher.unit_id)) or own)
        and teacher.state == W.APPROVED
        and not any(c.kind == "change" and c.status == PENDING for c in cases),
        "actionable_cases": actionable,
        "open_change_case": change.id if change else None,
        "unsubmitted_additions": [r.id for r in additions],
    }


def case_json(db: Session, case: ReviewCase, lang: str = "zh") -> dict[str, Any]:
    unit_name = db.scalar(select(Unit.name).where(Unit.id == case.waiting_unit_id)) if case.waiting_unit_id else None
    return {
        "id": case.id, "teacher_id": case.teacher_id, "kind": case.kind,
        "kind_label": W.word(W.KIND_WORDS, case.kind, lang), "status": case.status,
        "status_label": W.state_word(case.status, case.waiting_level, lang), "levels": case.levels,
        "step": case.step, "level": case.waiting_level, "waiting_unit": unit_name,
        "waiting_since": case.waiting_since.isoformat() if case.waiting_since else None,
        "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        "reason": case.reason, "records": case.record_ids, "version": case.version,
    }


_RECORD_REFS = re.compile(r"^-?[a-z][a-z0-9_]*#\d+(, -?[a-z][a-z0-9_]*#\d+)*$")
_DELETE = {"zh": "删除", "en": "delete"}


def _reason(db: Session, cat: Catalogue | None, family: str | None, reason: str | None, lang: str,
            teacher_id: int | None = None) -> str | None:
    """A change request's events keep the records they concern as ``set#id``; people read the
    records' names (web.review.naming), never the ids."""
    if not reason or cat is None or not _RECORD_REFS.match(reason):
        return reason
    refs = [(k, int(i)) for k, i in (part.split("#") for part in reason.split(", "))]
    docs = dict(db.execute(select(Record.id, Record.document).where(Record.id.in_([i for _, i in refs]))).all())
    if any(i not in docs for _, i in refs):  # deleted by the request: the case's snapshot keeps the values
        for snaps in db.scalars(select(ReviewCase.snapshot).where(ReviewCase.teacher_id == teacher_id,
                                                                  ReviewCase.kind == "change")):
            for oid, snap in (snaps or {}).items():
                if int(oid) not in docs and snap.get("before"):
                    docs[int(oid)] = snap["before"]
    out = []
    for k, i in refs:
        gone, key = k.startswith("-"), k.lstrip("-")
        name = naming.record_name(cat, family, key, docs.get(i) or {}, lang) if key in cat.sets else key
        out.append(f"{_DELETE['en' if lang == 'en' else 'zh']} {name}" if gone else name)
    return "；".join(out)


def timeline(db: Session, teacher_id: int, lang: str = "zh", cat: Catalogue | None = None) -> list[dict[str, Any]]:
    family = None
    if cat is not None:
        teacher = db.get(Teacher, teacher_id)
        family = teacher.unit.school_type if teacher is not None else None
    rows = db.execute(select(ReviewEvent, ReviewCase.kind, Unit.name)
                      .join(ReviewCase, ReviewCase.id == ReviewEvent.case_id)
                      .outerjoin(Unit, Unit.id == ReviewEvent.unit_id)
                      .where(ReviewEvent.teacher_id == teacher_id).order_by(ReviewEvent.at, ReviewEvent.id)).all()
    return [{
        "at": e.at.isoformat(), "case": e.case_id, "kind": kind, "kind_label": W.word(W.KIND_WORDS, kind, lang),
        "action": e.action, "action_label": W.word(W.ACTION_WORDS, e.action, lang),
        "level": e.level, "level_label": W.word(W.LEVEL_WORDS, e.level, lang), "unit": unit_name,
        "actor": e.actor_name, "from": e.from_status, "to": e.to_status,
        "reason": _reason(db, cat, family, e.reason, lang, teacher_id),
    } for e, kind, unit_name in rows]


def file_status(db: Session, cat: Catalogue, principal: Principal, teacher_id: int, *, lang: str = "zh",
                check: bool = False) -> dict[str, Any]:
    """The file's review state, its cases, the timeline and what the user may do."""
    teacher = scope.get_teacher(db, principal, teacher_id, "teacher.read")
    cases = list(db.scalars(select(ReviewCase).where(ReviewCase.teacher_id == teacher.id)
                            .order_by(ReviewCase.id.desc()).limit(20)))
    first = next((c for c in cases if c.kind == "first_submission"), None)
    level = first.waiting_level if first is not None and first.status == PENDING else None
    last_reject = next((c for c in cases if c.status == REJECTED), None)
    out = {
        "teacher_id": teacher.id, "name": teacher.name, "unit": teacher.unit.name,
        "teacher_number": teacher.teacher_number, "state": teacher.state, "level": level,
        "state_label": W.state_word(teacher.state, level, lang),
        "returned_reason": last_reject.reason if last_reject and teacher.state == W.REJECTED else None,
        "cases": [case_json(db, c, lang) for c in cases],
        "timeline": timeline(db, teacher.id, lang, cat),
        **may(db, cat, principal, teacher, cases),
    }
    if check:
        found = S.completeness(cat, teacher, S.file_records(db, teacher.id))
        out["completeness"] = {"errors": sum(v.severity == "error" for v in found),
                               "warnings": sum(v.severity == "warning" for v in found),
                               "problems": S.violations_json(found[:50], cat)}
    return out


def case_detail(db: Session, cat: Catalogue, principal: Principal, case_id: int, lang: str = "zh") -> dict[str, Any]:
    case = db.get(ReviewCase, case_id)
    if case is None:
        raise Refusal(W.W_CASE_NOT_FOUND)
    teacher = db.scalar(scope.teachers(principal, "teacher.read").where(Teacher.id == case.teacher_id))
    if teacher is None:
        raise Refusal(W.W_CASE_NOT_FOUND)
    out = case_json(db, case, lang)
    out["teacher"] = {"id": teacher.id, "name": teacher.name, "unit": teacher.unit.name,
                      "teacher_number": teacher.teacher_number, "state": teacher.state}
    acting = case.status == PENDING and bool(
        S.acting_grants(principal, case.waiting_unit_id, S.step_roles(cat, case.kind, case.step)))
    out["may_approve"] = out["may_reject"] = acting
    own = C.own_file(principal, teacher.id)
    out["may_submit"] = case.kind == "change" and case.status in (DRAFT, REJECTED) \
        and (S.may_submit_for(principal, teacher) or own)
    out["may_edit"] = case.kind == "change" and case.status in (DRAFT, REJECTED) \
        and (permissions.may(principal, "change.request", teacher.unit_id) or own)
    view = privacy.policy(db, principal, teacher)
    family = teacher.unit.school_type
    out["teacher"]["school_code"] = teacher.unit.code
    if case.kind == "first_submission":  # the whole file: its sets and how many records each
        counts = dict(db.execute(select(Record.set_key, func.count()).where(
            Record.teacher_id == teacher.id, Record.copy_of_id.is_(None)).group_by(Record.set_key)).all())
        out["sets"] = [{"set": k, "set_label": cat.sets[k].label.get(lang), "records": counts[k]}
                       for k in cat.set_keys(family) if counts.get(k)]
    if case.kind == "change":
        out["diff"] = C.diff(db, cat, case, lang, reader=view)
        for d in out["diff"]:  # named by the values before the change (what the reviewer knows)
            d["name"] = " · ".join(naming.record_parts(
                cat, family, d["set"], {f["key"]: f["before"] for f in d["fields"]}, lang))
    elif case.kind == "addition":
        out["added"] = [{"id": r.id, "set": r.set_key, "set_label": cat.sets[r.set_key].label.get(lang),
                         "name": " · ".join(naming.record_parts(cat, family, r.set_key, r.document, lang)),
                         "values": view.record(cat, r.set_key, r.document), "state": r.state}
                        for r in naming.sorted_records(cat, family, C.copies(db, case))]
    if out.get("diff") or out.get("added"):
        view.audit(db, "review.case", case=case.id)
    out["timeline"] = [e for e in timeline(db, teacher.id, lang, cat) if e["case"] == case.id]
    return out
