"""外省调入 / 跨省调出: a transfer between provinces, relayed by the national tier (issue 19).

The flow (docs/two-level.md, "Transfers between provinces"), with PostgreSQL logical replication
carrying every message and nothing else:

1. **A** (the receiving province): the receiving school's 信息管理员 asks for a teacher of province
   B by ID number and name (``request``): one row of ``tier_xfer_requests`` (province = A),
   published by A, copied by the national tier, republished to B only (row filter
   ``target_province = B``).
2. **B** (the releasing province): ``receive`` opens a case ``transfer_out`` (外省调出) for the
   teacher at its school; B's chain decides (school → county → city: modules/transfer/workflows.yaml,
   a province may add levels). A number and name that match no teacher, or a teacher who cannot move
   (file under review, left, another open case), is refused at once with the reason.
3. B's decision is one row of ``tier_xfer_decisions`` (province = B), written in the transaction of
   the last approval or of the refusal; on approval it carries the approved file (the four items, the
   teacher number, the approved records) and B marks the teacher 调出 (人员状态 307, off the roll).
   Published by B, copied nationally, republished to A only (``request_province = A``).
4. **A**: ``receive`` creates the teacher at the receiving school with the approved file (state 审核通过,
   a new teacher number under A's scheme, an appointment from today), which A then publishes to the
   national tier like any approval; a refusal shows on the school's page with its reason.

``receive`` acts on each relayed message once: the ``xfer_inbox`` row is written in the transaction
of the action (a message delivered again after an outage finds its row and is skipped). It runs when
a staff member of the province opens the home page (``home_todos``) or the transfers page, and from
``receive_all`` (tests, cron); it does nothing in a province that does not publish.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import idnumber
from web import audit
from web.cases import service as S
from web.cases.models import PENDING, CaseTransition, MobilityCase
from web.db.base import utcnow
from web.db.models import Record, Teacher, Unit
from web.errors import Refusal
from web.people import clock
from web.principal import Principal
from web.services import units as unit_service
from modules.transfer import words as X
from modules.transfer.models import XferDecision, XferInbox, XferRequest, XferWithdrawal

log = logging.getLogger(__name__)
KIND = "transfer_out"
APPROVED, REFUSED = "approved", "refused"
LEFT_CODE = "307"   # 离开本单位-离职: the code list has no 调出 of its own (schemas/codes/staff.yaml)
SYSTEM = "全国教师管理信息系统"


def _province() -> Any:
    from web.tier.province import publishing_province

    return publishing_province


OUTSIDE = ("71", "81", "82")   # 台湾, 香港, 澳门: no province deployment of this system


def provinces(cat: Any, own: str | None) -> list[tuple[str, str]]:
    """(code, name) of the other provinces, from the catalogue's region table (GB/T 2260)."""
    table = cat.codes.get("region") if cat is not None else None
    if table is None:
        return []
    return [(item.code[:2], item.zh) for item in table.table.items
            if not item.parent and item.code.endswith("0000") and item.code[:2] not in OUTSIDE
            and item.code[:2] != own]


def province_name(db: Session, code: str, cat: Any = None) -> str:
    """A province's name: this database's own unit, else the region table, else the code."""
    unit = unit_service.by_code(db, code)
    if unit is not None:
        return unit.name
    return dict(provinces(cat, None)).get(code, code)


# ------------------------------------------------------------------ A: the receiving school asks

def _next_id(db: Session, province: str) -> int:
    if db.get_bind().dialect.name == "postgresql":
        return int(db.scalar(text("SELECT nextval('tier_xfer_request_seq')")))
    top = db.scalar(select(func.max(XferRequest.request_id)).where(XferRequest.province == province))
    return (top or 0) + 1


def request(db: Session, cat: Any, me: Principal, target: str, id_number: str, name: str, *,
            province: str | None) -> XferRequest:
    """The receiving school (the caller's own, its 信息管理员) asks province ``target`` for a teacher."""
    from web.cases import words as C

    own = _province()(db)
    if own is None:
        raise Refusal(X.W_XFER_NOT_CONNECTED)
    target = (target or "").strip()
    if len(target) != 2 or not target.isdigit() or target == own:
        raise Refusal(X.W_XFER_PROVINCE, province=target)
    id_number, name = idnumber.normalize(id_number or ""), (name or "").strip()
    if not id_number or not name:
        raise Refusal(X.W_XFER_BAD_ID)
    school = db.get(Unit, me.unit_id)
    wf = S.workflow_of("transfer", province)
    if school is None or not S.may_start(me, wf, school):
        k = S.KINDS["transfer"]
        lv = S.LEVELS[wf.start.level]
        raise Refusal(C.W_START_ROLE, kind=k.zh, kind_en=k.en.lower(), level=lv[0], level_en=lv[1],
                      roles=S._roles(wf.start.roles, "zh"), roles_en=S._roles(wf.start.roles, "en"))
    here = db.scalar(select(Teacher).where(Teacher.id_number == id_number))
    if here is not None:
        raise Refusal(X.W_XFER_ON_FILE, unit=here.unit.name)
    answered = exists().where(XferDecision.request_province == XferRequest.province,
                              XferDecision.request_id == XferRequest.request_id)
    open_one = db.scalar(select(XferRequest.request_id).where(
        XferRequest.province == own, XferRequest.to_unit_code == school.code, XferRequest.id_number == id_number,
        ~answered))
    if open_one is not None:
        raise Refusal(X.W_XFER_OPEN, request=open_one)
    row = XferRequest(province=own, request_id=_next_id(db, own), target_province=target, id_type="1",
                      id_number=id_number, name=name, to_unit_code=school.code, to_unit_name=school.name,
                      requested_by=S._who(me), created_at=utcnow())
    db.add(row)
    db.flush()
    audit.record(db, "transfer.interprovince.request", actor=me, target_type="xfer_request",
                 target_id=f"{own}-{row.request_id}", unit_id=school.id,
                 detail={"to_province": target, "id_number": _mask(id_number)})
    return row


def withdraw(db: Session, me: Principal, request_id: int, reason: str | None) -> XferWithdrawal:
    """The receiving school withdraws its request while the releasing province has not answered; the
    withdrawal travels the same way and closes the releasing case if it is still open (an approval
    given before it arrives stands: the teacher has left there and arrives here)."""
    own = _province()(db)
    row = db.get(XferRequest, (own, request_id)) if own is not None else None
    mine = {c for (c,) in db.execute(select(Unit.code).where(Unit.id.in_({u for u, _ in me.grants} or {-1})))}
    if row is None or row.to_unit_code not in mine:
        raise Refusal(X.W_XFER_NOT_FOUND, request=request_id)
    school = db.get(Unit, me.unit_id)
    wf = S.workflow_of("transfer", None)
    if school is None or school.code != row.to_unit_code or not S.may_start(me, wf, school):
        raise Refusal(X.W_XFER_NOT_FOUND, request=request_id)
    answered = db.scalar(select(XferDecision.decision).where(XferDecision.request_province == own,
                                                             XferDecision.request_id == request_id))
    if answered is not None or db.get(XferWithdrawal, (own, request_id)) is not None:
        raise Refusal(X.W_XFER_CLOSED, request=request_id)
    out = XferWithdrawal(province=own, request_id=request_id, target_province=row.target_province,
                         reason=(reason or "").strip()[:500] or None, withdrawn_by=S._who(me), withdrawn_at=utcnow())
    db.add(out)
    db.flush()
    audit.record(db, "transfer.interprovince.withdraw", actor=me, target_type="xfer_request",
                 target_id=f"{own}-{request_id}", unit_id=school.id, detail={"reason": (out.reason or "")[:200] or None})
    return out


def _mask(number: str) -> str:
    from web import scope

    return scope.mask_id_number(number)


def outgoing(db: Session, me: Principal, lang: str = "zh", cat: Any = None) -> list[dict[str, Any]]:
    """The requests of the caller's units with where each stands (the school's page)."""
    own = _province()(db)
    if own is None:
        return []
    codes = [c for (c,) in db.execute(select(Unit.code).where(Unit.id.in_({u for u, _ in me.grants} or {-1})))]
    rows = db.execute(
        select(XferRequest, XferDecision, XferInbox, XferWithdrawal)
        .outerjoin(XferWithdrawal, and_(XferWithdrawal.province == XferRequest.province,
                                        XferWithdrawal.request_id == XferRequest.request_id))
        .outerjoin(XferDecision, and_(XferDecision.request_province == XferRequest.province,
                                      XferDecision.request_id == XferRequest.request_id))
        .outerjoin(XferInbox, and_(XferInbox.kind == "decision", XferInbox.request_province == XferRequest.province,
                                   XferInbox.request_id == XferRequest.request_id))
        .where(XferRequest.province == own, XferRequest.to_unit_code.in_(codes or [""]))
        .order_by(XferRequest.request_id.desc()).limit(200)).all()
    en = lang == "en"
    out = []
    for req, dec, box, gone in rows:
        if dec is None and gone is not None:
            state, label = "withdrawn", ("Withdrawn" if en else "已撤回")
        elif dec is None:
            state, label = "pending", ("Waiting for the releasing province" if en else "待调出省份审核")
        elif dec.decision == APPROVED and box is not None and box.outcome == "created":
            state, label = "completed", ("Completed: on file here" if en else "已调入")
        elif dec.decision == APPROVED:
            state, label = "arriving", ("Approved: file arriving" if en else "调出省份已同意，档案接收中")
        else:
            state, label = "refused", ("Refused" if en else "未同意")
        out.append({"request": req.request_id, "province": req.target_province,
                    "province_name": province_name(db, req.target_province, cat), "name": req.name,
                    "id_number": _mask(req.id_number), "to_unit": req.to_unit_name, "state": state,
                    "state_label": label, "reason": dec.reason if dec is not None else None,
                    "teacher_id": box.teacher_id if box is not None else None,
                    "at": req.created_at.isoformat() if req.created_at else None})
    return out


# ------------------------------------------------------------------ acting on relayed messages

def receive(db: Session, cat: Any) -> dict[str, int]:
    """Act once on every relayed message for this province not acted on yet; in the caller's
    transaction, each message in a savepoint (one that fails is left for the next run)."""
    own = _province()(db)
    if own is None:
        return {}
    done = {"requests": 0, "decisions": 0, "withdrawals": 0}
    seen = select(XferInbox.request_id).where(XferInbox.kind == "request", XferInbox.province == XferRequest.province,
                                              XferInbox.request_id == XferRequest.request_id)
    for req in db.scalars(select(XferRequest).where(XferRequest.target_province == own, ~exists(seen))
                          .order_by(XferRequest.created_at, XferRequest.request_id).limit(500)).all():
        if _once(db, lambda req=req: _open_release(db, cat, own, req)):
            done["requests"] += 1
    seen_w = select(XferInbox.request_id).where(XferInbox.kind == "withdrawal", XferInbox.province == XferWithdrawal.province,
                                                XferInbox.request_id == XferWithdrawal.request_id)
    for gone in db.scalars(select(XferWithdrawal).where(XferWithdrawal.target_province == own, ~exists(seen_w))
                           .order_by(XferWithdrawal.withdrawn_at).limit(500)).all():
        if _once(db, lambda gone=gone: _withdrawn(db, own, gone)):
            done["withdrawals"] = done.get("withdrawals", 0) + 1
    seen_d = select(XferInbox.request_id).where(XferInbox.kind == "decision", XferInbox.province == XferDecision.province,
                                                XferInbox.request_id == XferDecision.request_id,
                                                XferInbox.request_province == XferDecision.request_province)
    for dec in db.scalars(select(XferDecision).where(XferDecision.request_province == own, ~exists(seen_d))
                          .order_by(XferDecision.decided_at).limit(500)).all():
        if _once(db, lambda dec=dec: _arrive(db, cat, own, dec)):
            done["decisions"] += 1
    return done


def receive_all(ctx: Any) -> dict[str, int]:
    """``receive`` in a transaction of its own (the home page hook, cron, tests)."""
    with ctx.sessions() as db:
        out = receive(db, ctx.catalogue)
        db.commit()
    return out


def _once(db: Session, work: Any) -> bool:
    """One message in a savepoint: acted on (True), or left for the next run (False) when another
    worker acted on it a moment ago (its inbox row is there) or it failed (logged; the page that
    triggered the run is not broken by it)."""
    try:
        with db.begin_nested():
            work()
        return True
    except IntegrityError:
        return False
    except Exception:  # noqa: BLE001 - a message that cannot be acted on now must not break the caller
        log.exception("transfer between provinces: a relayed message was left for the next run")
        return False


def _inbox(db: Session, kind: str, sender: str, request_province: str, request_id: int, outcome: str, *,
           case_id: int | None = None, teacher_id: int | None = None, note: str | None = None) -> None:
    db.add(XferInbox(kind=kind, province=sender, request_province=request_province, request_id=request_id,
                     outcome=outcome, case_id=case_id, teacher_id=teacher_id, note=note, done_at=utcnow()))
    db.flush()


# ------------------------------------------------------------------ B: the releasing province

def _decide(db: Session, own: str, case_or_req: Any, decision: str, *, reason: str | None = None,
            teacher_key: int | None = None, file: dict[str, Any] | None = None, by: str | None = None) -> None:
    p = case_or_req
    db.add(XferDecision(province=own, request_province=p["request_province"], request_id=p["request_id"],
                        decision=decision, reason=reason, teacher_key=teacher_key, file=file, decided_by=by,
                        decided_at=utcnow()))
    db.flush()


def _refuse_now(db: Session, own: str, req: XferRequest, reason: str) -> None:
    _decide(db, own, {"request_province": req.province, "request_id": req.request_id}, REFUSED, reason=reason, by=SYSTEM)
    _inbox(db, "request", req.province, req.province, req.request_id, "refused", note=reason)
    audit.record(db, "transfer.interprovince.refused", actor_name="tier", target_type="xfer_request",
                 target_id=f"{req.province}-{req.request_id}", detail={"reason": reason[:200]})


def _open_release(db: Session, cat: Any, own: str, req: XferRequest) -> None:
    """A request for one of this province's teachers: a 外省调出 case at the teacher's school."""
    from web.people import moves

    teacher = db.scalar(select(Teacher).where(Teacher.id_type == req.id_type,
                                              Teacher.id_number == idnumber.normalize(req.id_number)))
    if teacher is None or teacher.name != req.name:
        _refuse_now(db, own, req, X.R_NOT_FOUND[0])
        return
    teacher = moves.lock_teacher(db, teacher.id)
    try:
        if teacher.state != "approved":
            from web.people import words as P
            from web.review import words as RW

            raise Refusal(P.W_UNDER_REVIEW, name=teacher.name, state=RW.state_word(teacher.state, None),
                          state_en=RW.state_word(teacher.state, None, "en"), what="调动", what_en="a transfer")
        moves.check_free(db, teacher, ("调动", "a transfer"), cat=cat)
        S.refuse_if_open(db, teacher)
    except Refusal as r:
        _refuse_now(db, own, req, r.message("zh"))
        return
    wf = S.workflow_of(KIND, own)
    steps = S._plan(db, wf, teacher.unit, None, None)
    payload = {"request_province": req.province, "request_id": req.request_id, "to_unit": req.to_unit_code,
               "to_unit_name": req.to_unit_name, "to_province": req.province}
    case = MobilityCase(kind=KIND, variant=None, teacher_id=teacher.id, teacher_name=teacher.name,
                        initiator_unit_id=teacher.unit_id, counterpart_unit_id=None,
                        counterpart_code=req.to_unit_code, state=PENDING, step=0, steps=steps,
                        acting_unit_id=steps[0]["unit_id"] if steps else None, payload=payload,
                        open_teacher_id=teacher.id, created_by_id=None)
    db.add(case)
    db.flush()
    db.add(CaseTransition(case_id=case.id, action="start", from_state=None, to_state=PENDING, actor_id=None,
                          actor_name=f"{SYSTEM}（{req.to_unit_name}）", unit_id=None, unit_name=req.to_unit_name,
                          reason=None))
    _inbox(db, "request", req.province, req.province, req.request_id, "case", case_id=case.id, teacher_id=teacher.id)
    audit.record(db, "case.start", actor_name="tier", target_type="case", target_id=case.id,
                 unit_id=teacher.unit_id, detail={"kind": KIND, "teacher": teacher.id, "state": PENDING,
                                                  "request": f"{req.province}-{req.request_id}"})


def _withdrawn(db: Session, own: str, gone: XferWithdrawal) -> None:
    """The receiving school withdrew: close the 外省调出 case if it is still open."""
    from web.cases.models import OPEN, WITHDRAWN

    case_id = db.scalar(select(XferInbox.case_id).where(XferInbox.kind == "request", XferInbox.province == gone.province,
                                                        XferInbox.request_id == gone.request_id))
    case = db.scalar(select(MobilityCase).where(MobilityCase.id == case_id).with_for_update()) if case_id else None
    if case is None or case.state not in OPEN:
        _inbox(db, "withdrawal", gone.province, gone.province, gone.request_id, "too_late" if case else "noted")
        return
    before = case.state
    case.state, case.acting_unit_id, case.open_teacher_id = WITHDRAWN, None, None
    db.add(CaseTransition(case_id=case.id, action="withdraw", from_state=before, to_state=WITHDRAWN, actor_id=None,
                          actor_name=f"{SYSTEM}（{case.payload.get('to_unit_name') or ''}）", unit_id=None,
                          unit_name=case.payload.get("to_unit_name"), reason=gone.reason))
    db.flush()
    _inbox(db, "withdrawal", gone.province, gone.province, gone.request_id, "withdrawn", case_id=case.id)
    audit.record(db, "case.withdraw", actor_name="tier", target_type="case", target_id=case.id,
                 unit_id=case.initiator_unit_id, detail={"kind": KIND, "teacher": case.teacher_id, "state": WITHDRAWN,
                                                         "request": f"{gone.province}-{gone.request_id}"})


def _file(db: Session, teacher: Teacher) -> dict[str, Any]:
    """The approved file as it leaves the province: the four items, the teacher number, the records."""
    records: dict[str, list[dict[str, Any]]] = {}
    q = (select(Record.set_key, Record.document).where(Record.teacher_id == teacher.id, Record.state == "approved",
                                                       Record.copy_of_id.is_(None))
         .order_by(Record.set_key, Record.position, Record.id))
    for set_key, doc in db.execute(q):
        records.setdefault(set_key, []).append(dict(doc or {}))
    return {"id_type": teacher.id_type, "id_number": teacher.id_number, "name": teacher.name,
            "gender": teacher.gender, "birth_date": teacher.birth_date.isoformat(),
            "teacher_number": teacher.teacher_number, "unit_code": teacher.unit.code, "unit_name": teacher.unit.name,
            "records": records}


def _release(db: Session, cat: Any, me: Principal | None, case: MobilityCase) -> dict[str, Any]:
    """The last approval in B: the decision with the approved file goes back; the teacher is 调出."""
    from web.people import status
    from web.people import words as P

    own = _province()(db)
    teacher = db.get(Teacher, case.teacher_id)
    file = _file(db, teacher)
    to = f"{province_name(db, case.payload['to_province'], cat)}{case.payload.get('to_unit_name') or ''}"
    effect = status.set_status(db, cat, me, teacher.id, P.LEFT, LEFT_CODE, clock.today(),
                               note=f"跨省调出至{to}", case_id=case.id)
    _decide(db, own, case.payload, APPROVED, teacher_key=teacher.id, file=file, by=S._who(me))
    return {"released_to": case.payload["to_province"], "request": case.payload["request_id"], "status": effect}


def _closed(db: Session, cat: Any, me: Principal | None, case: MobilityCase, action: str, reason: str | None) -> None:
    """A refusal (or the school withdrawing the case) in B goes back to A with its reason."""
    own = _province()(db)
    step = case.steps[case.step] if case.step < len(case.steps) else None
    unit = step["unit_name"] if step and action == "reject" else (case.steps[0]["unit_name"] if case.steps else "")
    words = reason or ("撤回" if action == "withdraw" else "不同意")
    _decide(db, own, case.payload, REFUSED, reason=X.R_RELEASE_REFUSED[0].format(unit=f"「{unit}」", reason=words),
            by=S._who(me))


S.register(S.Kind(KIND, "外省调出", "Transfer to another province", _release, _closed))


# ------------------------------------------------------------------ A: the answer arrives

def _arrive(db: Session, cat: Any, own: str, dec: XferDecision) -> None:
    req = db.get(XferRequest, (own, dec.request_id))
    if req is None:
        _inbox(db, "decision", dec.province, dec.request_province, dec.request_id, "noted", note="no such request")
        return
    if dec.decision != APPROVED:
        _inbox(db, "decision", dec.province, own, dec.request_id, "refused", note=dec.reason)
        audit.record(db, "transfer.interprovince.refused", actor_name="tier", target_type="xfer_request",
                     target_id=f"{own}-{dec.request_id}", detail={"reason": (dec.reason or "")[:200]})
        return
    unit = unit_service.by_code(db, req.to_unit_code)
    file = dec.file or {}
    here = db.scalar(select(Teacher).where(Teacher.id_number == file.get("id_number")))
    if unit is None or here is not None:
        note = "接收学校已不存在" if unit is None else f"该教师已在本省「{here.unit.name}」有档案"
        _inbox(db, "decision", dec.province, own, dec.request_id, "conflict", note=note)
        return
    teacher = _create(db, cat, unit, file, dec, req)
    _inbox(db, "decision", dec.province, own, dec.request_id, "created", teacher_id=teacher.id)


def _create(db: Session, cat: Any, unit: Unit, file: dict[str, Any], dec: XferDecision, req: XferRequest) -> Teacher:
    """The teacher at the receiving school with the file B approved: 审核通过, numbered under this
    province's scheme, an appointment from today; published nationally like any approval."""
    from web import events
    from web.people import history, moves
    from web.services.teachers import FourItems, assign_teacher_number, create_raw

    on = clock.today()
    items = FourItems(name=file["name"], gender=file["gender"], birth_date=dt.date.fromisoformat(file["birth_date"]),
                      id_number=file["id_number"], id_type=file.get("id_type") or "1")
    teacher = create_raw(db, unit, items, catalogue_version=cat.version)
    family = cat.family_of(unit.school_type)
    keep = set(cat.set_keys(family))
    basic = db.scalar(select(Record).where(Record.teacher_id == teacher.id, Record.set_key == "basic"))
    records = dict(file.get("records") or {})
    for doc in (records.pop("basic", None) or [])[:1]:
        basic.document = {**doc, "person_status": "100", "entry_month": moves.ym(on)}
    basic.state = "approved"
    added = 0
    for set_key, docs in records.items():
        if set_key not in keep:
            continue
        for pos, doc in enumerate(docs):
            db.add(Record(teacher_id=teacher.id, set_key=set_key, position=pos, document=dict(doc),
                          catalogue_version=cat.version, state="approved"))
            added += 1
    teacher.state = "approved"
    db.flush()
    if cat.teacher_number is not None:
        assign_teacher_number(db, teacher, cat.teacher_number.format)
    history.open_appointment(db, teacher, unit.id, on, source="transfer_in")
    audit.record(db, "teacher.transfer_in", actor_name="tier", target_type="teacher", target_id=teacher.id,
                 unit_id=unit.id, detail={"from_province": dec.province, "request": dec.request_id,
                                          "records": added + 1, "teacher_number": teacher.teacher_number})
    events.emit(db, events.FILE_APPROVED, actor=None, teacher_id=teacher.id, unit=unit.code, kind="transfer_in",
                case_id=None)
    return teacher
