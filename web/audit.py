"""The audit log: append-only and hash-chained.

Each entry stores the hash of the previous entry and its own hash over every column
(SHA-256 of canonical JSON). ``audit_head`` holds the last (seq, hash). Entries are chained when
their transaction commits: the committing writer locks that row (SELECT … FOR UPDATE on
PostgreSQL; SQLite serialises writers) for the moment of the commit only, so the chain never
forks, ``seq`` has no gaps, and a slow request never holds up the others. ``verify`` walks the chain: an edited entry breaks its own hash, a deleted
entry breaks the link (and the seq run), a deleted tail no longer matches the head. Print the head
hash (``tmis audit verify``) to keep an anchor outside the database.

What is logged: account actions, record changes (before/after), review actions, exports, and
reads of another person's personal data. Passwords never; details are JSON-safe values only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from web.db.base import utcnow
from web.db.models import AuditEntry, AuditHead
from web.principal import Principal

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _digest(e: AuditEntry) -> str:
    at = e.at if e.at.tzinfo else e.at.replace(tzinfo=timezone.utc)
    body = {
        "seq": int(e.seq),
        "at": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "ip": e.ip,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "unit_id": e.unit_id,
        "detail": e.detail,
        "prev_hash": e.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def record(
    db: Session,
    action: str,
    *,
    actor: Principal | None = None,
    target_type: str | None = None,
    target_id: Any = None,
    unit_id: int | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change).

    The entry joins the chain when the transaction commits (``seq`` and ``hash`` are set then):
    the head row is locked only for the moment of the commit, never while a request is still
    working, so concurrent requests cannot queue behind one that is slow or stuck."""
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.account_id if actor else None,
        actor_name=actor.username if actor else actor_name,
        ip=ip if ip is not None else (actor.ip if actor else None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        unit_id=unit_id,
        detail=jsonable(detail or {}),
    )
    db.info.setdefault(_PENDING, []).append(entry)
    return entry


def record_many(db: Session, entries: list[dict[str, Any]], *, actor: Principal | None = None) -> int:
    """Append many entries at once (bulk actions: one entry per file). Same transaction rules as
    ``record``; chained in one go at commit."""
    now = utcnow()
    for e in entries:
        db.info.setdefault(_PENDING, []).append(AuditEntry(
            at=now, actor_id=actor.account_id if actor else None,
            actor_name=actor.username if actor else None, ip=actor.ip if actor else None,
            action=e["action"], target_type=e.get("target_type"),
            target_id=None if e.get("target_id") is None else str(e["target_id"]),
            unit_id=e.get("unit_id"), detail=jsonable(e.get("detail") or {})))
    return len(entries)


_PENDING = "tmis_audit_pending"
_COLUMNS = ("seq", "at", "actor_id", "actor_name", "ip", "action", "target_type", "target_id", "unit_id",
            "detail", "prev_hash", "hash")


def seal(db: Session) -> int:
    """Chain the transaction's pending entries after the head: lock the head row, number and hash
    the entries, insert them, move the head. Runs by itself just before every commit; call it
    directly to read this transaction's entries before committing."""
    pending: list[AuditEntry] = db.info.pop(_PENDING, [])
    if not pending:
        return 0
    # Lock the head before reading it. PostgreSQL: the UPDATE takes the row lock (as FOR UPDATE
    # would). SQLite ignores FOR UPDATE and a transaction that has only read so far holds no lock:
    # two writers could read the same head and number their entries alike; the UPDATE makes this
    # transaction the writer first (waiting for the other one), so the head it reads is the latest.
    db.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)
               .execution_options(synchronize_session=False))
    head = db.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update()
                     .execution_options(populate_existing=True))
    if head is None:  # a database created without the migration's genesis row
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        db.add(head)
        db.flush()
    seq, prev = head.seq, head.hash
    rows = []
    for entry in pending:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = _digest(entry)
        rows.append({c: getattr(entry, c) for c in _COLUMNS})
    db.execute(AuditEntry.__table__.insert(), rows)  # one executemany, no ORM bookkeeping
    head.seq, head.hash = seq, prev
    db.flush()
    return len(rows)


@event.listens_for(Session, "before_commit")
def _seal_before_commit(db: Session) -> None:
    seal(db)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(db: Session) -> None:
    db.info.pop(_PENDING, None)


@dataclass
class Verification:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, zh, en)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(db: Session) -> Verification:
    out = Verification()
    prev_hash, expected_seq = GENESIS, 1
    rows = db.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000))
    for (e,) in rows:
        if e.seq != expected_seq:
            out.problems.append((expected_seq, f"缺少第 {expected_seq}–{e.seq - 1} 条（已被删除）",
                                 f"entries {expected_seq}–{e.seq - 1} are missing (deleted)"))
        if e.prev_hash != prev_hash:
            out.problems.append((e.seq, "与前一条的链接断开", "the link to the previous entry is broken"))
        if _digest(e) != e.hash:
            out.problems.append((e.seq, "内容被修改（哈希不符）", "the entry was changed (hash mismatch)"))
        prev_hash, expected_seq = e.hash, e.seq + 1
        out.checked += 1
    head = db.scalar(select(AuditHead).where(AuditHead.id == 1))
    if head is not None:
        out.head_seq, out.head_hash = head.seq, head.hash
        if head.seq != expected_seq - 1 or head.hash != prev_hash:
            out.problems.append((head.seq, "日志末尾与链头不符（末尾条目被删除或链头被修改）",
                                 "the end of the log does not match the head (tail deleted or head changed)"))
    return out
