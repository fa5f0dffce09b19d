"""The province's side: what it publishes and how it keeps it current.

``publish`` (``tmis tier publish``) names this database a publishing province (tier_config), copies
its units and approved files into the published tables and creates the publication
``tmis_province``. From then on the published tables follow the province's own changes in the
transaction that makes them: units through the ``units`` trigger (migration nt01), files and
movements through the core events (``handle_event``: file.approved, teacher.moved,
status.changed). Nothing leaves a province that has not published.

The temporary personal identifier (临时人员标识, seed 003) is issued here, when a file passes the
province's final approval (file.approved): ``<province>L<teacher key, 10 digits>``, unique in the
province by construction. The formal one comes back from the national tier (tier_identifiers).
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from web.db.base import utcnow
from web.db.models import Record, Teacher, Unit
from web.tier.models import TierConfig, TierFile, TierIdentifier, TierMovement, TierUnit

PUBLICATION = "tmis_province"
PUBLISHED_TABLES = ("tier_units", "tier_files", "tier_movements")
# Messages of a transfer between provinces (modules/transfer, migration tf01), when those tables
# exist: each province publishes the rows it writes (row filter: its own code), so what it
# receives from the national tier into the same tables is never sent back (docs/two-level.md).
XFER_PUBLICATION = "tmis_xfer"
XFER_TABLES = ("tier_xfer_requests", "tier_xfer_decisions", "tier_xfer_withdrawals")


def xfer_tables_exist(db: Session) -> bool:
    return all(db.scalar(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": t}) for t in XFER_TABLES)


def ensure_publication(db: Session, name: str, tables: dict[str, str], options: str = "") -> None:
    """Publication ``name`` of ``tables`` (table -> row filter): created, or given the tables it lacks
    (a database set up before a table was added to it; its subscribers then refresh)."""
    if not db.scalar(text("SELECT 1 FROM pg_publication WHERE pubname = :n"), {"n": name}):
        db.execute(text(f"CREATE PUBLICATION {name} FOR TABLE "
                        + ", ".join(f"{t} WHERE ({w})" for t, w in tables.items()) + options))
        return
    have = set(db.scalars(text("SELECT tablename FROM pg_publication_tables WHERE pubname = :n"), {"n": name}))
    for t, w in tables.items():
        if t not in have:
            db.execute(text(f"ALTER PUBLICATION {name} ADD TABLE {t} WHERE ({w})"))


APPROVED = "approved"


def temp_identifier(province: str, teacher_key: int) -> str:
    return f"{province}L{teacher_key:010d}"


def config(db: Session) -> TierConfig | None:
    return db.scalar(select(TierConfig).order_by(TierConfig.id).limit(1))


def publishing_province(db: Session) -> str | None:
    """The province code when this database publishes, else None (events then do nothing)."""
    row = config(db)
    return row.province if row is not None and row.tier == "province" and row.published_at else None


def upsert(db: Session, table: Any, rows: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE on PostgreSQL and SQLite alike."""
    if not rows:
        return
    name = db.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table.__table__)
    cols = [c for c in rows[0] if c not in keys]
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in cols}) \
        if cols else stmt.on_conflict_do_nothing(index_elements=list(keys))
    for start in range(0, len(rows), 1000):
        db.execute(stmt, rows[start:start + 1000])


# ------------------------------------------------------------------ rows

def _records(db: Session, teacher_ids: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    out: dict[int, dict[str, list[dict[str, Any]]]] = {t: {} for t in teacher_ids}
    q = (select(Record.teacher_id, Record.set_key, Record.document)
         .where(Record.teacher_id.in_(teacher_ids), Record.state == APPROVED, Record.copy_of_id.is_(None))
         .order_by(Record.teacher_id, Record.set_key, Record.position))
    for tid, set_key, doc in db.execute(q):
        out[tid].setdefault(set_key, []).append(doc)
    return out


def file_rows(db: Session, province: str, teacher_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The published rows of these teachers' approved files (teachers not approved are left out)."""
    ids = list(teacher_ids)
    out: list[dict[str, Any]] = []
    now = utcnow()
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        q = (select(Teacher.id, Teacher.id_type, Teacher.id_number, Teacher.name, Teacher.gender, Teacher.birth_date,
                    Unit.code, Teacher.teacher_number, Teacher.left_on)
             .join(Unit, Unit.id == Teacher.unit_id).where(Teacher.id.in_(chunk), Teacher.state == APPROVED))
        rows = db.execute(q).all()
        records = _records(db, [r[0] for r in rows])
        for tid, id_type, id_number, name, gender, birth, unit_code, number, left_on in rows:
            out.append({"province": province, "teacher_key": tid, "id_type": id_type, "id_number": id_number,
                        "name": name, "gender": gender, "birth_date": birth, "unit_code": unit_code,
                        "teacher_number": number, "temp_identifier": temp_identifier(province, tid),
                        "left_on": left_on, "approved_at": now, "records": records.get(tid, {}), "updated_at": now})
    return out


def unit_rows(db: Session, province: str) -> list[dict[str, Any]]:
    parent = Unit.__table__.alias("parent")
    q = (select(Unit.code, Unit.name, Unit.level, parent.c.code, Unit.school_type, Unit.urban_rural)
         .outerjoin(parent, parent.c.id == Unit.parent_id).order_by(Unit.id))
    now = utcnow()
    return [{"province": province, "code": c, "name": n, "level": lv, "parent_code": p, "school_type": st,
             "urban_rural": ur, "updated_at": now} for c, n, lv, p, st, ur in db.execute(q)]


def _movement(db: Session, province: str, teacher_key: int, kind: str, from_unit: str | None, to_unit: str | None,
              detail: dict[str, Any]) -> None:
    if db.get_bind().dialect.name == "postgresql":
        seq = db.scalar(text("SELECT nextval('tier_movement_seq')"))
    else:
        seq = (db.scalar(select(func.max(TierMovement.seq)).where(TierMovement.province == province)) or 0) + 1
    db.add(TierMovement(province=province, seq=seq, teacher_key=teacher_key, kind=kind, from_unit=from_unit,
                        to_unit=to_unit, detail=detail, at=utcnow()))


# On PostgreSQL a file's published row is made by one statement (the records gathered by
# jsonb_agg), for one approval as for a whole province's backfill.
PUBLISH_FILES_SQL = """
INSERT INTO tier_files (province, teacher_key, id_type, id_number, name, gender, birth_date, unit_code,
                        teacher_number, temp_identifier, left_on, approved_at, records, updated_at)
SELECT CAST(:province AS varchar(2)), t.id, t.id_type, t.id_number, t.name, t.gender, t.birth_date, u.code, t.teacher_number,
       CAST(:province AS varchar(2)) || 'L' || lpad(t.id::text, 10, '0'), t.left_on, now(),
       coalesce((SELECT jsonb_object_agg(s.set_key, s.docs) FROM (
                   SELECT r.set_key, jsonb_agg(r.document ORDER BY r.position) AS docs FROM records r
                   WHERE r.teacher_id = t.id AND r.state = 'approved' AND r.copy_of_id IS NULL GROUP BY r.set_key) s),
                '{}'::jsonb), now()
FROM teachers t JOIN units u ON u.id = t.unit_id
WHERE t.state = 'approved' AND (CAST(:ids AS integer[]) IS NULL OR t.id = ANY(CAST(:ids AS integer[])))
ON CONFLICT (province, teacher_key) DO UPDATE SET id_type = EXCLUDED.id_type, id_number = EXCLUDED.id_number,
  name = EXCLUDED.name, gender = EXCLUDED.gender, birth_date = EXCLUDED.birth_date, unit_code = EXCLUDED.unit_code,
  teacher_number = EXCLUDED.teacher_number, temp_identifier = EXCLUDED.temp_identifier, left_on = EXCLUDED.left_on,
  records = EXCLUDED.records, updated_at = EXCLUDED.updated_at
"""


def publish_files(db: Session, province: str, teacher_ids: list[int] | None) -> int:
    """Write the published rows of these approved files (all approved files for None); how many."""
    if db.get_bind().dialect.name == "postgresql":
        return db.execute(text(PUBLISH_FILES_SQL), {"province": province, "ids": teacher_ids}).rowcount
    if teacher_ids is None:
        teacher_ids = list(db.scalars(select(Teacher.id).where(Teacher.state == APPROVED).order_by(Teacher.id)))
    rows = file_rows(db, province, teacher_ids)
    upsert(db, TierFile, rows, ("province", "teacher_key"))
    return len(rows)


# ------------------------------------------------------------------ events

def on_event(db: Session, name: str, payload: dict[str, Any]) -> None:
    """Keep the published tables current (called by web/tier/plugin.py ``handle_event``)."""
    from web import events

    tid = payload.get("teacher_id")
    if name not in (events.FILE_APPROVED, events.TEACHER_MOVED, events.STATUS_CHANGED) or not isinstance(tid, int) \
            or not isinstance(db, Session):
        return
    province = publishing_province(db)
    if province is None:
        return
    db.flush()
    if name == events.FILE_APPROVED:
        publish_files(db, province, [tid])
        return
    published = db.get(TierFile, (province, tid)) is not None
    if not published:
        return  # a file not approved yet has not left the province; its movements do not either
    if name == events.TEACHER_MOVED:
        _movement(db, province, tid, "moved", payload.get("from_unit"), payload.get("to_unit"),
                  {"on": payload.get("on"), "source": payload.get("source")})
    elif name == events.STATUS_CHANGED:
        _movement(db, province, tid, "status", None, None,
                  {k: payload.get(k) for k in ("change", "status", "on")})
    publish_files(db, province, [tid])


def on_events(db: Session, batch: list[tuple[str, dict[str, Any]]]) -> None:
    """A batch of events (``handle_events``: a sheet of status changes) in a few statements, with
    what ``on_event`` one at a time would leave: a movement per change of a published file (in the
    batch's order), the files upserted once."""
    from web import events

    kinds = {events.TEACHER_MOVED: "moved", events.STATUS_CHANGED: "status"}
    batch = [(n, p) for n, p in batch if (n in kinds or n == events.FILE_APPROVED)
             and isinstance(p.get("teacher_id"), int)]
    if not batch or not isinstance(db, Session):
        return
    province = publishing_province(db)
    if province is None:
        return
    db.flush()
    ids = sorted({p["teacher_id"] for _, p in batch})
    published: set[int] = set()
    for start in range(0, len(ids), 1000):
        published.update(db.scalars(select(TierFile.teacher_key).where(
            TierFile.province == province, TierFile.teacher_key.in_(ids[start:start + 1000]))))
    touched: set[int] = set()
    moved: list[dict[str, Any]] = []
    for name, p in batch:
        tid = p["teacher_id"]
        if name == events.FILE_APPROVED:
            published.add(tid)
            touched.add(tid)
        elif tid in published:
            touched.add(tid)
            if name == events.TEACHER_MOVED:
                moved.append({"teacher_key": tid, "kind": "moved", "from_unit": p.get("from_unit"),
                              "to_unit": p.get("to_unit"), "detail": {"on": p.get("on"), "source": p.get("source")}})
            else:
                moved.append({"teacher_key": tid, "kind": "status", "from_unit": None, "to_unit": None,
                              "detail": {k: p.get(k) for k in ("change", "status", "on")}})
    if moved:
        for row, seq in zip(moved, _sequence(db, province, len(moved))):
            row.update(province=province, seq=seq, at=utcnow())
        db.execute(TierMovement.__table__.insert(), moved)
    upsert(db, TierFile, file_rows(db, province, sorted(touched)), ("province", "teacher_key"))


def _sequence(db: Session, province: str, n: int) -> list[int]:
    """``n`` movement numbers in ascending order (one statement)."""
    if db.get_bind().dialect.name == "postgresql":
        return sorted(db.scalars(text("SELECT nextval('tier_movement_seq') FROM generate_series(1, :n)"), {"n": n}))
    first = (db.scalar(select(func.max(TierMovement.seq)).where(TierMovement.province == province)) or 0) + 1
    return list(range(first, first + n))


# ------------------------------------------------------------------ publish

def publish(db: Session, province: str) -> dict[str, int]:
    """Name this database the publishing province ``province``, copy what it holds into the
    published tables and (PostgreSQL) create the publication. Safe to run again."""
    row = config(db)
    if row is None:
        row = TierConfig(tier="province", province=province)
        db.add(row)
    row.tier, row.province, row.published_at = "province", province, row.published_at or utcnow()
    db.flush()
    units = unit_rows(db, province)
    upsert(db, TierUnit, units, ("province", "code"))
    files = publish_files(db, province, None)
    if db.get_bind().dialect.name == "postgresql":
        exists = db.scalar(text("SELECT 1 FROM pg_publication WHERE pubname = :n"), {"n": PUBLICATION})
        if not exists:
            db.execute(text(f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {', '.join(PUBLISHED_TABLES)}"))
        if xfer_tables_exist(db):
            ensure_publication(db, XFER_PUBLICATION, {t: f"province = '{province}'" for t in XFER_TABLES})
    return {"units": len(units), "files": files}


def identifiers_of(db: Session, teacher_key: int) -> dict[str, str | None]:
    """The temporary and formal identifiers a teacher's file shows (None where not issued)."""
    province = publishing_province(db)
    if province is None:
        return {"temporary": None, "formal": None}
    f = db.get(TierFile, (province, teacher_key))
    ident = db.get(TierIdentifier, (province, teacher_key))
    return {"temporary": f.temp_identifier if f else None, "formal": ident.formal_identifier if ident else None}
