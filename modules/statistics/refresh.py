"""Keeping the summary tables (models.py) current.

- ``rebuild``: the full refresh (``tmis stats refresh``; S3's snapshots with their own id and
  date): the facts streamed from ``facts.build_rows`` a chunk at a time into ``stat_facts``, then
  the per-unit counts of every table in one set-wise statement per table (per unit first, then
  rolled up every unit's ancestors through ``unit_closure``). Memory stays flat whatever the size.
- ``on_teacher``: the incremental change for one teacher, called from the core's events
  (file.approved, teacher.moved, status.changed; plugin.py ``handle_event``) inside the change's
  transaction: the teacher's old fact row is taken out of the counts of its unit and every unit
  above, the new one (if the teacher still counts) put in. Counts are changed by upserts in a fixed
  key order, so concurrent approvals queue on the rows they share instead of deadlocking.

Not followed by events (a full refresh puts them right; the nightly one is the operator's cron):
a unit's school type or place in the tree edited, and ages and bands moving on with the calendar.
Summary tables built from other definitions than those in force are not read (summary.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy import delete, func, insert, literal, select, text
from sqlalchemy.orm import Session

from modules.statistics.catalogue import Definitions, Table, definitions
from modules.statistics.models import COLUMNS, LIVE, StatFact, StatRefresh, StatUnitCount
from web.db.base import utcnow
from web.db.models import UnitClosure
from web.people import clock

BATCH = 5000
SEP = "|"


_DIGESTS: dict[int, tuple[Definitions, str]] = {}


def digest(defs: Definitions) -> str:
    """What the summary rows depend on: every table's dimensions and every dimension's definition
    (computed once per definitions object: the readers ask it on every request)."""
    found = _DIGESTS.get(id(defs))
    if found is not None and found[0] is defs:
        return found[1]
    if len(_DIGESTS) > 32:
        _DIGESTS.clear()
    value = _digest(defs)
    _DIGESTS[id(defs)] = (defs, value)
    return value


def _digest(defs: Definitions) -> str:
    data = {"tables": {k: list(t.dims) for k, t in sorted(defs.tables.items())},
            "dims": {k: d.spec.model_dump(mode="json", by_alias=True) for k, d in sorted(defs.dimensions.items())}}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def fact_values(row: Mapping[str, Any], snapshot_id: int) -> dict[str, Any]:
    dims = row["dims"]
    out: dict[str, Any] = {"snapshot_id": snapshot_id, "teacher_id": row["teacher_id"], "unit_id": row["unit_id"],
                           "birth_date": row["birth_date"], "age": row["age"]}
    for c in COLUMNS:
        out[c] = dims.get(c, "") or ""
    if not dims.get("school_type"):
        out["school_type"] = row.get("school_type") or ""
    out["extra"] = {k: v for k, v in dims.items() if k not in COLUMNS}
    return out


def _cell_expr(table: Table) -> Any:
    parts = []
    for key in table.dims:
        if key in COLUMNS:
            parts.append(getattr(StatFact, key))
        else:
            parts.append(func.coalesce(StatFact.extra[key].as_string(), literal("")))
    expr = parts[0]
    for p in parts[1:]:
        expr = expr + literal(SEP) + p
    return expr


def _cell_of(values: Mapping[str, Any], table: Table) -> str:
    return SEP.join(str(values.get(k) or "") for k in table.dims)


def rebuild(db: Session, *, snapshot_id: int = LIVE, as_of: dt.date | None = None, cat: Any = None,
            defs: Definitions | None = None, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Rebuild the facts and counts of one snapshot (0: live, today) in the caller's transaction."""
    from modules.statistics.facts import _catalogue, build_rows

    cat = cat if cat is not None else _catalogue()
    defs = defs if defs is not None else definitions(cat)
    day = as_of or clock.today()
    started = dt.datetime.now()
    for model in (StatUnitCount, StatFact, StatRefresh):
        db.execute(delete(model).where(model.snapshot_id == snapshot_id))
    batch: list[dict[str, Any]] = []
    n = 0
    live = snapshot_id == LIVE and as_of is None
    for row in build_rows(db, day, cat=cat, defs=defs, live=live):
        batch.append(fact_values(row, snapshot_id))
        if len(batch) >= BATCH:
            _insert_facts(db, batch)
            n += len(batch)
            batch = []
            if progress:
                progress(n)
    if batch:
        _insert_facts(db, batch)
        n += len(batch)
    facts_done = dt.datetime.now()
    for table in defs.tables.values():
        aggregate(db, snapshot_id, table)
    db.add(StatRefresh(snapshot_id=snapshot_id, as_of=day, built_at=utcnow(), changed_at=utcnow(),
                       definitions=digest(defs), teachers=n))
    db.flush()
    if db.get_bind().dialect.name == "postgresql":  # fresh statistics, or the planner may scan the counts
        db.execute(text("ANALYZE stat_facts"))
        db.execute(text("ANALYZE stat_unit_counts"))
    return {"teachers": n, "facts_s": (facts_done - started).total_seconds(),
            "counts_s": (dt.datetime.now() - facts_done).total_seconds()}


def _insert_facts(db: Session, rows: list[dict[str, Any]]) -> None:
    db.execute(insert(StatFact), rows)


def aggregate(db: Session, snapshot_id: int, table: Table) -> None:
    """The counts of one table for every unit: per unit first, then summed into each ancestor."""
    cell = _cell_expr(table).label("cell")
    per_unit = (select(StatFact.unit_id, StatFact.school_type, cell, func.count().label("n"),
                       func.coalesce(func.sum(StatFact.age), 0).label("age_sum"), func.count(StatFact.age).label("aged"))
                .where(StatFact.snapshot_id == snapshot_id)
                .group_by(StatFact.unit_id, StatFact.school_type, cell)).subquery()
    rolled = (select(literal(snapshot_id), UnitClosure.ancestor_id, literal(table.key), per_unit.c.school_type,
                     per_unit.c.cell, func.sum(per_unit.c.n), func.sum(per_unit.c.age_sum), func.sum(per_unit.c.aged))
              .join(UnitClosure, UnitClosure.descendant_id == per_unit.c.unit_id)
              .group_by(UnitClosure.ancestor_id, per_unit.c.school_type, per_unit.c.cell))
    db.execute(insert(StatUnitCount).from_select(
        ["snapshot_id", "unit_id", "table_key", "school_type", "cell", "n", "age_sum", "aged"], rolled))


# ------------------------------------------------------------------ incremental

def on_teacher(db: Session, teacher_ids: Iterable[int], cat: Any = None) -> bool:
    """Bring the live summary up to date for these teachers (after an approval, a move, a status
    change). Nothing to do (False) while the live summary has not been built, or was built from
    other definitions (then it is not read; the next full refresh rebuilds it)."""
    from modules.statistics.facts import _catalogue, build_rows

    state = db.get(StatRefresh, LIVE)
    if state is None:
        return False
    cat = cat if cat is not None else _catalogue()
    defs = definitions(cat)
    if state.definitions != digest(defs):
        return False
    ids = sorted(set(teacher_ids))
    old = {f.teacher_id: f for f in db.scalars(select(StatFact).where(StatFact.snapshot_id == LIVE,
                                                                      StatFact.teacher_id.in_(ids)))}
    new = {r["teacher_id"]: r for r in build_rows(db, cat=cat, defs=defs, teacher_ids=ids, live=True)}
    units = {f.unit_id for f in old.values()} | {r["unit_id"] for r in new.values()}
    ancestors: dict[int, list[int]] = defaultdict(list)
    for anc, desc in db.execute(select(UnitClosure.ancestor_id, UnitClosure.descendant_id)
                                .where(UnitClosure.descendant_id.in_(units or {-1}))).all():
        ancestors[desc].append(anc)
    deltas: dict[tuple[int, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])

    def count(values: Mapping[str, Any], unit_id: int, school_type: str, age: int | None, sign: int) -> None:
        for table in defs.tables.values():
            cell = _cell_of(values, table)
            for anc in ancestors[unit_id]:
                d = deltas[(anc, table.key, school_type, cell)]
                d[0] += sign
                if age is not None:
                    d[1] += sign * age
                    d[2] += sign

    for tid in ids:
        before = old.get(tid)
        if before is not None:
            values = {c: getattr(before, c) for c in COLUMNS} | dict(before.extra or {})
            count(values, before.unit_id, before.school_type, before.age, -1)
            db.delete(before)
        row = new.get(tid)
        if row is not None:
            fact = fact_values(row, LIVE)
            count({c: fact[c] for c in COLUMNS} | fact["extra"], fact["unit_id"], fact["school_type"], fact["age"], 1)
    db.flush()
    if new:
        _insert_facts(db, [fact_values(r, LIVE) for r in new.values()])
    _apply(db, deltas)
    state.changed_at = utcnow()
    db.flush()
    return True


def _apply(db: Session, deltas: Mapping[tuple[int, str, str, str], list[int]]) -> None:
    rows = [{"snapshot_id": LIVE, "unit_id": u, "table_key": t, "school_type": s, "cell": c,
             "n": d[0], "age_sum": d[1], "aged": d[2]}
            for (u, t, s, c), d in sorted(deltas.items()) if any(d)]
    if not rows:
        return
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    stmt = upsert(StatUnitCount)
    stmt = stmt.on_conflict_do_update(
        index_elements=["snapshot_id", "unit_id", "table_key", "school_type", "cell"],
        set_={"n": StatUnitCount.n + stmt.excluded.n, "age_sum": StatUnitCount.age_sum + stmt.excluded.age_sum,
              "aged": StatUnitCount.aged + stmt.excluded.aged})
    # one statement for all (executemany, pipelined), the rows in key order: concurrent writers lock
    # the rows they share in the same order
    db.execute(stmt, rows)
