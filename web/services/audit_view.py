"""The audit viewer (issue 14, finding 10): entries of the units within the reader's scope
(``audit.read``, a grant's unit and below), filtered by actor, action, unit, teacher and date,
newest first, a page at a time. Every look is itself audited.

No personal values are shown: what a change did is shown as the names of the fields it touched
(``before``/``after``/``changes`` documents become their keys), and anything shaped like an ID
number (teacher usernames, an older entry's detail) is masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine import idnumber
from web import audit, scope
from web.db.models import AuditEntry, Unit
from web.errors import W_AUDIT_QUERY, W_UNIT_NOT_FOUND, Refusal
from web.principal import Principal
from web.services import units as unit_service

PERMISSION = "audit.read"
VALUE_KEYS = {"before", "after", "changes", "values", "document", "record", "old", "new"}
ID_LIKE = scope.ID_LIKE


@dataclass
class AuditQuery:
    actor: str | None = None
    action: str | None = None   # exact, or a prefix ending with '.' (auth. = every sign-in entry)
    unit: str | None = None     # a unit code: its entries and those of the units below
    teacher: int | None = None
    since: date | None = None
    until: date | None = None
    limit: int = 50
    offset: int = 0

    @classmethod
    def parse(cls, *, actor: str | None = None, action: str | None = None, unit: str | None = None,
              teacher: str | int | None = None, since: str | None = None, until: str | None = None,
              limit: int = 50, offset: int = 0, limit_max: int = 200) -> "AuditQuery":
        """From query parameters; a catalogue refusal (W212) names the one that is wrong."""
        def text(value: str | None, name: str, size: int) -> str | None:
            value = (value or "").strip()
            if len(value) > size or "\x00" in value:
                raise Refusal(W_AUDIT_QUERY, field=name, detail=f"至多 {size} 个字符 / at most {size} characters")
            return value or None

        def day(value: str | None, name: str) -> date | None:
            value = (value or "").strip()
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise Refusal(W_AUDIT_QUERY, field=name, detail="日期格式为 2024-03-31 / a date like 2024-03-31") from None

        tid: int | None = None
        if teacher not in (None, ""):
            try:
                tid = int(str(teacher).strip())
            except ValueError:
                raise Refusal(W_AUDIT_QUERY, field="teacher", detail="教师编号是数字 / a teacher id is a number") from None
            if not 0 < tid < 2**31:
                raise Refusal(W_AUDIT_QUERY, field="teacher", detail="超出范围 / out of range")
        if not 0 <= offset < 2**31:
            raise Refusal(W_AUDIT_QUERY, field="offset", detail="超出范围 / out of range")
        out = cls(actor=text(actor, "actor", 64), action=text(action, "action", 48), unit=text(unit, "unit", 20),
                  teacher=tid, since=day(since, "since"), until=day(until, "until"),
                  limit=max(1, min(limit, limit_max)), offset=offset)
        if out.since and out.until and out.since > out.until:
            raise Refusal(W_AUDIT_QUERY, field="since", detail="起始日期晚于截止日期 / since is after until")
        return out

    def filters(self) -> dict[str, Any]:
        """The filters as the audit entry of this look records them (an actor that is an ID
        number masked)."""
        out = {k: v for k, v in (("actor", mask(self.actor)), ("action", self.action), ("unit", self.unit),
                                 ("teacher", self.teacher), ("since", self.since), ("until", self.until)) if v}
        return audit.jsonable(out)


def mask(value: Any) -> Any:
    if isinstance(value, str):
        return ID_LIKE.sub(lambda m: scope.mask_id_number(m.group(0)) or "", value)
    return value


def safe_detail(value: Any, key: str = "") -> Any:
    """The detail without personal values: value documents become their field names."""
    if key in VALUE_KEYS:
        if isinstance(value, dict):
            return sorted(str(k) for k in value)
        if isinstance(value, list):
            return sorted({str(k) for item in value if isinstance(item, dict) for k in item})
        return "…"
    if isinstance(value, dict):
        return {str(k): safe_detail(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_detail(v) for v in value]
    return mask(value)


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=timezone.utc)


def listing(db: Session, principal: Principal, q: AuditQuery) -> tuple[int, list[dict[str, Any]]]:
    scope.require(principal, PERMISSION)
    stmt = select(AuditEntry).where(scope.unit_filter(principal, PERMISSION, AuditEntry.unit_id))
    if q.unit:
        unit = unit_service.by_code(db, q.unit)
        if unit is None or not scope.unit_in_scope(db, principal, unit.id, PERMISSION):
            raise Refusal(W_UNIT_NOT_FOUND)
        stmt = stmt.where(AuditEntry.unit_id.in_(scope.subtree([unit.id])))
    if q.actor:
        # a teacher's username (the ID number) is stored masked, as every ID number in the log
        stmt = stmt.where(AuditEntry.actor_name.in_({q.actor, scope.mask_id_numbers(idnumber.login_name(q.actor))}))
    if q.action:
        stmt = stmt.where(AuditEntry.action.startswith(q.action, autoescape=True) if q.action.endswith(".")
                          else AuditEntry.action == q.action)
    if q.teacher:
        stmt = stmt.where(or_(
            and_(AuditEntry.target_type == "teacher", AuditEntry.target_id == str(q.teacher)),
            and_(AuditEntry.target_type == "record", AuditEntry.detail["teacher"].as_integer() == q.teacher)))
    if q.since:
        stmt = stmt.where(AuditEntry.at >= _day_start(q.since))
    if q.until:
        stmt = stmt.where(AuditEntry.at < _day_start(q.until + timedelta(days=1)))
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(db.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(q.limit).offset(q.offset)))
    units = {u.id: u for u in db.scalars(select(Unit).where(Unit.id.in_({e.unit_id for e in rows if e.unit_id})))}
    audit.record(db, "audit.read", actor=principal, unit_id=principal.unit_id,
                 detail={"filters": q.filters(), "total": total, "shown": len(rows)})
    return total, [entry_dict(e, units.get(e.unit_id)) for e in rows]


def entry_dict(e: AuditEntry, unit: Unit | None) -> dict[str, Any]:
    return {"seq": e.seq, "at": audit.jsonable(e.at), "actor": mask(e.actor_name), "actor_id": e.actor_id,
            "ip": e.ip, "action": e.action, "target_type": e.target_type, "target_id": mask(e.target_id),
            "unit_code": unit.code if unit else None, "unit_name": unit.name if unit else None,
            "detail": safe_detail(e.detail or {})}
