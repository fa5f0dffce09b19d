"""The case engine: start, act (approve / return / reject / withdraw / resubmit), read, queues.

Each function works in the caller's transaction (the request's: web/deps.py commits when the
handler returns, rolls back on any refusal), so a transition — new state, one appended
``case_transitions`` row, the audit entry and, on the last approval, the kind's side effect — is
all or nothing. ``_lock`` takes the case row ``FOR UPDATE`` and the mapper's version column makes
an UPDATE that finds another version fail: of two people acting on one case at once exactly one
wins, the other is told who was first (W776).

What a kind does on completion is registered by its module (``register``); the engine itself
knows nothing of transfers or statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import workflow as WF
from web import audit, scope
from web.cases import words as C
from web.cases.models import (
    COMPLETED, OPEN, PENDING, REJECTED, RETURNED, STATES, WITHDRAWN, CaseTransition, MobilityCase,
)
from web.db.base import utcnow
from web.db.models import Teacher, Unit, UnitClosure
from web.errors import Refusal
from web.principal import Principal

LEVELS = {"school": ("学校", "school"), "county": ("县级", "county"), "city": ("地市级", "city"),
          "province": ("省级", "province")}
ROLE_WORDS = {"info_manager": ("信息管理员", "information managers"), "info_reviewer": ("信息审核员", "reviewers"),
              "info_entry": ("信息录入员", "data entry clerks"), "system_admin": ("系统管理员", "system administrators")}
ACTION_WORDS = {"approve": ("审核通过", "approved"), "return": ("退回", "returned"), "reject": ("不予通过", "rejected"),
                "withdraw": ("撤回", "withdrawn"), "resubmit": ("重新提交", "resubmitted"), "start": ("发起", "started")}


@dataclass(frozen=True)
class Kind:
    key: str                                   # the workflow's key
    zh: str
    en: str
    complete: Callable[[Session, Any, Principal | None, MobilityCase], dict[str, Any]]
    # called when a case closes without completing (reject, withdraw) with the action and the
    # reason, in the same transaction (a transfer to another province sends its refusal back)
    closed: Callable[[Session, Any, Principal | None, MobilityCase, str, str | None], None] | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


@dataclass(frozen=True)
class PageKind:
    """A kind of case with its pages under ``/cases/<slug>`` (web/cases/pages.py): the module that
    owns it registers it with the function that starts one from the page's form."""

    module: str                                # the module that owns it (modules/<module>/)
    slug: str                                  # /cases/<slug>
    kind: str                                  # the workflow family listed there
    zh: str
    en: str
    start: Callable[[Session, Any, Principal, dict[str, str]], Any]   # (db, ctx, me, form) -> case (or a path to go to)
    # what else the list page shows (db, ctx, me, lang) -> template variables: a transfer's requests to
    # other provinces; run before the lists are read (it may act on what arrived)
    extra: Callable[[Session, Any, Principal, str], dict[str, Any]] | None = None


PAGES: dict[str, PageKind] = {}


def register_pages(page: PageKind) -> PageKind:
    PAGES[page.slug] = page
    return page


def waiting_todo(db: Session, me: Principal, page: PageKind) -> list[Any]:
    """A module's ``home_todos``: the count of its cases waiting for the caller (its queue, as
    ``listing(queue="mine")``), linked to its list page; nothing when none waits."""
    from web.hooks import Todo

    waiting = len(listing(db, me, page.kind, "mine"))
    return [Todo(f"{page.module}.waiting", f"待办理的{page.zh}", f"{page.en} waiting for you", waiting,
                 f"/cases/{page.slug}")] if waiting else []


def workflows(settings_root: Any = None, province: str | None = None) -> dict[str, WF.Workflow]:
    """The workflows in force in ``province``: the core's and those of the modules it enables
    (their ``workflows.yaml``), with the province's versions over them."""
    from engine.catalogue import repo_root
    from web.modules import current

    mods = [m.path for m in current().modules_for(province)]
    return WF.workflows_for(settings_root or repo_root(), province, mods)


def workflow_of(kind: str, province: str | None) -> WF.Workflow:
    """The workflow of ``kind`` in force in ``province``; W473 when its module is off there (or gone)."""
    wf = workflows(None, province).get(kind)
    if wf is None:
        from web.errors import W_WORKFLOW_OFF

        k = KINDS.get(kind)
        raise Refusal(W_WORKFLOW_OFF, kind=k.zh if k else kind, kind_en=k.en if k else kind)
    return wf


def _roles(names: tuple[str, ...] | list[str], lang: str) -> str:
    i = 1 if lang == "en" else 0
    return ("、" if i == 0 else " or ").join(ROLE_WORDS.get(r, (r, r))[i] for r in names)


# ------------------------------------------------------------------ the unit tree

def ancestor_of(db: Session) -> Callable[[Any, str], Unit | None]:
    def ancestor(unit: Any, level: str) -> Unit | None:
        if unit.level == level:
            return unit
        return db.scalar(select(Unit).join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
                         .where(UnitClosure.descendant_id == unit.id, Unit.level == level))
    return ancestor


def _plan(db: Session, wf: WF.Workflow, initiator: Unit, counterpart: Unit | None,
          variant: str | None) -> list[dict[str, Any]]:
    try:
        planned = WF.resolve_steps(wf, initiator, counterpart, ancestor_of(db), variant)
    except WF.Unresolved as exc:
        party = counterpart if exc.party.startswith("counterpart") and counterpart is not None else initiator
        raise Refusal(C.W_NO_AUTHORITY, unit=party.name, level=LEVELS.get(exc.level or "", (exc.level,))[0],
                      step=exc.step) from None
    return [p.json() for p in planned]


# ------------------------------------------------------------------ start

def open_case_of(db: Session, teacher_id: int) -> MobilityCase | None:
    return db.scalar(select(MobilityCase).where(MobilityCase.open_teacher_id == teacher_id))


def refuse_if_open(db: Session, teacher: Teacher) -> None:
    other = open_case_of(db, teacher.id)
    if other is not None:
        kind = KINDS.get(other.kind)
        unit = db.get(Unit, other.acting_unit_id) if other.acting_unit_id else None
        raise Refusal(C.W_CASE_OPEN, name=teacher.name, kind=kind.zh if kind else other.kind,
                      kind_en=kind.en.lower() if kind else other.kind, state=state_word(other),
                      state_en=state_word(other, "en"), unit=unit.name if unit else "")


def may_start(me: Principal, wf: WF.Workflow, unit: Unit) -> bool:
    return unit.level == wf.start.level and _holds(me, unit.id, wf.start.roles)


def start(db: Session, cat: Any, me: Principal, kind: str, teacher: Teacher, initiator: Unit,
          counterpart: Unit | None, *, variant: str | None = None, payload: dict[str, Any] | None = None,
          province: str | None = None) -> MobilityCase:
    """Open a case (the teacher row is locked by the caller); steps resolved now and stored."""
    wf = workflow_of(kind, province)
    k = KINDS[kind]
    if not may_start(me, wf, initiator):
        lv = LEVELS[wf.start.level]
        raise Refusal(C.W_START_ROLE, kind=k.zh, kind_en=k.en.lower(), level=lv[0], level_en=lv[1],
                      roles=_roles(wf.start.roles, "zh"), roles_en=_roles(wf.start.roles, "en"))
    refuse_if_open(db, teacher)
    steps = _plan(db, wf, initiator, counterpart, variant)
    case = MobilityCase(kind=kind, variant=variant, teacher_id=teacher.id, teacher_name=teacher.name,
                        initiator_unit_id=initiator.id, counterpart_unit_id=counterpart.id if counterpart else None,
                        counterpart_code=counterpart.code if counterpart else None, state=PENDING, step=0,
                        steps=steps, acting_unit_id=steps[0]["unit_id"] if steps else None,
                        payload=dict(payload or {}), open_teacher_id=teacher.id, created_by_id=me.account_id)
    try:
        with db.begin_nested():  # the row is added inside the savepoint: begin_nested flushes what is pending first
            db.add(case)
            db.flush()
    except IntegrityError:
        refuse_if_open(db, teacher)
        raise
    _log(db, me, case, "start", None, initiator, None)
    if not steps:
        _complete(db, cat, me, case)
    return case


# ------------------------------------------------------------------ acting

def _lock(db: Session, me: Principal, case_id: int) -> MobilityCase:
    case = db.scalar(select(MobilityCase).where(MobilityCase.id == case_id).with_for_update(of=MobilityCase)
                     .execution_options(populate_existing=True))
    if case is None or not visible(db, me, case):
        raise Refusal(C.W_CASE_NOT_FOUND)
    return case


def _holds(me: Principal, unit_id: int, roles: list[str] | tuple[str, ...]) -> bool:
    grants = set(me.grants)
    return any((unit_id, r) in grants for r in roles)


def act(db: Session, cat: Any, me: Principal, case_id: int, action: str, *, reason: str | None = None,
        version: int | None = None, province: str | None = None) -> MobilityCase:
    case = _lock(db, me, case_id)
    if version is not None and version != case.version:
        raise Refusal(C.W_CASE_STALE, state=state_word(case), state_en=state_word(case, "en"))
    reason = (reason or "").strip() or None
    words = ACTION_WORDS.get(action, (action, action))
    wf = workflow_of(case.kind, province)
    initiator = db.get(Unit, case.initiator_unit_id)
    if action in ("withdraw", "resubmit"):
        if not _holds(me, case.initiator_unit_id, wf.start.roles):
            raise Refusal(C.W_NOT_INITIATOR, unit=initiator.name, roles=_roles(wf.start.roles, "zh"),
                          roles_en=_roles(wf.start.roles, "en"), action=words[0], action_en=words[1].removesuffix("n"))
        if action == "withdraw":
            if case.state not in OPEN:
                raise Refusal(C.W_CASE_CLOSED, state=state_word(case), state_en=state_word(case, "en"),
                              action=words[0], action_en=words[1])
            before = case.state
            case.state, case.acting_unit_id, case.open_teacher_id = WITHDRAWN, None, None
            _log(db, me, case, action, before, initiator, reason)
            _closed(db, cat, me, case, action, reason)
        else:
            if case.state != RETURNED:
                raise Refusal(C.W_NOT_RETURNED, state=state_word(case), state_en=state_word(case, "en"))
            counterpart = db.get(Unit, case.counterpart_unit_id) if case.counterpart_unit_id else None
            case.steps = _plan(db, wf, initiator, counterpart, case.variant)
            case.step, case.state = 0, PENDING
            case.acting_unit_id = case.steps[0]["unit_id"] if case.steps else None
            _log(db, me, case, action, RETURNED, initiator, reason)
            if not case.steps:
                _complete(db, cat, me, case)
        return _flush(db, case)
    if action not in ("approve", "return", "reject"):
        raise Refusal(C.W_BAD_ACTION, action=action, allowed="approve, return, reject, withdraw, resubmit")
    if case.state != PENDING:
        raise Refusal(C.W_CASE_STALE if case.state in (RETURNED, COMPLETED, WITHDRAWN, REJECTED) else C.W_CASE_CLOSED,
                      state=state_word(case), state_en=state_word(case, "en"), action=words[0], action_en=words[1])
    step = case.steps[case.step]
    if action not in step["actions"]:
        raise Refusal(C.W_BAD_ACTION, action=action, allowed=", ".join(step["actions"]))
    if not _holds(me, step["unit_id"], step["roles"]):
        if any(_holds(me, s["unit_id"], s["roles"]) for s in case.steps[:case.step]):
            raise Refusal(C.W_CASE_STALE, state=state_word(case), state_en=state_word(case, "en"))
        raise Refusal(C.W_NOT_YOUR_STEP, step=step["label"], step_en=step["label_en"], unit=step["unit_name"],
                      roles=_roles(step["roles"], "zh"), roles_en=_roles(step["roles"], "en"))
    unit = db.get(Unit, step["unit_id"])
    if action in ("return", "reject") and not reason:
        raise Refusal(C.W_REASON_REQUIRED, action=words[0], action_en=words[0] + f" ({action})")
    if action == "approve":
        _log(db, me, case, action, PENDING, unit, reason, step)
        case.step += 1
        if case.step >= len(case.steps):
            _complete(db, cat, me, case)
        else:
            case.acting_unit_id = case.steps[case.step]["unit_id"]
    elif action == "return":
        case.state, case.acting_unit_id = RETURNED, case.initiator_unit_id
        _log(db, me, case, action, PENDING, unit, reason, step)
    else:
        case.state, case.acting_unit_id, case.open_teacher_id = REJECTED, None, None
        _log(db, me, case, action, PENDING, unit, reason, step)
        _closed(db, cat, me, case, action, reason)
    return _flush(db, case)


def _closed(db: Session, cat: Any, me: Principal, case: MobilityCase, action: str, reason: str | None) -> None:
    kind = KINDS.get(case.kind)
    if kind is not None and kind.closed is not None:
        kind.closed(db, cat, me, case, action, reason)


def _flush(db: Session, case: MobilityCase) -> MobilityCase:
    try:
        db.flush()
    except StaleDataError:
        raise Refusal(C.W_CASE_STALE, state="已变化", state_en="changed") from None
    return case


def _complete(db: Session, cat: Any, me: Principal | None, case: MobilityCase) -> None:
    effect = KINDS[case.kind].complete(db, cat, me, case)
    case.state, case.acting_unit_id, case.open_teacher_id = COMPLETED, None, None
    case.effect, case.completed_at = effect, utcnow()
    db.add(CaseTransition(case_id=case.id, action="complete", from_state=PENDING, to_state=COMPLETED,
                          actor_id=me.account_id if me else None, actor_name=_who(me), reason=None))


def _who(me: Principal | None) -> str:
    if me is None:
        return "tmis"
    return f"{me.real_name}（{me.username}）" if me.real_name and me.real_name != me.username else me.username


def _log(db: Session, me: Principal, case: MobilityCase, action: str, before: str | None, unit: Unit | None,
         reason: str | None, step: dict[str, Any] | None = None) -> None:
    db.flush()
    db.add(CaseTransition(case_id=case.id, action=action, from_state=before, to_state=case.state,
                          step_key=step["key"] if step else None, step_label=step["label"] if step else None,
                          actor_id=me.account_id, actor_name=_who(me), unit_id=unit.id if unit else None,
                          unit_name=unit.name if unit else None, reason=reason))
    audit.record(db, f"case.{action}", actor=me, target_type="case", target_id=case.id,
                 unit_id=unit.id if unit else case.initiator_unit_id,
                 detail={"kind": case.kind, "teacher": case.teacher_id, "state": case.state,
                         "step": step["key"] if step else None, "reason": (reason or "")[:200] or None})


# ------------------------------------------------------------------ reading

def visible(db: Session, me: Principal, case: MobilityCase) -> bool:
    """A party's unit, an acting unit, or any unit above one of them."""
    if me.kind == "teacher":
        return False
    units = {case.initiator_unit_id, case.counterpart_unit_id, *(s["unit_id"] for s in case.steps)} - {None}
    return any(scope.unit_in_scope(db, me, u, "teacher.read") for u in units)


def audit_read(db: Session, me: Principal, cases: list[MobilityCase]) -> None:
    """A look at cases shows people (name, masked ID number, school): one audit entry per look,
    naming the cases and teachers (ids only: no personal data in the log)."""
    if cases:
        audit.record(db, "case.read", actor=me, target_type="case", target_id=cases[0].id if len(cases) == 1 else None,
                     unit_id=me.unit_id, detail={"cases": [c.id for c in cases][:200],
                                                 "teachers": sorted({c.teacher_id for c in cases})[:200]})


def state_word(case: MobilityCase, lang: str = "zh") -> str:
    if case.state == PENDING and case.step < len(case.steps):
        step = case.steps[case.step]
        return f"待{step['label']}" if lang != "en" else f"Pending: {step['label_en']}"
    return STATES[case.state][1 if lang == "en" else 0]


def may(db: Session, me: Principal, case: MobilityCase, province: str | None = None) -> list[str]:
    wf = workflows(None, province).get(case.kind)
    out: list[str] = []
    if case.state == PENDING and case.step < len(case.steps):
        step = case.steps[case.step]
        if _holds(me, step["unit_id"], step["roles"]):
            out += list(step["actions"])
    if wf is not None and _holds(me, case.initiator_unit_id, wf.start.roles):
        if case.state == RETURNED:
            out.append("resubmit")
        if case.state in OPEN:
            out.append("withdraw")
    return out


def case_json(db: Session, me: Principal, case: MobilityCase, lang: str = "zh") -> dict[str, Any]:
    teacher = db.get(Teacher, case.teacher_id)
    card = scope.identity_card(teacher)
    if scope.may_see_personal(db, me, teacher):
        card = {**card, "id_number": teacher.id_number, "masked": False}
    kind = KINDS.get(case.kind)
    initiator = db.get(Unit, case.initiator_unit_id)
    counterpart = db.get(Unit, case.counterpart_unit_id) if case.counterpart_unit_id else None
    acting = db.get(Unit, case.acting_unit_id) if case.acting_unit_id else None
    steps = []
    for i, s in enumerate(case.steps):
        done = i < case.step or case.state == COMPLETED
        steps.append({"key": s["key"], "label": s["label_en"] if lang == "en" else s["label"],
                      "unit": s["unit_code"], "unit_name": s["unit_name"], "roles": s["roles"],
                      "state": "done" if done else ("current" if i == case.step and case.state == PENDING else "waiting")})
    log = db.scalars(select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.id))
    # a transition keeps its step's Chinese label as written; the case's steps give it in English
    step_en = {s["key"]: s.get("label_en") for s in case.steps} if lang == "en" else {}
    return {
        "id": case.id, "kind": case.kind, "kind_label": (kind.en if lang == "en" else kind.zh) if kind else case.kind,
        "variant": case.variant, "state": case.state, "state_label": state_word(case, lang),
        "acting_unit": acting.code if acting else None, "acting_unit_name": acting.name if acting else None,
        "steps": steps, "teacher": card,
        "initiator": {"code": initiator.code, "name": initiator.name},
        "counterpart": {"code": counterpart.code, "name": counterpart.name} if counterpart else None,
        "payload": case.payload, "version": case.version, "may": may(db, me, case),
        "created_at": case.created_at.isoformat() if case.created_at else None,
        "completed_at": case.completed_at.isoformat() if case.completed_at else None,
        "transitions": [{"action": t.action, "action_label": ACTION_WORDS.get(t.action, ("办结", "completed"))[1 if lang == "en" else 0],
                         "state": t.to_state, "step": step_en.get(t.step_key or "") or t.step_label, "by": t.actor_name, "unit": t.unit_name,
                         "reason": t.reason, "at": t.at.isoformat() if t.at else None} for t in log],
    }


def get(db: Session, me: Principal, case_id: int, kind: str | None = None) -> MobilityCase:
    case = db.get(MobilityCase, case_id)
    if case is None or (kind is not None and case.kind not in _family(kind)) or not visible(db, me, case):
        raise Refusal(C.W_CASE_NOT_FOUND)
    return case


def _family(kind: str) -> tuple[str, ...]:
    return ("rotation", "rotation_relation") if kind == "rotation" else (kind,)


def listing(db: Session, me: Principal, kind: str, queue: str | None = None, limit: int = 200) -> list[MobilityCase]:
    """``queue=mine``: the cases waiting for the caller (a step it may act on, or a case it started
    that came back); otherwise every case the caller may see, newest first."""
    stmt = select(MobilityCase).where(MobilityCase.kind.in_(_family(kind))).order_by(MobilityCase.id.desc())
    if queue == "mine":
        mine = sorted({u for u, _ in me.grants})
        rows = db.scalars(stmt.where(MobilityCase.acting_unit_id.in_(mine),
                                     MobilityCase.state.in_((PENDING, RETURNED))).limit(limit))
        return [c for c in rows if {"approve", "resubmit"} & set(may(db, me, c))]
    roots = me.roots("teacher.read")
    if not roots or me.kind == "teacher":
        return []
    reach = scope.subtree(roots)
    return list(db.scalars(stmt.where(or_(MobilityCase.initiator_unit_id.in_(reach),
                                          MobilityCase.counterpart_unit_id.in_(reach),
                                          MobilityCase.acting_unit_id.in_(reach))).limit(limit)))
