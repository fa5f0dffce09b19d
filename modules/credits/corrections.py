"""Correcting a confirmed training result (issue 17's credit bank: "earned, adjusted, revoked …").

``revoke_result``: whoever may confirm a project's results (``results._confirm_scope``, the same
authority) revokes one confirmed, passed result with a reason. In the caller's transaction:

- a ``revoked`` ledger entry cancelling the result's ``earned`` one (``ledger.revoke``,
  ``corrects_id`` = the earned entry, ``source`` = ``revoke:result:<id>``: unique, so a result is
  revoked once at most even below the locks); the earned entry stays (append-only), so a balance
  as of an earlier day does not change;
- the result's state becomes ``revoked``, its ``reason`` the reason; who and when are the revoking
  entry's ``confirmed_by`` and ``recorded_at`` (``annotate`` puts them beside the row);
- the 国内培训 record the confirmation wrote (``records.from_results``, 来自学分银行) is found by its
  values and owner and removed (``records.remove`` → ``remove_from_case``);
- audited as ``credits.results.revoke``.

The project's row and the result's are locked (FOR UPDATE) first, as confirmations do: of two
revocations at once one wins, the other then sees the state ``revoked`` (W672)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.credits import caps, ledger
from modules.credits import results as R
from modules.credits import words as Wd
from modules.credits.models import CreditEntry, TrainingProject, TrainingResult
from web import audit
from web.db.models import Account, Record, Teacher
from web.errors import Refusal
from web.principal import Principal

NOT_REVOCABLE = {"submitted": ("尚待确认", "still waiting for confirmation"), "rejected": ("已被退回", "rejected"),
                 "revoked": ("已撤销", "already revoked")}
MATCH = ("training_year", "training_category", "project_name", "training_mode", "hours", "credits", "source")
CN = timezone(timedelta(hours=8))


def _source(result_id: int) -> str:
    return f"revoke:result:{result_id}"


def _record_of(db: Session, cat: Any, project: TrainingProject, result: TrainingResult) -> int | None:
    """The 国内培训 record the confirmation wrote for this result: the teacher's record owned by the
    credit bank with the values ``records.from_results`` gave it (not its position)."""
    from modules.credits import records
    from web.services.records import owner

    want = records.values(year=project.end_date.year, category=records.CATEGORY.get(project.level, "9"),
                          name=project.name, institution="", mode=records.MODE.get(project.kind, "9"),
                          hours=result.hours, credits=result.credits or 0)
    rows = db.scalars(select(Record).where(Record.teacher_id == result.teacher_id, Record.set_key == records.SET,
                                           Record.copy_of_id.is_(None)).order_by(Record.id))
    for row in rows:
        doc = row.document or {}
        if owner(cat, records.SET, doc) is not None and all(str(doc.get(k)) == str(want[k]) for k in MATCH):
            return row.id
    return None


def revoke_result(db: Session, me: Principal, project_id: int, result_id: int, reason: Any, *,
                  cat: Any = None) -> dict[str, Any]:
    """Revoke one confirmed, passed result (see the module's docstring); returns ``result_json``."""
    project = R._locked(db, project_id)
    where, _ = R._confirm_scope(db, me, project)  # another authority, an institution: W547 / the permission refusal
    stmt = (select(TrainingResult).join(Teacher, Teacher.id == TrainingResult.teacher_id)
            .where(TrainingResult.id == result_id, TrainingResult.project_id == project.id))
    if where is not None:
        stmt = stmt.where(where)
    result = db.scalar(stmt.with_for_update(of=TrainingResult).execution_options(populate_existing=True))
    if result is None:
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    if result.state != "confirmed":
        zh, en = NOT_REVOCABLE.get(result.state, (result.state, result.state))
        raise Refusal(Wd.W_RESULT_NOT_REVOCABLE, state=zh, state_en=en)
    if not result.passed:
        raise Refusal(Wd.W_REVOKE_FAILED)
    reason = " ".join(str(reason or "").split()) if isinstance(reason, (str, type(None))) else ""
    if not 1 <= len(reason) <= 200:
        raise Refusal(Wd.W_REVOKE_REASON)
    caps.lock_teachers(db, [result.teacher_id])  # as a confirmation does before touching the teacher's ledger
    earned = db.scalar(select(CreditEntry).where(CreditEntry.source == f"result:{result.id}"))
    entry = None
    if earned is not None:
        entry = ledger.revoke(db, earned, by=me.account_id, note=f"{project.name[:100]}（撤销：{reason}）",
                              source=_source(result.id))
    record_id = None
    if cat is not None:
        from modules.credits import records

        record_id = _record_of(db, cat, project, result)
        records.remove(db, cat, me, result.teacher_id, record_id, via="credits.results.revoke", case_id=project.id)
    result.state, result.reason = "revoked", reason
    db.flush()
    audit.record(db, "credits.results.revoke", actor=me, target_type="training_project", target_id=project.id,
                 unit_id=project.unit_id, detail={"result": result.id, "teacher": result.teacher_id,
                                                  "credits": str(result.credits), "reason": reason,
                                                  "entry": entry.id if entry else None, "record": record_id})
    out = result_json(result)
    annotate(db, [out])
    return out


def result_json(r: TrainingResult) -> dict[str, Any]:
    """One result as the revoke call answers it (no personal field: the teacher by id)."""
    return {"id": r.id, "project_id": r.project_id, "teacher_id": r.teacher_id, "state": r.state,
            "hours": str(r.hours), "passed": r.passed, "credits": None if r.credits is None else str(r.credits),
            "rule_version": r.rule_version, "reason": r.reason}


def annotate(db: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who revoked each revoked row and when (from its revoking entry): ``revoked_by`` (the
    account's name), ``revoked_at`` (ISO, UTC) and ``revoked_on`` (Beijing time, for pages)."""
    ids = [r["id"] for r in rows if r.get("state") == "revoked"]
    if not ids:
        return rows
    found = {src: (by, at) for src, by, at in db.execute(
        select(CreditEntry.source, CreditEntry.confirmed_by, CreditEntry.recorded_at)
        .where(CreditEntry.source.in_([_source(i) for i in ids])))}
    people = {by for by, _ in found.values() if by is not None}
    names = dict(db.execute(select(Account.id, Account.real_name).where(Account.id.in_(people))).all()) if people else {}
    for r in rows:
        if r.get("state") != "revoked":
            continue
        by, at = found.get(_source(r["id"]), (None, None))
        at = at.replace(tzinfo=timezone.utc) if isinstance(at, datetime) and at.tzinfo is None else at
        r["revoked_by"] = names.get(by)
        r["revoked_at"] = at.isoformat() if at else None
        r["revoked_on"] = at.astimezone(CN).strftime("%Y-%m-%d %H:%M") if at else ""
    return rows


def may_revoke(db: Session, me: Principal, project_id: int) -> bool:
    """Whether the caller may revoke the project's confirmed results (the page's buttons)."""
    project = db.get(TrainingProject, project_id)
    try:
        return project is not None and R._confirm_scope(db, me, project) is not None
    except Refusal:
        return False

