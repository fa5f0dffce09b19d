"""A school's batch application for periodic re-registration and its review (issue 17).

- ``apply``: the school's 信息管理员 applies for its teachers whose cycle ends within the warning
  window (or has ended); each teacher's eligibility as of that day is kept on the application.
  All or nothing: the first teacher who cannot be applied for is named and nothing is stored.
- The route is the ``registration`` workflow (modules/registration/workflows.yaml: school →
  county 初审 → city 审定; a province may add levels in provinces/<code>/workflows.yaml), resolved
  when the school applies. At each step the acting unit's reviewers ``decide`` per teacher
  (qualified 合格 / deferred 暂缓注册 / refused 不予注册, a reason for the last two; 合格 never
  for a teacher barred by a 师德 record (W690) and only with a reason for one whose other conditions
  were unmet (W691); a later step sees the earlier decision and may change it) and ``forward`` once every teacher has one.
- ``apply_all_eligible``: the same for every teacher of the school who is due, meets the
  conditions and is not in an open application (the page's "all eligible due" button).
- The last step's ``forward`` completes the batch: each decision is written into the teacher's
  教师资格 record through ``web.services.records.write_from_case`` — those fields are read-only
  for people. A qualification never registered 注册合格 before gets its 首次注册日期/结论 (its
  first registration: the first the system holds, also when an earlier one was deferred); one
  registered before gets 定期注册日期/结论 (= that day; 注册合格 / 暂缓注册 / 注册不合格).

Each function works in the caller's transaction; every step is logged (registration_decisions)
and audited. The batch row is locked and versioned: of two reviewers acting at once one wins,
the other gets W584.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from engine import workflow as WF
from modules.registration import eligibility as EL
from modules.registration import levels as LV
from modules.registration import words as W
from modules.registration.models import (
    COMPLETED, PENDING, STATES, RegistrationApplication, RegistrationBatch, RegistrationDecision,
)
from modules.registration.service import application_day
from web import audit, privacy, scope
from web.cases import service as CS
from web.cases import words as CW
from web.db.base import utcnow
from web.db.models import Record, Teacher, Unit
from web.errors import Refusal
from web.people import clock
from web.principal import Principal
from web.services import records

KIND = "registration"
LIMIT = 500
REASON_LIMIT = 500
HERE = Path(__file__).resolve().parent


def workflow(ctx: Any) -> WF.Workflow:
    """The route in force: the province's ``registration`` workflow, else the module's own."""
    from engine.catalogue import repo_root

    root = getattr(ctx.settings, "repo_root", None) or repo_root()
    found = WF.workflows_for(root, ctx.settings.province).get(KIND)
    if found is not None:
        return found
    mine, problems = WF._load(HERE.parent.parent, [HERE / "workflows.yaml"])
    problems += [p for k, wf in mine.items() for p in WF.check_workflow(k, wf, None)]
    if problems:
        from engine.errors import DefinitionError

        raise DefinitionError(problems)
    return mine[KIND]


def _who(me: Principal | None) -> str:
    return CS._who(me)


def _log(db: Session, me: Principal, batch: RegistrationBatch, action: str, apps: list[RegistrationApplication],
         unit: Unit | None, step: dict[str, Any] | None) -> None:
    for app in apps:
        db.add(RegistrationDecision(application_id=app.id, batch_id=batch.id, step_key=step["key"] if step else None,
                                    action=action, decision=app.decision, reason=app.reason,
                                    actor_id=me.account_id if me else None, actor_name=_who(me),
                                    unit_name=unit.name if unit else None))
    audit.record(db, f"registration.{action}", actor=me, target_type="registration_batch", target_id=batch.id,
                 unit_id=unit.id if unit else batch.unit_id,
                 detail={"teachers": [a.teacher_id for a in apps][:200], "step": step["key"] if step else None,
                         "decisions": {str(a.teacher_id): a.decision for a in apps if a.decision}})


# ------------------------------------------------------------------ apply

def apply(db: Session, ctx: Any, me: Principal, teacher_ids: list[int], as_of: str | None = None) -> RegistrationBatch:
    wf = workflow(ctx)
    unit = db.get(Unit, me.unit_id)
    if me.kind != "staff" or unit is None or not CS.may_start(me, wf, unit):
        raise Refusal(W.W_START_ROLE, roles=CS._roles(wf.start.roles, "zh"), roles_en=CS._roles(wf.start.roles, "en"))
    ids = list(dict.fromkeys(int(t) for t in teacher_ids))
    if not ids:
        raise Refusal(W.W_EMPTY_BATCH)
    if len(ids) > LIMIT:
        raise Refusal(W.W_TOO_MANY, limit=LIMIT, count=len(ids))
    day = application_day(as_of)
    rules = EL.rules_for(ctx)
    try:
        planned = WF.resolve_steps(wf, unit, None, CS.ancestor_of(db))
    except WF.Unresolved as exc:
        raise Refusal(CW.W_NO_AUTHORITY, unit=unit.name, level=CS.LEVELS.get(exc.level or "", (exc.level,))[0],
                      step=exc.step) from None
    steps = [p.json() for p in planned]
    batch = RegistrationBatch(unit_id=unit.id, state=PENDING, step=0, steps=steps,
                              acting_unit_id=steps[0]["unit_id"] if steps else None, as_of=day,
                              created_by_id=me.account_id)
    db.add(batch)
    db.flush()
    apps = []
    recs = EL.records_of(db, ids)
    for tid in ids:
        teacher = scope.get_teacher(db, me, tid, "record.edit")
        if teacher.unit_id != unit.id:
            raise Refusal(W.W_NOT_OWN_SCHOOL, name=teacher.name, unit=unit.name)
        answer = EL.answer_for(db, ctx.catalogue, rules, tid, day, recs[tid]).first
        if answer.cycle is None:
            raise Refusal(W.W_NO_QUALIFICATION, name=teacher.name)
        if not EL.due(answer.cycle, day, rules.warn_months):
            raise Refusal(W.W_NOT_DUE, name=teacher.name, end=answer.cycle.end.isoformat(), months=rules.warn_months)
        _refuse_if_open(db, teacher, answer.cycle.record_id)
        app = RegistrationApplication(batch_id=batch.id, teacher_id=tid, teacher_name=teacher.name,
                                      record_id=answer.cycle.record_id, open_record_id=answer.cycle.record_id,
                                      cycle_start=answer.cycle.start, cycle_end=answer.cycle.end,
                                      eligible=answer.eligible, unmet=[u.__dict__ for u in answer.unmet])
        try:
            with db.begin_nested():   # the savepoint first: begin_nested flushes what is pending
                db.add(app)
                db.flush()
        except IntegrityError:
            _refuse_if_open(db, teacher, answer.cycle.record_id)
            raise
        apps.append(app)
    _log(db, me, batch, "apply", apps, unit, None)
    if not steps:
        _complete(db, ctx, me, batch)
    return batch


def apply_all_eligible(db: Session, ctx: Any, me: Principal, as_of: str | None = None) -> RegistrationBatch:
    """One application for every teacher of the caller's school who is due as of the day, meets
    the conditions and is not in an open application yet (W680 when there is none)."""
    from modules.registration import warnings as WR

    unit = db.get(Unit, me.unit_id)
    wf = workflow(ctx)
    if me.kind != "staff" or unit is None or not CS.may_start(me, wf, unit):
        raise Refusal(W.W_START_ROLE, roles=CS._roles(wf.start.roles, "zh"), roles_en=CS._roles(wf.start.roles, "en"))
    day = application_day(as_of)
    ids = [r["teacher_id"] for r in WR.due_rows(db, ctx, me, unit, day, eligible=True, audited=False)
           if r["applied_in"] is None and r["unit"]["code"] == unit.code]
    if not ids:
        raise Refusal(W.W_NONE_ELIGIBLE, unit=unit.name, day=day.isoformat())
    return apply(db, ctx, me, ids[:LIMIT], day.isoformat())


def withdraw_moved(db: Session, teacher_id: int) -> None:
    """A teacher transferred while in an open application (``teacher.moved``): the application is
    the old school's and its route no longer reaches the teacher, so the teacher leaves it (logged
    ``withdraw`` on the batch, audited; the batch row locked meanwhile and its version moved on, so a
    page read before the move is stale) and the qualification is free
    for the new school to apply for. Nothing is written into the teacher's 教师资格."""
    rows = db.execute(select(RegistrationApplication, RegistrationBatch)
                      .join(RegistrationBatch, RegistrationBatch.id == RegistrationApplication.batch_id)
                      .where(RegistrationApplication.teacher_id == teacher_id, RegistrationBatch.state == PENDING)
                      .with_for_update(of=RegistrationBatch)).all()
    for app, batch in rows:
        db.add(RegistrationDecision(application_id=app.id, batch_id=batch.id, step_key=None, action="withdraw",
                                    decision=app.decision, reason="调动：教师已调出申请学校", actor_id=None,
                                    actor_name=_who(None), unit_name=None))
        audit.record(db, "registration.withdraw", actor=None, target_type="registration_batch", target_id=batch.id,
                     unit_id=batch.unit_id, detail={"teachers": [teacher_id], "why": "teacher.moved"})
        db.delete(app)
        flag_modified(batch, "steps")  # a new version: a reviewer's page from before the move is stale (W584)
    if rows:
        db.flush()


def _refuse_if_open(db: Session, teacher: Teacher, record_id: int) -> None:
    other = db.scalar(select(RegistrationApplication).where(RegistrationApplication.open_record_id == record_id))
    if other is not None:
        b = db.get(RegistrationBatch, other.batch_id)
        raise Refusal(W.W_ALREADY_APPLIED, name=teacher.name, batch=other.batch_id, state=state_word(b),
                      state_en=state_word(b, "en"))


# ------------------------------------------------------------------ review

def _lock(db: Session, me: Principal, batch_id: int) -> RegistrationBatch:
    batch = db.scalar(select(RegistrationBatch).where(RegistrationBatch.id == batch_id)
                      .with_for_update(of=RegistrationBatch).execution_options(populate_existing=True))
    if batch is None or not visible(db, me, batch):
        raise Refusal(W.W_BATCH_NOT_FOUND)
    return batch


def _acting_step(db: Session, me: Principal, batch: RegistrationBatch, version: int | None) -> dict[str, Any]:
    if version is not None and version != batch.version:
        raise Refusal(W.W_STALE, current=batch.version)
    if batch.state != PENDING:
        raise Refusal(W.W_BATCH_CLOSED, state=state_word(batch), state_en=state_word(batch, "en"))
    step = batch.steps[batch.step]
    if not CS._holds(me, step["unit_id"], step["roles"]):
        raise Refusal(W.W_NOT_YOUR_STEP, unit=step["unit_name"], step=step["label"], step_en=step["label_en"])
    return step


def applications(db: Session, batch: RegistrationBatch) -> list[RegistrationApplication]:
    return list(db.scalars(select(RegistrationApplication).where(RegistrationApplication.batch_id == batch.id)
                           .order_by(RegistrationApplication.id)))


def decide(db: Session, ctx: Any, me: Principal, batch_id: int, items: list[dict[str, Any]],
           version: int | None = None) -> RegistrationBatch:
    """The acting step's decisions for some or all teachers of the batch."""
    batch = _lock(db, me, batch_id)
    step = _acting_step(db, me, batch, version)
    by_teacher = {a.teacher_id: a for a in applications(db, batch)}
    changed = []
    for i, item in enumerate(items):
        try:
            tid = int(item.get("teacher_id"))
        except (TypeError, ValueError, OverflowError):
            raise Refusal(W.W_NOT_IN_BATCH, teacher=str(item.get("teacher_id"))[:20]) from None
        app = by_teacher.get(tid)
        if app is None:
            raise Refusal(W.W_NOT_IN_BATCH, teacher=str(tid)[:20])
        if item.get("reason") is not None and not isinstance(item["reason"], str):  # not {"a": 1} kept as its repr
            from web.errors import W_FIELD_BAD

            raise Refusal(W_FIELD_BAD, where=f"请求体字段「decisions[{i}].reason」：",
                          where_en=f"body field 'decisions[{i}].reason': ", detail="应为文字", detail_en="expected text")
        decision = str(item.get("decision") or "")
        if decision not in W.DECISIONS:
            raise Refusal(W.W_BAD_DECISION, value=decision[:40])
        reason = str(item.get("reason") or "").strip() or None
        if decision in W.NEEDS_REASON and not reason:
            word = W.DECISIONS[decision]
            raise Refusal(W.W_REASON_REQUIRED, decision=word[1], decision_en=word[2], name=app.teacher_name)
        if decision == "qualified":
            _refuse_if_unmet(app, reason)
        if reason and len(reason) > REASON_LIMIT:
            raise Refusal(W.W_REASON_TOO_LONG, length=len(reason), limit=REASON_LIMIT)
        app.decision, app.reason, app.decided_step = decision, reason, step["key"]
        changed.append(app)
    _flush(db, batch)
    _log(db, me, batch, "decide", changed, db.get(Unit, step["unit_id"]), step)
    return batch


def _refuse_if_unmet(app: RegistrationApplication, reason: str | None) -> None:
    """注册合格 for a teacher whose conditions were unmet when the school applied: never when a
    师德 record bars registration (暂行办法: 师德 violations are 不予注册), else only with a
    reason (the reviewer's override, e.g. training evidence handed in since; it is logged)."""
    unmet = list(app.unmet or [])
    barred = [u for u in unmet if u.get("kind") == "ethics"]
    if barred:
        raise Refusal(W.W_QUALIFIED_BARRED, name=app.teacher_name, items="；".join(u["zh"] for u in barred)[:300],
                      items_en="; ".join(u["en"] for u in barred)[:300])
    if unmet and not reason:
        raise Refusal(W.W_QUALIFIED_UNMET, name=app.teacher_name, items="；".join(u["zh"] for u in unmet)[:300],
                      items_en="; ".join(u["en"] for u in unmet)[:300])


def forward(db: Session, ctx: Any, me: Principal, batch_id: int, version: int | None = None) -> RegistrationBatch:
    """The acting step is done: to the next step, or (the last) completed and written."""
    batch = _lock(db, me, batch_id)
    step = _acting_step(db, me, batch, version)
    apps = applications(db, batch)
    undecided = [a for a in apps if a.decision is None]
    if undecided:
        named = [a.teacher_name for a in undecided[:10]]
        raise Refusal(W.W_UNDECIDED, count=len(undecided), names="、".join(named), names_en=", ".join(named))
    _log(db, me, batch, "forward", apps, db.get(Unit, step["unit_id"]), step)
    batch.step += 1
    if batch.step >= len(batch.steps):
        _complete(db, ctx, me, batch)
    else:
        batch.acting_unit_id = batch.steps[batch.step]["unit_id"]
    return _flush(db, batch)


def _complete(db: Session, ctx: Any, me: Principal, batch: RegistrationBatch) -> None:
    today = clock.today()
    apps = applications(db, batch)
    docs = dict(db.execute(select(Record.id, Record.document)
                           .where(Record.id.in_([a.record_id for a in apps]))).all()) if apps else {}
    for app in apps:
        code = W.DECISIONS[app.decision or "qualified"][0]
        date_key, result_key = EL.REGISTRATIONS[0 if EL.is_first(dict(docs.get(app.record_id) or {})) else 1]
        records.write_from_case(db, ctx.catalogue, me, app.teacher_id, app.record_id,
                                {date_key: today.isoformat(), result_key: code}, via="registration", case_id=batch.id)
        app.outcome_date, app.open_record_id = today, None
    batch.state, batch.acting_unit_id, batch.completed_at = COMPLETED, None, utcnow()
    _log(db, me, batch, "complete", apps, None, None)


def _flush(db: Session, batch: RegistrationBatch) -> RegistrationBatch:
    try:
        db.flush()
    except StaleDataError:
        raise Refusal(W.W_STALE, current="?") from None
    return batch


# ------------------------------------------------------------------ reading

def visible(db: Session, me: Principal, batch: RegistrationBatch) -> bool:
    """The applying school, a unit on its route, or any unit above one of them."""
    if me.kind != "staff":
        return False
    units = {batch.unit_id, *(s["unit_id"] for s in batch.steps)}
    return any(scope.unit_in_scope(db, me, u, "teacher.read") for u in units)


def get(db: Session, me: Principal, batch_id: int) -> RegistrationBatch:
    batch = db.get(RegistrationBatch, batch_id)
    if batch is None or not visible(db, me, batch):
        raise Refusal(W.W_BATCH_NOT_FOUND)
    return batch


def listing(db: Session, me: Principal, queue: str | None = None, limit: int = 200) -> list[RegistrationBatch]:
    """``queue=mine``: the batches waiting for a step the caller may act on; else every batch the
    caller may see, newest first."""
    stmt = select(RegistrationBatch).order_by(RegistrationBatch.id.desc())
    if queue == "mine":
        mine = sorted({u for u, _ in me.grants})
        rows = db.scalars(stmt.where(RegistrationBatch.acting_unit_id.in_(mine),
                                     RegistrationBatch.state == PENDING).limit(limit))
        return [b for b in rows if CS._holds(me, b.steps[b.step]["unit_id"], b.steps[b.step]["roles"])]
    roots = me.roots("teacher.read")
    if not roots or me.kind != "staff":
        return []
    reach = scope.subtree(roots)
    return list(db.scalars(stmt.where(or_(RegistrationBatch.unit_id.in_(reach),
                                          RegistrationBatch.acting_unit_id.in_(reach))).limit(limit)))


def state_word(batch: RegistrationBatch | None, lang: str = "zh") -> str:
    if batch is None:
        return ""
    if batch.state == PENDING and batch.step < len(batch.steps):
        step = batch.steps[batch.step]
        return f"待{step['label']}" if lang != "en" else f"Pending: {step['label_en']}"
    return STATES[batch.state][1 if lang == "en" else 0]


def audit_read(db: Session, me: Principal, batches: list[RegistrationBatch]) -> None:
    if batches:
        audit.record(db, "registration.read", actor=me, target_type="registration_batch",
                     target_id=batches[0].id if len(batches) == 1 else None, unit_id=me.unit_id,
                     detail={"batches": [b.id for b in batches][:200]})


def batch_json(db: Session, me: Principal, batch: RegistrationBatch, *, with_apps: bool = True) -> dict[str, Any]:
    unit = db.get(Unit, batch.unit_id)
    step = batch.steps[batch.step] if batch.state == PENDING and batch.step < len(batch.steps) else None
    out: dict[str, Any] = {
        "id": batch.id, "state": batch.state, "state_label": state_word(batch),
        "state_label_en": state_word(batch, "en"), "version": batch.version,
        "unit": {"code": unit.code, "name": unit.name}, "as_of": batch.as_of.isoformat(),
        "steps": [{"key": s["key"], "label": s["label"], "label_en": s.get("label_en") or s["label"], "unit": s["unit_code"], "unit_name": s["unit_name"],
                   "state": "done" if i < batch.step or batch.state == COMPLETED else
                   ("current" if i == batch.step else "waiting")} for i, s in enumerate(batch.steps)],
        "next": _next_step(batch, step),
        "may": (["decide", "forward"] if step is not None and CS._holds(me, step["unit_id"], step["roles"]) else []),
        "created_at": batch.created_at.isoformat() if batch.created_at else None,
        "completed_at": batch.completed_at.isoformat() if batch.completed_at else None,
    }
    if with_apps:
        apps = applications(db, batch)
        docs = dict(db.execute(select(Record.id, Record.document)
                               .where(Record.id.in_([a.record_id for a in apps]))).all()) if apps else {}
        seen = privacy.listing(db, me, [a.teacher_id for a in apps])  # web/privacy.py decides, for all at once
        teachers = [_app_json(db, seen, a, docs.get(a.record_id)) for a in apps]
        # each level's conclusion (levels.py), its reason masked as the application's own
        found = LV.of_batch(db, batch, {a.id: any(u["masked"] for u in t["unmet"]) for a, t in zip(apps, teachers)})
        for a, t in zip(apps, teachers):
            t["levels"] = found.get(a.id, [])
            # the acting step's form starts from the level below's conclusion until it saves its own
            t["prefilled"] = step is not None and a.decision is not None and a.decided_step != step["key"]
        out["teachers"] = teachers
        out["levels_heading"] = LV.heading(batch, acting="decide" in out["may"])
    return out


def _next_step(batch: RegistrationBatch, step: dict[str, Any] | None) -> dict[str, Any] | None:
    """Where the acting step's 提交 goes: ``{"last": True}`` when it completes the batch (writes
    教师资格), else the next step's unit and label (what the button and the message say)."""
    if step is None:
        return None
    if batch.step + 1 >= len(batch.steps):
        return {"last": True}
    nxt = batch.steps[batch.step + 1]
    return {"last": False, "unit_name": nxt["unit_name"], "label": nxt["label"], "label_en": nxt["label_en"]}


def forwarded_message(batch: RegistrationBatch, lang: str = "zh") -> str:
    """The message after 提交: what happened (completed, or sent to the next unit)."""
    if batch.state == COMPLETED:
        return "已办结：结论已写入教师资格" if lang != "en" else "Completed: the decisions are written into the teachers' qualifications"
    step = batch.steps[batch.step]
    if lang == "en":
        return f"Forwarded to {step['unit_name']} ({step.get('label_en') or step['label']})"
    return f"已提交{step['unit_name']}（{step['label']}）"


# what the pages' ?msg= names (a key, never text: the page says it in the reader's language)
MESSAGES = {"applied": ("已提交注册申请", "Application submitted"), "saved": ("结论已保存", "Decisions saved")}


def page_message(batch: RegistrationBatch | None, key: str | None, lang: str = "zh") -> str | None:
    """The notice of a page after a write (``applied``, ``saved``, ``forwarded``); None for anything else."""
    if key == "forwarded" and batch is not None:
        return forwarded_message(batch, lang)
    words = MESSAGES.get(key or "")
    return None if words is None else words[1 if lang == "en" else 0]


def _registration_kind(app: RegistrationApplication, doc: dict[str, Any]) -> str:
    """``first`` (首次注册) or ``periodic`` (定期注册): while open, what the outcome will write;
    once written, what it wrote (its 首次注册日期 is the outcome's day)."""
    if app.outcome_date is None:
        return "first" if EL.is_first(doc) else "periodic"
    return "first" if str(doc.get("first_registration_date") or "") == app.outcome_date.isoformat() else "periodic"


def _app_json(db: Session, seen: privacy.Listing, app: RegistrationApplication,
              doc: dict[str, Any] | None) -> dict[str, Any]:
    from modules.registration.conditions import Unmet

    teacher = db.get(Teacher, app.teacher_id)
    shown = seen.shown(teacher.id)     # the one decision: the conditions and the reason
    word = W.DECISIONS.get(app.decision or "")
    unmet = [Unmet(**u).json(shown) for u in app.unmet]
    # a reason beside a masked 师德 condition may name the sanction: masked for the same readers
    reason_masked = bool(app.reason) and any(u["masked"] for u in unmet)
    return {"teacher_id": app.teacher_id, "name": app.teacher_name,
            "id_number": seen.id_number(teacher.id, teacher.id_number),
            "cycle_start": app.cycle_start.isoformat(), "cycle_end": app.cycle_end.isoformat(),
            "eligible": app.eligible, "unmet": unmet,
            "decision": app.decision, "decision_label": word[1] if word else None,
            "decision_label_en": word[2] if word else None,
            "reason": privacy.MASK if reason_masked else app.reason, "reason_masked": reason_masked,
            "decided_step": app.decided_step,
            "registration": _registration_kind(app, dict(doc or {})),
            "outcome_date": app.outcome_date.isoformat() if app.outcome_date else None}


def todo_count(db: Session, me: Principal) -> int:
    return len(listing(db, me, "mine"))


def today() -> dt.date:
    return clock.today()
