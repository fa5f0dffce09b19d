"""Self-study claims (自主研修, issue 17): a teacher files a claim with an evidence file from 我的学分;
the school reviews it (approve, or return with a reason: the teacher corrects and resubmits, nothing
saved is lost); the school's authority confirms it into the credit bank under the province's
rules for type ``self_study`` (caps per year and cycle; the rule version frozen on the claim).

The evidence file is kept in the database (never under a public URL): its type is judged by its
content (PDF, JPG or PNG magic bytes), its size bounded; it is handed out only through
``evidence`` to those who may read the teacher (the teacher, the school, authorities above), and
every staff download is audited."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from engine import credits as C
from modules.credits import claim_words as Wc
from modules.credits import ledger
from modules.credits.models import CLAIM_STATES, CreditClaim, CreditEntry
from modules.credits.projects import _date, _decimal
from modules.credits.results import rules_for
from web import audit, privacy, scope
from web.db.models import Teacher, Unit
from web.errors import Refusal
from web.permissions import AUTHORITIES
from web.principal import Principal

MAX_BYTES = 5 * 1024 * 1024
MAX_HOURS = Decimal("1000")
# the file's first bytes → (MIME type, the extension it is served with)
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
LEVEL, KIND = "school", "self_study"  # how a claim is converted (rules: types [self_study])


def sniff(content: bytes) -> tuple[str, str] | None:
    """(MIME type, extension) of a PDF, JPG or PNG judged by its content; None otherwise."""
    return next(((mime, ext) for magic, mime, ext in MAGIC if content.startswith(magic)), None)


def check_evidence(name: str, content: bytes | None) -> tuple[str, str]:
    """W651 none or empty, W653 too big, W652 not a PDF/JPG/PNG by content."""
    shown = (name or "")[:80]
    if not content:
        raise Refusal(Wc.W_EVIDENCE_MISSING)
    if len(content) > MAX_BYTES:
        raise Refusal(Wc.W_EVIDENCE_SIZE, name=shown, limit=MAX_BYTES // (1024 * 1024))
    kind = sniff(content)
    if kind is None:
        raise Refusal(Wc.W_EVIDENCE_TYPE, name=shown)
    return kind


def _bad(field: str, field_en: str, detail: str, detail_en: str) -> Refusal:
    return Refusal(Wc.W_CLAIM_FIELD, field=field, field_en=field_en, detail=detail, detail_en=detail_en)


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    title = str(data.get("title") or "").strip()
    if not 1 <= len(title) <= 100:
        raise _bad("研修名称", "title", "须为 1–100 个字符", "must be 1–100 characters")
    start, end = _date(data.get("start")), _date(data.get("end"))
    if start is None or end is None:
        raise _bad("起止日期", "start/end", "须为日期，例如 2024-03-01", "must be dates such as 2024-03-01")
    if end < start or (end - start).days > 366 or end > date.today():
        raise _bad("起止日期", "start/end", "结束日期须不早于开始日期、不晚于今天（一年以内）",
                   "the end must not precede the start nor be after today (within a year)")
    from modules.credits import plausible

    plausible.project_dates(start, end)  # not before 2000 (W708)
    hours = _decimal(data.get("hours"))
    if hours is None or not Decimal(0) < hours <= MAX_HOURS:
        raise _bad("学时", "hours", "须为大于 0、不超过 1000 的数字", "must be a number above 0 and at most 1000")
    plausible.hours_in_days(hours, start, end, "自主研修", "self-study")  # W714: 24 a day at most
    description = str(data.get("description") or "").strip()
    if len(description) > 2000:
        raise _bad("研修内容", "description", "不超过 2000 个字符", "at most 2000 characters")
    return {"title": title, "start_date": start, "end_date": end, "hours": hours.quantize(ledger.CENT),
            "description": description}


def _own_teacher(db: Session, me: Principal) -> Teacher:
    if me.kind != "teacher" or me.teacher_id is None:
        raise Refusal(Wc.W_CLAIM_WHO)
    return scope.get_teacher(db, me, me.teacher_id)


def _set_evidence(claim: CreditClaim, name: str, content: bytes) -> None:
    mime, ext = check_evidence(name, content)
    stem = "".join(ch for ch in (name or "").rsplit(".", 1)[0] if ch.isalnum() or ch in "-_ ")[:80].strip() or "evidence"
    claim.evidence_name, claim.evidence_type = f"{stem}.{ext}", mime
    claim.evidence_size, claim.evidence_sha256, claim.evidence = len(content), hashlib.sha256(content).hexdigest(), content


def submit(db: Session, me: Principal, data: dict[str, Any], filename: str, content: bytes | None) -> CreditClaim:
    """A teacher files a self-study claim with its evidence file (state submitted: the school's turn)."""
    teacher = _own_teacher(db, me)
    values = _fields(data)
    check_evidence(filename, content)
    from modules.credits import plausible

    db.execute(select(Teacher.id).where(Teacher.id == teacher.id).with_for_update())  # two at once: one after the other
    plausible.no_duplicate_claim(db, teacher.id, values["title"], values["start_date"], values["end_date"])  # W715
    claim = CreditClaim(teacher_id=teacher.id, unit_id=teacher.unit_id, state="submitted", reason="", **values)
    _set_evidence(claim, filename, content or b"")
    db.add(claim)
    db.flush()
    audit.record(db, "credits.claim.submit", actor=me, target_type="credit_claim", target_id=claim.id,
                 unit_id=teacher.unit_id, detail={"title": claim.title, "hours": str(claim.hours),
                                                   "evidence": {"type": claim.evidence_type, "size": claim.evidence_size}})
    return claim


def resubmit(db: Session, me: Principal, claim_id: int, data: dict[str, Any], filename: str,
             content: bytes | None) -> CreditClaim:
    """The teacher corrects a returned claim: the fields given replace the old ones, the evidence
    file is kept unless a new one is uploaded; the school reviews it again."""
    teacher = _own_teacher(db, me)
    claim = db.scalar(select(CreditClaim).where(CreditClaim.id == claim_id, CreditClaim.teacher_id == teacher.id)
                      .with_for_update())
    if claim is None:
        raise Refusal(Wc.W_CLAIM_NOT_FOUND)
    _state(claim, ("returned",), "重新提交", "be resubmitted")
    current = {"title": claim.title, "start": claim.start_date, "end": claim.end_date, "hours": claim.hours,
               "description": claim.description}
    values = _fields({**current, **{k: v for k, v in data.items() if v not in (None, "")}})
    from modules.credits import plausible

    plausible.no_duplicate_claim(db, teacher.id, values["title"], values["start_date"], values["end_date"], besides=claim.id)
    for key, value in values.items():
        setattr(claim, key, value)
    if content:
        _set_evidence(claim, filename, content)
    claim.state, claim.unit_id = "submitted", teacher.unit_id
    audit.record(db, "credits.claim.resubmit", actor=me, target_type="credit_claim", target_id=claim.id,
                 unit_id=teacher.unit_id, detail={"new_evidence": bool(content), "reason_was": claim.reason})
    return claim


def _state(claim: CreditClaim, allowed: tuple[str, ...], action: str, action_en: str) -> None:
    if claim.state not in allowed:
        zh, en = CLAIM_STATES[claim.state]
        raise Refusal(Wc.W_CLAIM_STATE, state=zh, state_en=en, action=action, action_en=action_en)


def _staff_claim(db: Session, me: Principal, claim_id: int) -> CreditClaim:
    """The claim, locked, when its school is within the caller's record.review reach (404 otherwise)."""
    claim = db.scalar(select(CreditClaim).where(CreditClaim.id == claim_id).with_for_update())
    if claim is None or me.kind == "teacher" or not scope.unit_in_scope(db, me, claim.unit_id, "record.review"):
        raise Refusal(Wc.W_CLAIM_NOT_FOUND)
    return claim


def may_review(me: Principal, claim: CreditClaim) -> bool:
    return me.kind != "teacher" and me.holds_at("record.review", claim.unit_id)


def may_confirm(db: Session, me: Principal, claim: CreditClaim) -> bool:
    unit = db.get(Unit, me.unit_id)
    return (me.kind != "teacher" and unit is not None and unit.level in AUTHORITIES and unit.id != claim.unit_id
            and scope.unit_in_scope(db, me, claim.unit_id, "record.review"))


def _authority_claim(db: Session, me: Principal, claim_id: int, action: str, action_en: str) -> CreditClaim:
    """The claim, locked, for its school's authority (confirm, send back, revoke); W658 naming
    ``action`` for anyone else who reaches it."""
    claim = _staff_claim(db, me, claim_id)
    if not may_confirm(db, me, claim):
        raise Refusal(Wc.W_CLAIM_REVIEWER, action=action, action_en=action_en,
                      who="学校的主管教育行政部门", who_en="the school's education authority")
    return claim


def _required_reason(reason: str | None) -> str:
    """A reviewer's reason as kept (trimmed, at most 500 characters); W656 when there is none."""
    reason = (reason or "").strip()[:500]
    if not reason:
        raise Refusal(Wc.W_CLAIM_REASON)
    return reason


def review(db: Session, me: Principal, claim_id: int, approve: bool, reason: str = "") -> CreditClaim:
    """The school approves the claim (the authority's turn) or returns it with a reason (W656 without)."""
    claim = _staff_claim(db, me, claim_id)
    if not may_review(me, claim):
        raise Refusal(Wc.W_CLAIM_REVIEWER, action="审核自主研修申报", action_en="Reviewing a self-study claim",
                      who="教师所在学校的审核人员", who_en="the reviewers of the teacher's school")
    _state(claim, ("submitted",), "审核", "be reviewed")
    reason = "" if approve else _required_reason(reason)
    claim.state, claim.reason = ("approved", "") if approve else ("returned", reason)
    claim.reviewed_by, claim.reviewed_at = me.account_id, datetime.now(timezone.utc)
    audit.record(db, "credits.claim.approve" if approve else "credits.claim.return", actor=me,
                 target_type="credit_claim", target_id=claim.id, unit_id=claim.unit_id,
                 detail={"reason": reason} if not approve else None)
    return claim


def _used(db: Session, teacher_id: int, category: str, on: date, cycle: tuple[date, date]) -> tuple[Decimal, Decimal]:
    """The teacher's credits in ``category`` in ``on``'s year and in the cycle (after the teacher row is locked)."""
    def total(start: date, end: date) -> Decimal:
        return Decimal(str(db.scalar(select(func.coalesce(func.sum(CreditEntry.credits), 0)).where(
            CreditEntry.teacher_id == teacher_id, CreditEntry.category == category,
            CreditEntry.effective >= start, CreditEntry.effective <= end)) or 0))
    return total(date(on.year, 1, 1), date(on.year, 12, 31)), total(*cycle)


def confirm(db: Session, me: Principal, claim_id: int, *, root: Path, cat: Any = None) -> CreditClaim:
    """The school's authority confirms an approved claim: credits under the province's rules for
    self-study on the claim's end day (per-claim maximum, yearly and cycle caps against the
    teacher's ledger), frozen on the claim and posted to the ledger as ``claim:<id>``; with a
    catalogue, the claim also becomes a 国内培训 record marked 来自学分银行 (modules/credits/records.py)."""
    claim = _authority_claim(db, me, claim_id, "确认自主研修学分", "Confirming self-study credits")
    _state(claim, ("approved",), "确认", "be confirmed")
    from modules.credits import caps

    caps.lock_teachers(db, [claim.teacher_id])
    prov = scope.province_of(db, claim.unit_id)
    rules = rules_for(root, prov.code if prov else None)
    on = claim.end_date
    try:
        conv = C.convert(rules, level=LEVEL, kind=KIND, hours=claim.hours, on=on)
    except C.NoRule as exc:
        from modules.credits import words as Wd

        raise Refusal(Wd.W_NO_RULE, detail=str(exc)) from exc
    version = rules.version_on(on)
    year_cap, cycle_cap = version.caps.yearly.get(conv.category), version.caps.cycle.get(conv.category)
    credits = conv.credits
    if year_cap is not None or cycle_cap is not None:
        used_year, used_cycle = _used(db, claim.teacher_id, conv.category, on, rules.cycle.window(on))
        if year_cap is not None:
            credits = max(Decimal(0), min(credits, year_cap - used_year))
        if cycle_cap is not None:
            credits = max(Decimal(0), min(credits, cycle_cap - used_cycle))
    entry = ledger.post(db, claim.teacher_id, kind="earned", credits=credits, hours=claim.hours, category=conv.category,
                        effective=on, rule_version=conv.version, confirmed_by=me.account_id,
                        note=f"自主研修：{claim.title}"[:100], source=f"claim:{claim.id}")
    claim.state, claim.credits, claim.rule_version = "confirmed", entry.credits, conv.version
    claim.confirmed_by, claim.confirmed_at = me.account_id, datetime.now(timezone.utc)
    audit.record(db, "credits.claim.confirm", actor=me, target_type="credit_claim", target_id=claim.id,
                 unit_id=claim.unit_id, detail={"credits": str(entry.credits), "before_caps": str(conv.credits),
                                                "rule_version": conv.version, "rule": conv.rule})
    if cat is not None:
        from modules.credits import records

        records.from_claim(db, cat, me, claim)
    return claim


def send_back(db: Session, me: Principal, claim_id: int, reason: str) -> CreditClaim:
    """The school's authority returns an approved claim to the teacher instead of confirming it
    (W656 without a reason): the teacher reads the reason on 我的学分, corrects and resubmits, and
    the claim goes through the school again. Nothing entered the ledger yet, so nothing is undone."""
    claim = _authority_claim(db, me, claim_id, "退回自主研修申报", "Returning an approved self-study claim")
    _state(claim, ("approved",), "退回", "be returned")
    reason = _required_reason(reason)
    claim.state, claim.reason = "returned", reason
    audit.record(db, "credits.claim.return", actor=me, target_type="credit_claim", target_id=claim.id,
                 unit_id=claim.unit_id, detail={"reason": reason, "by": "authority"})
    return claim


def revoke(db: Session, me: Principal, claim_id: int, reason: str, *, cat: Any = None) -> CreditClaim:
    """The confirming authority revokes a confirmed claim's credits: a revoking ledger entry (the
    earned one stays: append-only) and the claim's 国内培训 record removed."""
    claim = _authority_claim(db, me, claim_id, "撤销自主研修学分", "Revoking self-study credits")
    _state(claim, ("confirmed",), "撤销", "be revoked")
    reason = _required_reason(reason)
    entry = db.scalar(select(CreditEntry).where(CreditEntry.source == f"claim:{claim.id}"))
    if entry is not None:
        ledger.revoke(db, entry, by=me.account_id, note=f"撤销：{reason}"[:100])
    if cat is not None:
        from modules.credits import records

        records.remove(db, cat, me, claim.teacher_id, claim.record_id, via="credits.claim.revoke", case_id=claim.id)
    claim.state, claim.reason, claim.record_id = "revoked", reason, None
    audit.record(db, "credits.claim.revoke", actor=me, target_type="credit_claim", target_id=claim.id,
                 unit_id=claim.unit_id, detail={"reason": reason, "credits": str(claim.credits)})
    return claim


# ------------------------------------------------------------------ reads

def claim_json(c: CreditClaim, teacher: tuple[str, str] | None = None) -> dict[str, Any]:
    zh, en = CLAIM_STATES[c.state]
    out = {"id": c.id, "teacher_id": c.teacher_id, "title": c.title, "start": c.start_date.isoformat(),
           "end": c.end_date.isoformat(), "hours": str(c.hours), "description": c.description, "state": c.state,
           "state_label": zh, "state_label_en": en, "reason": c.reason, "submitted_at": c.submitted_at.isoformat(),
           "credits": None if c.credits is None else str(c.credits), "rule_version": c.rule_version,
           "record_id": c.record_id,
           "evidence": {"name": c.evidence_name, "type": c.evidence_type, "size": c.evidence_size,
                        "href": f"/api/v1/credit-claims/{c.id}/evidence"}}
    if teacher is not None:
        out["teacher"], out["school"] = teacher
    return out


def mine(db: Session, me: Principal) -> list[dict[str, Any]]:
    teacher = _own_teacher(db, me)
    return [claim_json(c) for c in db.scalars(select(CreditClaim).where(CreditClaim.teacher_id == teacher.id)
                                               .order_by(CreditClaim.id.desc()))]


def waiting_filter(db: Session, me: Principal) -> Any:
    """The claims waiting for ``me``: at a school those submitted (its review), at an authority
    those approved by schools in its scope (its confirmation)."""
    unit = db.get(Unit, me.unit_id)
    if me.kind == "teacher" or unit is None or not me.has("record.review"):
        return None
    if unit.level == "school":
        return (CreditClaim.state == "submitted") & (CreditClaim.unit_id == unit.id) if me.holds_at(
            "record.review", unit.id) else None
    if unit.level in AUTHORITIES:
        return (CreditClaim.state == "approved") & scope.unit_filter(me, "record.review", CreditClaim.unit_id) & \
            (CreditClaim.unit_id != unit.id)
    return None


def todo_count(db: Session, me: Principal) -> int:
    where = waiting_filter(db, me)
    return 0 if where is None else int(db.scalar(select(func.count()).select_from(CreditClaim).where(where)) or 0)


def staff_list(db: Session, me: Principal, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Claims of the schools in the caller's record.review scope (``state``: one state; "waiting":
    those waiting for the caller), newest first, with the teacher's name and school."""
    if me.kind == "teacher":
        raise Refusal(Wc.W_CLAIM_NOT_FOUND)
    scope.require(me, "record.review")
    stmt = (select(CreditClaim, Teacher.name, Unit.name).join(Teacher, Teacher.id == CreditClaim.teacher_id)
            .join(Unit, Unit.id == CreditClaim.unit_id)
            .where(scope.unit_filter(me, "record.review", CreditClaim.unit_id)))
    if state == "waiting":
        where = waiting_filter(db, me)
        if where is None:
            return []
        stmt = stmt.where(where)
    elif state in CLAIM_STATES:
        stmt = stmt.where(CreditClaim.state == state)
    rows = db.execute(stmt.order_by(CreditClaim.id.desc()).limit(max(1, min(limit, 500)))).all()
    return [claim_json(c, (name, school)) | {"may_review": may_review(me, c) and c.state == "submitted",
                                             "may_confirm": c.state == "approved" and may_confirm(db, me, c)}
            for c, name, school in rows]


def evidence(db: Session, me: Principal, claim_id: int) -> CreditClaim:
    """The claim with its evidence file, for the teacher or a reader of the teacher (teacher.read
    reaching the teacher: the school and authorities above) who sees personal data unmasked
    (personal.read, web/privacy.py: a scanned certificate shows the ID number and cannot be
    masked; W663 otherwise); another school gets 'not found'.
    Every download by someone other than the teacher is audited."""
    claim = db.scalar(select(CreditClaim).options(undefer(CreditClaim.evidence)).where(CreditClaim.id == claim_id))
    if claim is None:
        raise Refusal(Wc.W_CLAIM_NOT_FOUND)
    try:
        teacher = scope.get_teacher(db, me, claim.teacher_id)
    except Refusal:
        raise Refusal(Wc.W_CLAIM_NOT_FOUND) from None
    if me.teacher_id != teacher.id and not privacy.policy(db, me, teacher).shown:
        # a file cannot be masked: only readers who see the teacher's personal data unmasked (W663)
        raise Refusal(Wc.W_EVIDENCE_PERSONAL)
    if me.teacher_id != teacher.id:
        audit.record(db, "credits.claim.evidence", actor=me, target_type="credit_claim", target_id=claim.id,
                     unit_id=teacher.unit_id, detail={"sha256": claim.evidence_sha256, "size": claim.evidence_size})
    return claim
