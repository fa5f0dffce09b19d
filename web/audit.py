"""The audit log: append-only and hash-chained under a secret key.

Each entry stores the hash of the previous entry and its own hash over every column: HMAC-SHA256
with the deployment's audit key (TMIS_AUDIT_KEY, never in the database), so an entry cannot be
changed and its chain recomputed without the key. Entries written before the key came (migration
hb01) keep their unkeyed SHA-256 digest (``scheme`` says which) and verify as they are; the
first keyed entry covers the last unkeyed hash, so the old part is protected by the new.
``audit_head`` holds the last (seq, hash) and its HMAC (``mac``), so the head cannot be moved back
over deleted entries without the key either. Entries are chained when their transaction
commits: the committing writer locks that row for the moment of the commit only, so the chain
never forks, ``seq`` has no gaps, and a slow request never holds up the others.

``verify`` walks the chain: an edited entry breaks its own hash, a deleted entry breaks the link
(and the seq run), a deleted tail no longer matches the head. ``anchor`` writes the head (seq,
hash, time, signed with the key) for a cron job to ship off the machine; ``verify(anchor=…)``
then also finds a log cut back or rewritten behind the anchor, even by someone holding the key.

What is logged: account actions, record changes (field names, not personal values), review
actions, exports, and reads of another person's personal data. Passwords never; details are
JSON-safe values only, and every ID number an entry would hold (a teacher's username, a typed
search) is stored masked (``_private``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from web.db.base import utcnow
from web.db.models import AuditEntry, AuditHead
from web.principal import Principal

GENESIS = "0" * 64
LEGACY = "sha256"  # entries sealed before migration hb01: a plain digest, no key
# The key used when TMIS_AUDIT_KEY is unset outside production: public, so it protects nothing;
# `tmis audit verify` says so. Production refuses to start without a key (web/settings.py).
DEVELOPMENT_KEY = "tmis development audit key: public, protects nothing"


class AuditKeyMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Sealer:
    """HMAC-SHA256 under the audit key; ``key_id`` names the key without revealing it."""

    key: bytes = field(repr=False)
    development: bool = False

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"tmis-audit-key-id:" + self.key).hexdigest()[:12]

    @property
    def scheme(self) -> str:
        return f"hmac-sha256:{self.key_id}"

    def mac(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def head_mac(self, seq: int, hash_: str) -> str:
        return self.mac(f"head:{int(seq)}:{hash_}")


def sealer_for(settings: Any) -> Sealer:
    """The deployment's sealer; the public development key outside production when unset."""
    if settings.audit_key:
        return Sealer(settings.audit_key.encode())
    if getattr(settings, "production", False):
        raise AuditKeyMissing("TMIS_AUDIT_KEY is not set: production keys the audit log "
                              "(生产环境须设置 TMIS_AUDIT_KEY)")
    return Sealer(DEVELOPMENT_KEY.encode(), development=True)


# Which sealer an engine's sessions use: registered by AppContext.build; any other engine (a
# command that made its own) gets the one of the environment's settings.
_SEALERS: "weakref.WeakKeyDictionary[Any, Sealer]" = weakref.WeakKeyDictionary()


def use_sealer(engine: Any, sealer: Sealer) -> None:
    _SEALERS[engine] = sealer


def _sealers() -> "weakref.WeakKeyDictionary[Any, Sealer]":
    return _SEALERS


def _sealer_of(db: Session) -> Sealer:
    engine = db.get_bind()
    engine = getattr(engine, "engine", engine)  # a Connection: its Engine
    found = _sealers().get(engine)
    if found is None:
        from web.settings import Settings

        found = sealer_for(Settings.from_env())
        _sealers()[engine] = found
    return found


def keyed(db: Session, text: str) -> str:
    """HMAC-SHA256 of ``text`` under the deployment's audit key: a value kept only to be compared
    later (an ID number an institution tried, modules/credits/probing.py), never read back; without
    the key (kept outside the database) trying every possible value does not find it."""
    return _sealer_of(db).mac("keyed:" + text)


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


def _digest(e: AuditEntry, sealer: Sealer | None = None) -> str:
    """The entry's hash: the plain SHA-256 of its canonical JSON (``scheme`` 'sha256', entries
    before hb01), or the HMAC of the same text with the scheme in it (keyed entries)."""
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
    if sealer is None:
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()
    body["scheme"] = sealer.scheme
    return sealer.mac(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


def _private(value: Any) -> Any:
    """What an entry may store: JSON-safe, and every ID number in it masked (issue 14, finding 9:
    a teacher's username, a typed search, an old detail — the log never holds a whole number)."""
    from web.scope import mask_id_numbers

    value = jsonable(value)
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, dict):
        return {mask_id_numbers(k): _private(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_private(v) for v in value]
    return value


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
        actor_name=_private(actor.username if actor else actor_name),
        ip=ip if ip is not None else (actor.ip if actor else None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else _private(str(target_id)),
        unit_id=unit_id,
        detail=_private(detail or {}),
    )
    db.info.setdefault(_PENDING, []).append(entry)
    return entry


@dataclass(slots=True)
class PendingEntry:
    """An entry of ``record_many`` waiting for the commit: the columns of AuditEntry without the
    ORM's bookkeeping (ten thousand of them cost what a few ORM objects do); ``seal`` numbers,
    hashes and inserts it like a recorded AuditEntry."""

    at: datetime
    actor_id: int | None
    actor_name: str | None
    ip: str | None
    action: str
    target_type: str | None
    target_id: str | None
    unit_id: int | None
    detail: dict[str, Any]
    seq: int | None = None
    prev_hash: str | None = None
    hash: str | None = None
    scheme: str | None = None


def _private_fast(value: Any) -> Any:
    """``_private`` in one pass (JSON-safe and masked) for bulk entries: a text shorter than an
    old 15-digit number cannot hold an ID number, so only longer texts meet the pattern."""
    if isinstance(value, str):
        return mask_id_numbers_of(value) if len(value) >= 15 else value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return {(mask_id_numbers_of(k) if len(k) >= 15 else k) if isinstance(k, str) else _private_fast(str(k)):
                _private_fast(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_private_fast(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return _private_fast(str(value))


def mask_id_numbers_of(text: str) -> str:
    from web.scope import mask_id_numbers

    return mask_id_numbers(text)


def record_many(db: Session, entries: list[dict[str, Any]], *, actor: Principal | None = None) -> int:
    """Append many entries at once (bulk actions: one entry per file). Same transaction rules as
    ``record``; chained in one go at commit."""
    now = utcnow()
    actor_id = actor.account_id if actor else None
    actor_name = _private(actor.username) if actor else None
    ip = actor.ip if actor else None
    pending = db.info.setdefault(_PENDING, [])
    for e in entries:
        pending.append(PendingEntry(
            at=now, actor_id=actor_id, actor_name=actor_name, ip=ip, action=e["action"],
            target_type=e.get("target_type"),
            target_id=None if e.get("target_id") is None else _private_fast(str(e["target_id"])),
            unit_id=e.get("unit_id"), detail=_private_fast(e.get("detail") or {})))
    return len(entries)


_PENDING = "tmis_audit_pending"
_COLUMNS = ("seq", "at", "actor_id", "actor_name", "ip", "action", "target_type", "target_id", "unit_id",
            "detail", "prev_hash", "hash", "scheme")


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
    sealer = _sealer_of(db)
    seq, prev = head.seq, head.hash
    rows = []
    for entry in pending:
        seq += 1
        entry.seq, entry.prev_hash, entry.scheme = seq, prev, sealer.scheme
        entry.hash = prev = _digest(entry, sealer)
        rows.append({c: getattr(entry, c) for c in _COLUMNS})
    _insert(db, rows)
    head.seq, head.hash, head.mac = seq, prev, sealer.head_mac(seq, prev)
    db.flush()
    return len(rows)


COPY_FROM = 100  # entries: from this many on, PostgreSQL takes them by COPY


def _insert(db: Session, rows: list[dict[str, Any]]) -> None:
    """The sealed entries into audit_log in the transaction: one executemany (no ORM bookkeeping),
    or on PostgreSQL for a bulk action's thousands a COPY on the session's own connection."""
    if len(rows) < COPY_FROM or db.get_bind().dialect.name != "postgresql":
        db.execute(AuditEntry.__table__.insert(), rows)
        return
    raw = db.connection().connection.driver_connection
    table = AuditEntry.__table__.name
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for r in rows:
            at = r["at"] if r["at"].tzinfo else r["at"].replace(tzinfo=timezone.utc)  # as UTCDateTime binds
            copy.write_row([json.dumps(r[c], ensure_ascii=False) if c == "detail" else at if c == "at" else r[c]
                            for c in _COLUMNS])


@event.listens_for(Session, "before_commit")
def _seal_before_commit(db: Session) -> None:
    seal(db)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(db: Session) -> None:
    db.info.pop(_PENDING, None)


@dataclass
class Verification:
    checked: int = 0
    keyed: int = 0      # entries sealed with the key
    unkeyed: int = 0    # entries from before the key (scheme 'sha256')
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, zh, en)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (zh, en): not tampering

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(db: Session, sealer: Sealer | None = None, anchor: dict[str, Any] | None = None) -> Verification:
    """Walk the whole chain; with ``anchor`` (from ``anchor``, kept off the machine) also check
    that the log still reaches the anchored entry unchanged."""
    sealer = sealer or _sealer_of(db)
    out = Verification()
    prev_hash, expected_seq, keyed_seen = GENESIS, 1, False
    rows = db.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000))
    for (e,) in rows:
        if e.seq != expected_seq:
            out.problems.append((expected_seq, f"缺少第 {expected_seq}–{e.seq - 1} 条（已被删除）",
                                 f"entries {expected_seq}–{e.seq - 1} are missing (deleted)"))
        if e.prev_hash != prev_hash:
            out.problems.append((e.seq, "与前一条的链接断开", "the link to the previous entry is broken"))
        if e.scheme == LEGACY:
            out.unkeyed += 1
            if keyed_seen:
                out.problems.append((e.seq, "在带密钥的条目之后出现无密钥条目（被降级重算）",
                                     "an unkeyed entry after keyed ones (rewritten without the key)"))
            expected = _digest(e)
        elif e.scheme == sealer.scheme:
            out.keyed += 1
            keyed_seen = True
            expected = _digest(e, sealer)
        else:
            out.problems.append((e.seq, f"用另一个密钥封存（{e.scheme}），请用当时的 TMIS_AUDIT_KEY 校验",
                                 f"sealed with another key ({e.scheme}): verify with that TMIS_AUDIT_KEY"))
            expected = e.hash
        if expected != e.hash:
            out.problems.append((e.seq, "内容被修改（哈希不符）", "the entry was changed (hash mismatch)"))
        prev_hash, expected_seq = e.hash, e.seq + 1
        out.checked += 1
    head = db.scalar(select(AuditHead).where(AuditHead.id == 1))
    if head is not None:
        out.head_seq, out.head_hash = head.seq, head.hash
        if head.seq != expected_seq - 1 or head.hash != prev_hash:
            out.problems.append((head.seq, "日志末尾与链头不符（末尾条目被删除或链头被修改）",
                                 "the end of the log does not match the head (tail deleted or head changed)"))
        if head.mac is not None and head.mac != sealer.head_mac(head.seq, head.hash):
            out.problems.append((head.seq, "链头的密钥签名不符（链头被移动或改动）",
                                 "the head's keyed signature does not match (the head was moved or changed)"))
        elif head.mac is None and keyed_seen:
            out.problems.append((head.seq, "链头没有密钥签名（被改动）", "the head carries no keyed signature (changed)"))
    if anchor is not None:
        _check_anchor(db, sealer, anchor, out)
    if sealer.development:
        out.warnings.append(("未设置 TMIS_AUDIT_KEY：使用公开的开发密钥，不能防篡改（生产环境必须设置）",
                             "TMIS_AUDIT_KEY is not set: the public development key protects nothing (production must set it)"))
    if out.checked and not keyed_seen:
        out.warnings.append(("还没有带密钥的条目（升级后尚无新条目，或整条日志被无密钥重算）：请用锚点文件核对",
                             "no keyed entry yet (none since the upgrade, or the whole log was recomputed without the key): check against an anchor"))
    return out


# ------------------------------------------------------------------ anchors


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def anchor(db: Session, sealer: Sealer | None = None) -> dict[str, Any]:
    """The head as a signed record to keep outside the database (``tmis audit anchor``)."""
    sealer = sealer or _sealer_of(db)
    head = db.scalar(select(AuditHead).where(AuditHead.id == 1))
    seq, hash_ = (head.seq, head.hash) if head is not None else (0, GENESIS)
    last = db.get(AuditEntry, seq) if seq else None
    body: dict[str, Any] = {
        "anchor": "tmis-audit", "seq": int(seq), "hash": hash_,
        "entry_at": jsonable(last.at) if last is not None else None,
        "written_at": jsonable(utcnow()), "key_id": sealer.key_id,
    }
    body["mac"] = sealer.mac("anchor:" + _canonical(body))
    return body


def read_anchor(text: str) -> dict[str, Any]:
    """Parse an anchor file; ValueError (with what is wrong) for anything else."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(body, dict) or body.get("anchor") != "tmis-audit":
        raise ValueError("not a tmis audit anchor")
    for key, kind in (("seq", int), ("hash", str), ("mac", str), ("key_id", str)):
        if not isinstance(body.get(key), kind):
            raise ValueError(f"'{key}' is missing or not a {kind.__name__}")
    return body


def _check_anchor(db: Session, sealer: Sealer, body: dict[str, Any], out: Verification) -> None:
    unsigned = {k: v for k, v in body.items() if k != "mac"}
    if body.get("key_id") != sealer.key_id or not hmac.compare_digest(
            str(body.get("mac")), sealer.mac("anchor:" + _canonical(unsigned))):
        out.problems.append((int(body.get("seq", 0)), "锚点文件的签名与本密钥不符（伪造，或来自另一个密钥）",
                             "the anchor's signature does not match this key (forged, or another key)"))
        return
    seq, when = int(body["seq"]), body.get("written_at") or "?"
    if out.head_seq < seq:
        out.problems.append((seq, f"日志只到第 {out.head_seq} 条，而 {when} 的锚点记录到第 {seq} 条：末尾被删除",
                             f"the log ends at #{out.head_seq} but the anchor of {when} names #{seq}: the tail was deleted"))
        return
    if seq == 0:
        return
    entry = db.get(AuditEntry, seq)
    if entry is None or entry.hash != body["hash"]:
        out.problems.append((seq, f"第 {seq} 条与 {when} 的锚点不符：该条或此前的日志被改写",
                             f"entry #{seq} differs from the anchor of {when}: it or the log before it was rewritten"))
