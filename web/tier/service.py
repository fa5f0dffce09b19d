"""What the national pages and API read and do: replication lag, statistics by province, the
duplicates queue with its people (masked unless the reader holds personal.read), and the two
writes of the national tier (a decision on a duplicate group; finding duplicates and issuing
identifiers). One function per write; every read of people and every write is audited."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from web import audit, permissions, scope
from web.db.models import Unit
from web.errors import Refusal
from web.principal import Principal
from web.tier import dedup
from web.tier.models import TierDuplicate, TierFile, TierIdentifier, TierMovement, TierUnit

READ, REVIEW, LAG = "national.read", "national.review", "national.lag"


def require(db: Session, me: Principal, action: str, settings: Any) -> Unit:
    """The national tier only, a ministry account holding the action: its unit."""
    from web.tier.errors import W_NATIONAL_ONLY

    if getattr(settings, "tier", "province") != "national":
        raise Refusal(W_NATIONAL_ONLY)
    unit = db.get(Unit, me.unit_id)
    permissions.require(me, action, unit)
    return unit  # type: ignore[return-value]


def _province_names(db: Session) -> dict[str, str]:
    return {p: n for p, n in db.execute(select(TierUnit.province, TierUnit.name).where(TierUnit.level == "province"))}


# ------------------------------------------------------------------ lag

def _publisher_lag(conninfo: str, slot: str) -> tuple[int | None, str | None]:
    """Bytes of WAL the province has written that its slot has not confirmed (None: unreachable)."""
    import psycopg

    try:
        with psycopg.connect(conninfo, connect_timeout=2, autocommit=True) as conn:
            row = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, active "
                               "FROM pg_replication_slots WHERE slot_name = %s", (slot,)).fetchone()
            return (int(row[0]) if row and row[0] is not None else None), None
    except Exception as exc:  # the province is offline: the page says so
        return None, str(exc).splitlines()[0][:200]


def lag(db: Session, *, ask_provinces: bool = True) -> list[dict[str, Any]]:
    """One row per subscribed province: streaming or not, last message, bytes behind, rows held."""
    if db.get_bind().dialect.name != "postgresql":
        return []
    names = _province_names(db)
    counts = dict(db.execute(select(TierFile.province, func.count()).group_by(TierFile.province)).all())
    last = dict(db.execute(select(TierFile.province, func.max(TierFile.updated_at)).group_by(TierFile.province)).all())
    # subconninfo (it may hold a password) is readable by superusers only: the app's own role
    # (tmis tier grant-app-role) sees the state and the last sync, not the bytes behind
    conninfo_col = "s.subconninfo" if db.scalar(text(
        "SELECT has_column_privilege('pg_subscription', 'subconninfo', 'SELECT')")) else "NULL"
    rows = db.execute(text(f"""
        SELECT s.subname, s.subenabled, {conninfo_col}, s.subslotname, st.pid, st.received_lsn::text,
               st.last_msg_receipt_time, st.latest_end_time
        FROM pg_subscription s LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
        WHERE s.subname LIKE 'tmis_from_%' ORDER BY s.subname""")).all()
    now = datetime.now(timezone.utc)
    out = []
    for name, enabled, conninfo, slot, pid, lsn, receipt, end_time in rows:
        province = name.removeprefix("tmis_from_")
        behind, problem = (_publisher_lag(conninfo, slot) if ask_provinces and slot and conninfo else (None, None))
        seen = receipt or end_time
        out.append({"province": province, "name": names.get(province, province), "subscription": name,
                    "enabled": bool(enabled), "streaming": pid is not None, "received_lsn": lsn,
                    "last_sync": seen.isoformat() if seen else None,
                    "seconds_since_sync": round((now - seen).total_seconds(), 1) if seen else None,
                    "bytes_behind": behind, "unreachable": problem, "files": counts.get(province, 0),
                    "last_file_change": last[province].isoformat() if last.get(province) else None})
    return out


# ------------------------------------------------------------------ statistics

def statistics(db: Session) -> list[dict[str, Any]]:
    """Counts by province from the replicated tables (the statistics module's tables are province
    tables; nationally the replicated files are counted directly)."""
    names = _province_names(db)
    files = dict(db.execute(select(TierFile.province, func.count()).group_by(TierFile.province)).all())
    on_roll = dict(db.execute(select(TierFile.province, func.count()).where(TierFile.left_on.is_(None))
                              .group_by(TierFile.province)).all())
    women = dict(db.execute(select(TierFile.province, func.count()).where(TierFile.gender == "2")
                            .group_by(TierFile.province)).all())
    formal = dict(db.execute(select(TierIdentifier.province, func.count()).group_by(TierIdentifier.province)).all())
    schools = dict(db.execute(select(TierUnit.province, func.count()).where(TierUnit.level == "school")
                              .group_by(TierUnit.province)).all())
    moves = dict(db.execute(select(TierMovement.province, func.count()).group_by(TierMovement.province)).all())
    provinces = sorted(set(names) | set(files))
    return [{"province": p, "name": names.get(p, p), "schools": schools.get(p, 0), "files": files.get(p, 0),
             "on_roll": on_roll.get(p, 0), "women": women.get(p, 0), "formal_identifiers": formal.get(p, 0),
             "movements": moves.get(p, 0)} for p in provinces]


# ------------------------------------------------------------------ the duplicates queue

def duplicates(db: Session, me: Principal, unit: Unit, *, state: str = dedup.OPEN, limit: int = 200) -> list[dict[str, Any]]:
    """The queue with each group's files as the reader may see them; the read is audited."""
    shown = me.holds_at("personal.read", unit.id)
    q = select(TierDuplicate).order_by(TierDuplicate.id).limit(limit)
    if state != "all":
        q = q.where(TierDuplicate.state == state)
    rows = db.scalars(q).all()
    keys = {tuple(m) for r in rows for m in r.members}
    files = {}
    if keys:
        provs = {k[0] for k in keys}
        for f in db.scalars(select(TierFile).where(TierFile.province.in_(provs),
                                                   TierFile.teacher_key.in_({k[1] for k in keys}))):
            files[(f.province, f.teacher_key)] = f
    units = dict(db.execute(select(TierUnit.code, TierUnit.name).where(
        TierUnit.code.in_({f.unit_code for f in files.values()} or {""}))).all())
    idents = dict(((p, k), i) for p, k, i in db.execute(select(
        TierIdentifier.province, TierIdentifier.teacher_key, TierIdentifier.formal_identifier)
        .where(TierIdentifier.province.in_({k[0] for k in keys} or {""}),
               TierIdentifier.teacher_key.in_({k[1] for k in keys} or {-1}))))
    names = _province_names(db)
    out = []
    for r in rows:
        members = []
        for p, k in r.members:
            f = files.get((p, k))
            if f is None:
                continue
            members.append({"province": p, "province_name": names.get(p, p), "teacher_key": k, "name": f.name,
                            "gender": f.gender, "id_number": f.id_number if shown else scope.mask_id_number(f.id_number),
                            "birth_date": f.birth_date.isoformat() if shown else None,
                            "unit": units.get(f.unit_code, f.unit_code), "temp_identifier": f.temp_identifier,
                            "formal_identifier": idents.get((p, k))})
        out.append({"id": r.id, "kind": r.kind, "kind_label": dedup.KIND_WORDS[r.kind], "state": r.state,
                    "state_label": dedup.STATE_WORDS[r.state], "found_at": r.found_at.isoformat(),
                    "note": r.note, "members": members})
    if out:
        audit.record(db, "tier.duplicates.read", actor=me, target_type="tier_duplicates", unit_id=unit.id,
                     detail={"groups": [r["id"] for r in out], "unmasked": shown})
    return out


def decide(db: Session, me: Principal, duplicate_id: int, decision: str, note: str | None) -> dict[str, Any]:
    """A reviewer decides one group; identifiers are issued at once for what it unblocks."""
    row = dedup.decide(db, duplicate_id, decision, me.account_id, (note or "").strip()[:500] or None)
    issued = dedup.issue(db)
    audit.record(db, "tier.duplicate.decide", actor=me, target_type="tier_duplicate", target_id=row.id,
                 unit_id=me.unit_id, detail={"decision": decision, "members": row.members, "issued": issued})
    return {"id": row.id, "state": row.state, "issued": issued}


def run_dedup(db: Session, me: Principal | None) -> dict[str, int]:
    """Find duplicates across provinces, then issue formal identifiers (also ``tmis tier dedup``)."""
    found = dedup.find(db)
    found["issued"] = dedup.issue(db)
    audit.record(db, "tier.dedup", actor=me, actor_name=None if me else "cli", target_type="tier_duplicates",
                 detail=found)
    return found


def run_statistics(db: Session, me: Principal | None, cat: Any) -> dict[str, Any]:
    """The statistics module's national summary from the replicated files (also ``tmis tier stats``)."""
    from web.tier.national import tier_of
    from web.tier.natstats import rebuild

    if tier_of(db) != "national":
        raise RuntimeError("E572 只有全国库（已运行 tmis tier init-national 的数据库）生成全国统计；省级库的统计由统计分析模块"
                           "（tmis stats refresh）生成 / E572 national statistics are built on the national database "
                           "(one where tmis tier init-national ran); a province's come from tmis stats refresh")
    done = rebuild(db, cat)
    audit.record(db, "tier.statistics", actor=me, actor_name=None if me else "cli", target_type="stat_facts",
                 detail=done)
    return done
