"""National duplicates and formal identifiers (seed 003: 全国查重、身份核验 → 正式人员标识).

``find`` groups the replicated files of every province: one ID number filed in several provinces
(``id_number``), and one name + birth date + gender under different numbers in several provinces
(``person``). Each group is one row of the review queue ``tier_duplicates``: a new group opens a row;
a group already open gets its current members; a group a reviewer already decided with the same
members stays decided; an open group that is gone (a province corrected a number) is closed as
``gone``. Nothing is refused: a teacher in two provinces is a row in the queue, never an error.

``issue`` gives a formal identifier to every file without one that is in no open group: ``G`` and
11 digits from the national sequence. A group decided ``same_person`` shares one identifier (one
person, one number); ``different`` gives each file its own. The identifiers replicate back to the
provinces (publication ``tmis_ids_<province>``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.orm import Session

from web.db.base import utcnow
from web.tier.models import TierDuplicate, TierFile, TierIdentifier

OPEN, SAME, DIFFERENT, GONE = "open", "same_person", "different", "gone"
DECISIONS = (SAME, DIFFERENT)
STATE_WORDS = {OPEN: ("待核查", "Open"), SAME: ("同一人", "Same person"), DIFFERENT: ("不同人", "Different people"),
               GONE: ("已消除", "No longer duplicated")}
KIND_WORDS = {"id_number": ("身份证件号相同", "Same ID number"),
              "person": ("姓名、出生日期、性别相同而证件号不同", "Same name, birth date and gender, different numbers")}

# PostgreSQL: the keys held by more than one file come from the side tables the trigger of
# migration nd01 keeps as files arrive (a partial index on n > 1: the report reads only those
# groups, not every file), joined to their files through the covering indexes of nt02.
PG_ID_MEMBERS = """SELECT f.id_number, f.id_type, f.province, f.teacher_key FROM tier_dedup_ids k
  JOIN tier_files f ON f.id_number = k.id_number AND f.id_type = k.id_type WHERE k.n > 1"""
PG_PERSON_MEMBERS = """SELECT f.name, f.birth_date, f.gender, f.id_number, f.province, f.teacher_key
  FROM tier_dedup_people k JOIN tier_files f ON f.name = k.name AND f.birth_date = k.birth_date
  AND f.gender = k.gender WHERE k.n > 1"""
# Elsewhere (SQLite: tests; the national tier itself needs PostgreSQL): group every file.
ID_KEYS = "SELECT id_number, id_type FROM tier_files GROUP BY id_number, id_type HAVING count(*) > 1"
PERSON_KEYS = "SELECT name, birth_date, gender FROM tier_files GROUP BY name, birth_date, gender HAVING count(*) > 1"
# The side tables counted again from the files (the upgrade does it once; after a restore of
# tier_files with triggers off, ``rebuild_keys``).
REBUILD_KEYS = (
    "DELETE FROM tier_dedup_ids",
    "DELETE FROM tier_dedup_people",
    "INSERT INTO tier_dedup_ids (id_number, id_type, n) SELECT id_number, id_type, count(*) FROM tier_files GROUP BY 1, 2",
    "INSERT INTO tier_dedup_people (name, birth_date, gender, n) "
    "SELECT name, birth_date, gender, count(*) FROM tier_files GROUP BY 1, 2, 3",
)


def _members(db: Session, cols: tuple[Any, ...], keys: list[tuple[Any, ...]]) -> list[Any]:
    out: list[Any] = []
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        out += db.execute(select(*cols, TierFile.id_number, TierFile.province, TierFile.teacher_key)
                          .where(tuple_(*cols).in_(chunk))).all()
    return out


def _pg(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def rebuild_keys(db: Session) -> None:
    """Count the files under every match key again (PostgreSQL; the trigger keeps them otherwise)."""
    for sql in REBUILD_KEYS:
        db.execute(text(sql))


def _id_members(db: Session) -> list[Any]:
    if _pg(db):
        return list(db.execute(text(PG_ID_MEMBERS)))
    keys = [tuple(r) for r in db.execute(text(ID_KEYS))]
    return [(n, t, p, k) for n, t, _n, p, k in _members(db, (TierFile.id_number, TierFile.id_type), keys)]


def _person_members(db: Session) -> list[Any]:
    if _pg(db):
        return list(db.execute(text(PG_PERSON_MEMBERS)))
    keys = [tuple(r) for r in db.execute(text(PERSON_KEYS))]
    return list(_members(db, (TierFile.name, TierFile.birth_date, TierFile.gender), keys))


def groups(db: Session) -> dict[tuple[str, str], list[list[Any]]]:
    """(kind, match key) -> sorted members [[province, teacher_key], …] of every duplicate group:
    one ID number in several files (a province holds a number once, so: in several provinces), and
    one name + birth date + gender under several numbers in several provinces."""
    if _pg(db):  # a few thousand index look-ups: no JIT compile, no parallel workers for it
        db.execute(text("SET LOCAL jit = off"))
        db.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    found: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    for number, id_type, prov, key in _id_members(db):
        found[("id_number", f"{id_type}:{number}")].append([prov, key])
    people: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for name, birth, gender, number, prov, key in _person_members(db):
        people[f"{name}|{birth}|{gender}"].append((number, prov, key))
    for match, rows in people.items():
        if len({r[0] for r in rows}) > 1 and len({r[1] for r in rows}) > 1:
            found[("person", match)] = [[p, k] for _, p, k in rows]
    return {k: sorted(v) for k, v in found.items() if len(v) > 1}


def find(db: Session) -> dict[str, int]:
    """Bring the queue up to date with the files as replicated now; counts of what changed."""
    current = groups(db)
    rows = db.scalars(select(TierDuplicate).where(TierDuplicate.state.in_((OPEN, SAME, DIFFERENT)))).all()
    by_key: dict[tuple[str, str], list[TierDuplicate]] = defaultdict(list)
    for r in rows:
        by_key[(r.kind, r.match_key)].append(r)
    opened = updated = gone = 0
    now = utcnow()
    for key, members in current.items():
        known = by_key.pop(key, [])
        open_row = next((r for r in known if r.state == OPEN), None)
        if open_row is not None:
            if open_row.members != members:
                open_row.members, updated = members, updated + 1
        elif not any(r.members == members for r in known):
            db.add(TierDuplicate(kind=key[0], match_key=key[1], members=members, state=OPEN, found_at=now))
            opened += 1
    for left in by_key.values():
        for r in left:
            if r.state == OPEN:
                r.state, r.resolved_at, gone = GONE, now, gone + 1
    db.flush()
    return {"groups": len(current), "opened": opened, "updated": updated, "gone": gone}


def _identifiers(db: Session, count: int) -> list[str]:
    """``count`` new formal identifiers (one round trip on PostgreSQL)."""
    if count <= 0:
        return []
    if db.get_bind().dialect.name == "postgresql":
        numbers = list(db.scalars(text("SELECT nextval('tier_formal_seq') FROM generate_series(1, :n)"), {"n": count}))
    else:
        last = db.scalar(select(func.max(TierIdentifier.formal_identifier)))
        first = int(last[1:]) + 1 if last else 1
        numbers = list(range(first, first + count))
    return [f"G{n:011d}" for n in numbers]


def issue(db: Session) -> int:
    """Formal identifiers for every file without one and in no open group; how many were issued.
    Every new number of the run is taken in one call (``_identifiers``), so no two files that are
    not one person share a number, on any database."""
    decided = db.scalars(select(TierDuplicate).where(TierDuplicate.state.in_((OPEN, SAME)))).all()
    blocked = {tuple(m) for r in decided if r.state == OPEN for m in r.members}
    have = {(p, k): ident for p, k, ident in db.execute(
        select(TierIdentifier.province, TierIdentifier.teacher_key, TierIdentifier.formal_identifier))}
    todo = [(p, k) for p, k in db.execute(select(TierFile.province, TierFile.teacher_key)
                                          .order_by(TierFile.province, TierFile.teacher_key))
            if (p, k) not in have and (p, k) not in blocked]
    pending = set(todo)
    same_groups = [[tuple(m) for m in r.members] for r in decided
                   if r.state == SAME and not any(tuple(m) in blocked for m in r.members)]
    needing = [g for g in same_groups if not any(m in have for m in g) and any(m in pending for m in g)]
    waiting = {m for g in same_groups for m in g}
    fresh = iter(_identifiers(db, len(needing) + sum(1 for m in todo if m not in waiting)))
    share: dict[tuple[str, int], str] = {}
    for g in same_groups:
        ident = next((have[m] for m in g if m in have), None)
        if ident is None:
            if not any(m in pending for m in g):
                continue
            ident = next(fresh)
        for m in g:
            share[m] = ident
    now = utcnow()
    rows = [{"province": p, "teacher_key": k, "formal_identifier": share.get((p, k)) or next(fresh), "issued_at": now}
            for p, k in todo]
    for start in range(0, len(rows), 1000):
        db.execute(TierIdentifier.__table__.insert(), rows[start:start + 1000])
    db.flush()
    return len(rows)


def decide(db: Session, duplicate_id: int, decision: str, actor_id: int | None, note: str | None) -> TierDuplicate:
    """A national reviewer's decision on an open group (service of the queue page and API)."""
    from web.errors import Refusal
    from web.tier.errors import W_DUP_DECISION, W_DUP_NOT_FOUND, W_DUP_NOT_OPEN

    if decision not in DECISIONS:
        raise Refusal(W_DUP_DECISION, value=str(decision)[:40])
    row = db.get(TierDuplicate, duplicate_id, with_for_update=True)
    if row is None:
        raise Refusal(W_DUP_NOT_FOUND, id=duplicate_id)
    if row.state != OPEN:
        raise Refusal(W_DUP_NOT_OPEN, id=duplicate_id, state=STATE_WORDS[row.state][0],
                      state_en=STATE_WORDS[row.state][1])
    row.state, row.resolved_at, row.resolved_by, row.note = decision, utcnow(), actor_id, (note or None)
    db.flush()
    return row
