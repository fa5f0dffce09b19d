"""Reading figures. Live: from the summary tables (refresh.py) when they are built from the
definitions in force, otherwise computed directly from the approved records (service.Direct).
A snapshot: its frozen rows (snapshots.py; W481 for an unknown id).

A table of the definitions is read from ``stat_unit_counts``: the rows of one unit (or of the units
a filter names), one table, optionally some school types — a primary-key range, a few hundred rows
at most, whatever the size of the province. Any other combination of dimensions (the cross-table
builder) is grouped over ``stat_facts`` of the unit's subtree (indexed by snapshot and unit)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from modules.statistics.models import COLUMNS, LIVE, StatFact, StatRefresh, StatUnitCount
from web.db.models import UnitClosure


def reader(db: Session, snapshot: Any = None, cat: Any = None) -> Any:
    from modules.statistics.catalogue import definitions
    from modules.statistics.refresh import digest
    from modules.statistics.service import Direct

    if snapshot not in (None, "", LIVE, str(LIVE)):
        from modules.statistics import snapshots  # a frozen snapshot's rows (snapshots.py); W481 for an unknown id

        return snapshots.reader(db, snapshot)
    state = db.get(StatRefresh, LIVE)
    if state is not None and state.definitions == digest(definitions(cat)):
        return Summary(LIVE, state)
    return Direct()


class Summary:
    name = "summary"

    def __init__(self, snapshot_id: int, state: StatRefresh) -> None:
        self.snapshot_id = snapshot_id
        self.state = state

    def as_of(self) -> str:
        if self.snapshot_id == LIVE:
            return self.state.changed_at.astimezone().isoformat(timespec="seconds")
        day = self.state.as_of
        return dt.datetime.combine(day, dt.time(23, 59, 59)).astimezone().isoformat(timespec="seconds")

    def counts_many(self, db: Session, defs: Any, where: Any, table_keys: list[str]) -> dict[str, Any]:
        """Several tables' counts for one unit (or the filter's units) in one query."""
        roots = where.extra.get("roots") if where.unit_ids is not None else [where.unit.id]
        out: dict[str, dict[tuple[str, ...], list[float]]] = {k: defaultdict(lambda: [0, 0.0, 0]) for k in table_keys}
        stmt = (select(StatUnitCount.table_key, StatUnitCount.cell, func.sum(StatUnitCount.n),
                       func.sum(StatUnitCount.age_sum), func.sum(StatUnitCount.aged))
                .where(StatUnitCount.snapshot_id == self.snapshot_id, StatUnitCount.unit_id.in_(roots),
                       StatUnitCount.table_key.in_(table_keys))
                .group_by(StatUnitCount.table_key, StatUnitCount.cell))
        if where.school_types is not None:
            stmt = stmt.where(StatUnitCount.school_type.in_(where.school_types))
        for key, cell, n, age_sum, aged in db.execute(stmt).all():
            codes = tuple(cell.split("|")) if len(defs.tables[key].dims) > 1 else (cell,)
            c = out[key][codes]
            c[0] += int(n or 0)
            c[1] += float(age_sum or 0)
            c[2] += int(aged or 0)
        stamp = self.as_of()
        return {k: (dict(v), stamp) for k, v in out.items()}

    def counts_by_unit(self, db: Session, defs: Any, table_key: str, unit_ids: list[int],
                       school_types: list[str] | None = None) -> tuple[dict[int, dict[tuple[str, ...], list[float]]], str]:
        """One table's counts for each of several units (the units one level down), in one query."""
        out: dict[int, dict[tuple[str, ...], list[float]]] = {}
        multi = len(defs.tables[table_key].dims) > 1
        stmt = (select(StatUnitCount.unit_id, StatUnitCount.cell, func.sum(StatUnitCount.n),
                       func.sum(StatUnitCount.age_sum), func.sum(StatUnitCount.aged))
                .where(StatUnitCount.snapshot_id == self.snapshot_id, StatUnitCount.unit_id.in_(unit_ids or [-1]),
                       StatUnitCount.table_key == table_key)
                .group_by(StatUnitCount.unit_id, StatUnitCount.cell))
        if school_types is not None:
            stmt = stmt.where(StatUnitCount.school_type.in_(school_types))
        for unit_id, cell, n, age_sum, aged in db.execute(stmt).all():
            c = out.setdefault(unit_id, {}).setdefault(tuple(cell.split("|")) if multi else (cell,), [0, 0.0, 0])
            c[0] += int(n or 0)
            c[1] += float(age_sum or 0)
            c[2] += int(aged or 0)
        return out, self.as_of()

    def counts(self, db: Session, cat: Any, defs: Any, where: Any, dims: list[str],
               table_key: str | None = None, as_of: Any = None) -> tuple[dict[tuple[str, ...], list[float]], str]:
        out: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0, 0.0, 0])
        table = defs.tables.get(table_key) if table_key else None
        roots = where.extra.get("roots") if where.unit_ids is not None else [where.unit.id]
        if table is not None and list(table.dims) == dims and roots is not None:
            stmt = (select(StatUnitCount.cell, func.sum(StatUnitCount.n), func.sum(StatUnitCount.age_sum),
                           func.sum(StatUnitCount.aged))
                    .where(StatUnitCount.snapshot_id == self.snapshot_id, StatUnitCount.unit_id.in_(roots),
                           StatUnitCount.table_key == table.key)
                    .group_by(StatUnitCount.cell))
            if where.school_types is not None:
                stmt = stmt.where(StatUnitCount.school_type.in_(where.school_types))
            for cell, n, age_sum, aged in db.execute(stmt).all():
                codes = tuple(cell.split("|")) if len(dims) > 1 else (cell,)
                c = out[codes]
                c[0] += int(n or 0)
                c[1] += float(age_sum or 0)
                c[2] += int(aged or 0)
            return dict(out), self.as_of()
        cols = [getattr(StatFact, d) if d in COLUMNS else func.coalesce(StatFact.extra[d].as_string(), literal(""))
                for d in dims]
        units = (where.unit_ids if where.unit_ids is not None else
                 select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == where.unit.id))
        stmt = (select(*cols, func.count(), func.coalesce(func.sum(StatFact.age), 0), func.count(StatFact.age))
                .where(StatFact.snapshot_id == self.snapshot_id, StatFact.unit_id.in_(units))
                .group_by(*cols))
        if where.school_types is not None:
            stmt = stmt.where(StatFact.school_type.in_(where.school_types))
        for *codes, n, age_sum, aged in db.execute(stmt).all():
            c = out[tuple(str(x or "") for x in codes)]
            c[0] += int(n)
            c[1] += float(age_sum or 0)
            c[2] += int(aged or 0)
        return dict(out), self.as_of()
