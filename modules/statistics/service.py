"""The statistics service: the contract the API, the dashboards (S2) and the reports (S3) use.

    tables_for(me)                                   the tables the caller may read
    compute(db, me, table_key, unit_code, *, filters=None, snapshot=None) -> StatResult
    crosstab(db, me, row_dim, col_dim, unit_code, *, filters=None, snapshot=None) -> CrossTab
    children(db, me, table_key, unit_code, *, snapshot=None) -> [(unit, StatResult)]
    dimensions()                                     the dimension registry

Who may read: ``stats.read`` (schemas/roles.yaml) held at the unit asked for or above it
(web/scope.py): a school's viewer asking for its county gets 403 (W475), an unknown unit code 404
(W476), an unknown table 404 (W477). Counts are not personal data: they are neither masked nor
written to the audit log (the audit log holds changes, exports and reads of a person's data;
no API here lists individuals). Figures come from the summary tables (models.py, refresh.py)
when they have been built, else directly from the approved records (facts.build_rows): the same
figures either way, which tests/test_figures.py checks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import suggestion
from modules.statistics import words as W
from modules.statistics.catalogue import MEASURE_LABELS, NOT_FILLED, Definitions, Dimension, Table, definitions
from web import scope
from web.db.models import Unit, UnitClosure
from web.errors import Refusal
from web.principal import Principal

PERMISSION = "stats.read"
Counts = dict[tuple[str, ...], list[float]]  # dims codes → [count, sum of ages, teachers with an age]


class OutOfScope(Refusal):
    """403: the unit exists but lies outside the caller's stats.read scope (named neither by
    name nor by code in the message: nothing of it leaks)."""

    def __init__(self, own: str = "") -> None:
        super().__init__(W.W_OUT_OF_SCOPE, own=own)


class UnknownUnit(Refusal):
    def __init__(self, code: str) -> None:
        super().__init__(W.W_UNKNOWN_UNIT, code=code)


class UnknownTable(Refusal):
    def __init__(self, key: str, known: Iterable[str]) -> None:
        known = sorted(known)
        super().__init__(W.W_UNKNOWN_TABLE, table=key, allowed=", ".join(known), **suggestion(key, known))


class UnknownDimension(Refusal):
    def __init__(self, key: str, known: Iterable[str]) -> None:
        known = sorted(known)
        super().__init__(W.W_UNKNOWN_DIMENSION, dimension=key, allowed=", ".join(known), **suggestion(key, known))


# ------------------------------------------------------------------ results

def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def unit_json(unit: Any) -> dict[str, Any]:
    """A unit (or a row of its code, name and level) as the API shows it."""
    return {"code": unit.code, "name": unit.name, "level": unit.level}


@dataclass
class StatResult:
    as_of: str
    unit: dict[str, Any]
    table: Table
    dims: list[Dimension]
    counts: Counts
    lang: str = "zh"
    source: str = "records"  # records (computed directly) | summary (the summary tables) | snapshot

    @property
    def total(self) -> int:
        return int(sum(v[0] for v in self.counts.values()))

    def rows(self, lang: str | None = None) -> list[dict[str, Any]]:
        lang = lang or self.lang
        total = self.total
        orders = [d.order() for d in self.dims]

        def sort_key(codes: tuple[str, ...]) -> tuple[Any, ...]:
            return tuple((c == NOT_FILLED, o.get(c, len(o)), c) for c, o in zip(codes, orders))

        out = []
        for codes in sorted(self.counts, key=sort_key):
            n, age_sum, aged = self.counts[codes]
            if not n:
                continue
            row: dict[str, Any] = {"dims": {d.key: c for d, c in zip(self.dims, codes)},
                                   "labels": {d.key: d.label_of(c, lang) for d, c in zip(self.dims, codes)},
                                   "count": int(n)}
            if "share" in self.table.measures:
                row["share"] = round(n / total, 4) if total else 0.0
            if "avg_age" in self.table.measures:
                row["avg_age"] = round(age_sum / aged, 1) if aged else None
            out.append(row)
        return out

    def json(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang
        return {"as_of": self.as_of, "unit": self.unit,
                "table": {"key": self.table.key, "label": self.table.label.get(lang)},
                "dims": [{"key": d.key, "label": d.label.get(lang)} for d in self.dims],
                "measures": [{"key": m, "label": MEASURE_LABELS[m][1 if lang == "en" else 0]}
                             for m in self.table.measures],
                "rows": self.rows(lang), "total": self.total, "source": self.source}


@dataclass
class CrossTab:
    as_of: str
    unit: dict[str, Any]
    row_dim: Dimension
    col_dim: Dimension
    counts: Counts
    lang: str = "zh"
    source: str = "records"

    def json(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang

        def values(dim: Dimension, i: int) -> list[str]:
            seen = {k[i] for k, v in self.counts.items() if v[0]}
            order = dim.order()
            return sorted(seen, key=lambda c: (c == NOT_FILLED, order.get(c, len(order)), c))

        rows, cols = values(self.row_dim, 0), values(self.col_dim, 1)
        cells = [[int(self.counts.get((r, c), [0])[0]) for c in cols] for r in rows]
        return {"as_of": self.as_of, "unit": self.unit,
                "row": {"key": self.row_dim.key, "label": self.row_dim.label.get(lang),
                        "values": [{"code": r, "label": self.row_dim.label_of(r, lang)} for r in rows]},
                "col": {"key": self.col_dim.key, "label": self.col_dim.label.get(lang),
                        "values": [{"code": c, "label": self.col_dim.label_of(c, lang)} for c in cols]},
                "cells": cells, "row_totals": [sum(r) for r in cells],
                "col_totals": [sum(r[j] for r in cells) for j in range(len(cols))],
                "total": sum(sum(r) for r in cells), "source": self.source}


# ------------------------------------------------------------------ the contract

def dimensions(cat: Any = None) -> dict[str, Dimension]:
    """The dimension registry in force (national + the deployment's province)."""
    return dict(definitions(cat).dimensions)


def tables_for(me: Principal, cat: Any = None) -> list[Table]:
    """The tables ``me`` may read: every table in force, for an account holding stats.read."""
    if me is None or me.kind != "staff" or not me.has(PERMISSION):
        return []
    return list(definitions(cat).tables.values())


def _require(me: Principal) -> None:
    if me is None or me.kind != "staff" or not me.has(PERMISSION):
        raise Refusal(W.W_NO_STATS)


def resolve_unit(db: Session, me: Principal, unit_code: str | None) -> Unit:
    """The unit asked for (the caller's own when None), within the caller's stats.read scope."""
    _require(me)
    if not unit_code:
        roots = me.roots(PERMISSION)
        unit = db.get(Unit, me.unit_id if me.unit_id in roots else roots[0])
        assert unit is not None
        return unit
    # the unit and whether it lies within the caller's scope, in one query (web/scope.py's filter as a column)
    found = db.execute(select(Unit, scope.unit_filter(me, PERMISSION, Unit.id).label("inside"))
                       .where(Unit.code == str(unit_code).strip())).first()
    if found is None:
        raise UnknownUnit(str(unit_code))
    unit, inside = found
    if not inside:
        own = db.get(Unit, me.unit_id)
        raise OutOfScope(own.name if own else "")
    return unit


def _table(defs: Definitions, key: str) -> Table:
    table = defs.tables.get(key)
    if table is None:
        raise UnknownTable(key, defs.tables)
    return table


def _dimension(defs: Definitions, key: str) -> Dimension:
    dim = defs.dimensions.get(key)
    if dim is None:
        raise UnknownDimension(key, defs.dimensions)
    return dim


@dataclass
class Scope:
    """Which teachers a figure covers: the unit's subtree, narrowed by the filters."""

    unit: Unit
    unit_ids: list[int] | None = None  # None: the unit's whole subtree
    school_types: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _scope(db: Session, unit: Unit, filters: Mapping[str, Any] | None, cat: Any) -> Scope:
    out = Scope(unit)
    for key, value in (filters or {}).items():
        values = [value] if isinstance(value, str) else list(value or [])
        values = [str(v).strip() for v in values if str(v).strip()]
        if not values:
            continue
        if key == "school_type":
            known = set(cat.school_types) if cat is not None else set()
            bad = [v for v in values if known and v not in known]
            if bad:
                raise Refusal(W.W_BAD_FILTER, key=key, detail=f"没有办学类型「{bad[0]}」（可用：{'、'.join(sorted(known))}）",
                              detail_en=f"no school type '{bad[0]}' (known: {', '.join(sorted(known))})")
            out.school_types = values
        elif key == "unit":
            found = dict(db.execute(select(Unit.code, Unit.id).where(Unit.code.in_(values))).all())
            inside = set(db.scalars(select(UnitClosure.descendant_id).where(
                UnitClosure.ancestor_id == unit.id, UnitClosure.descendant_id.in_(list(found.values()) or [-1]))))
            bad = [v for v in values if found.get(v) not in inside]
            if bad:
                raise Refusal(W.W_BAD_FILTER, key=key, detail=f"单位「{bad[0]}」不在「{unit.name}」之下",
                              detail_en=f"unit '{bad[0]}' is not below '{unit.name}'")
            listed = {found[v] for v in values}
            ids = set(db.scalars(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id.in_(listed))))
            out.unit_ids = sorted(ids)
            # the listed units none of whose ancestors is listed too (a unit and its school count once)
            nested = set(db.scalars(select(UnitClosure.descendant_id).where(
                UnitClosure.ancestor_id.in_(listed), UnitClosure.descendant_id.in_(listed), UnitClosure.depth > 0)))
            out.extra["roots"] = sorted(listed - nested)
        else:
            raise Refusal(W.W_BAD_FILTER, key=key, detail="未知的筛选条件", detail_en="unknown filter")
    return out


def _cat(cat: Any) -> Any:
    if cat is not None:
        return cat
    from modules.statistics.facts import _catalogue

    return _catalogue()


def _source(db: Session, snapshot: Any, cat: Any) -> Any:
    """Where figures come from: the summary tables when built (refresh.py), else the records."""
    from modules.statistics import summary

    return summary.reader(db, snapshot, cat)


def compute(db: Session, me: Principal, table_key: str, unit_code: str | None, *,
            filters: Mapping[str, Any] | None = None, snapshot: Any = None, cat: Any = None,
            lang: str = "zh") -> StatResult:
    cat = _cat(cat)
    defs = definitions(cat)
    unit = resolve_unit(db, me, unit_code)
    table = _table(defs, table_key)
    where = _scope(db, unit, filters, cat)
    dims = [defs.dimensions[d] for d in table.dims]
    src = _source(db, snapshot, cat)
    counts, as_of = src.counts(db, cat, defs, where, [d.key for d in dims], table_key=table.key)
    return StatResult(as_of, unit_json(unit), table, dims, counts, lang, src.name)


def compute_many(db: Session, me: Principal, table_keys: Iterable[str], unit_code: str | None, *,
                 filters: Mapping[str, Any] | None = None, snapshot: Any = None, cat: Any = None,
                 lang: str = "zh") -> list[StatResult]:
    """Several tables of one unit (a dashboard): the unit, scope and source resolved once; from the
    summary tables, every table in one query."""
    cat = _cat(cat)
    defs = definitions(cat)
    unit = resolve_unit(db, me, unit_code)
    tables = [_table(defs, k) for k in table_keys]
    where = _scope(db, unit, filters, cat)
    src = _source(db, snapshot, cat)
    many = getattr(src, "counts_many", None)
    if many is not None:
        found = many(db, defs, where, [t.key for t in tables])
    else:
        found = {t.key: src.counts(db, cat, defs, where, list(t.dims), table_key=t.key) for t in tables}
    return [StatResult(found[t.key][1], unit_json(unit), t, [defs.dimensions[d] for d in t.dims], found[t.key][0],
                       lang, src.name) for t in tables]


def crosstab(db: Session, me: Principal, row_dim: str, col_dim: str, unit_code: str | None, *,
             filters: Mapping[str, Any] | None = None, snapshot: Any = None, cat: Any = None,
             lang: str = "zh") -> CrossTab:
    cat = _cat(cat)
    defs = definitions(cat)
    unit = resolve_unit(db, me, unit_code)
    r, c = _dimension(defs, row_dim), _dimension(defs, col_dim)
    if r.key == c.key:
        raise Refusal(W.W_SAME_DIMENSION, dimension=r.key)
    where = _scope(db, unit, filters, cat)
    src = _source(db, snapshot, cat)
    counts, as_of = src.counts(db, cat, defs, where, [r.key, c.key])
    return CrossTab(as_of, unit_json(unit), r, c, counts, lang, src.name)


def children(db: Session, me: Principal, table_key: str, unit_code: str | None, *,
             snapshot: Any = None, cat: Any = None, lang: str = "zh",
             filters: Mapping[str, Any] | None = None,
             first_only: bool = False) -> list[tuple[dict[str, Any], StatResult]]:
    """The table for each unit one level below (drill-down), in code order. ``first_only``: only
    along the table's first dimension (what the dashboard's chart of the units below shows), read
    from the table of that dimension alone when the definitions have one (a few rows per unit)."""
    cat = _cat(cat)
    defs = definitions(cat)
    unit = resolve_unit(db, me, unit_code)
    table = _table(defs, table_key)
    if first_only and len(table.dims) > 1:
        table = next((t for t in defs.tables.values() if list(t.dims) == list(table.dims[:1])), table)
    dims = [defs.dimensions[d] for d in table.dims]
    if first_only and len(dims) > 1:
        return [(u, StatResult(r.as_of, r.unit, r.table, dims[:1], _collapse(r.counts), lang, r.source))
                for u, r in children(db, me, table.key, unit_code, snapshot=snapshot, cat=cat, lang=lang,
                                     filters=filters)]
    # the units one level down: their id, code, name and level only (a county has hundreds of schools)
    kids = db.execute(select(Unit.id, Unit.code, Unit.name, Unit.level).where(Unit.parent_id == unit.id)
                      .order_by(Unit.code)).all()
    src = _source(db, snapshot, cat)
    by_unit = getattr(src, "counts_by_unit", None)
    if by_unit is not None and not (filters or {}).get("unit"):
        # from the summary tables: every unit's rows of the table in one query
        where = _scope(db, unit, filters, cat)
        found, as_of = by_unit(db, defs, table.key, [k.id for k in kids], where.school_types)
        return [(unit_json(kid), StatResult(as_of, unit_json(kid), table, dims, found.get(kid.id, {}), lang, src.name))
                for kid in kids]
    out = []
    for kid in kids:
        where = _scope(db, kid, filters, cat)
        counts, as_of = src.counts(db, cat, defs, where, [d.key for d in dims], table_key=table.key)
        out.append((unit_json(kid), StatResult(as_of, unit_json(kid), table, dims, counts, lang, src.name)))
    return out


def _collapse(counts: Counts) -> Counts:
    """Counts along the first dimension only."""
    out: Counts = {}
    for codes, (n, age_sum, aged) in counts.items():
        c = out.setdefault(codes[:1], [0, 0.0, 0])
        c[0] += n
        c[1] += age_sum
        c[2] += aged
    return out


# ------------------------------------------------------------------ direct computation

class Direct:
    """Figures computed directly from the approved records (facts.build_rows), no summary tables."""

    name = "records"

    def counts(self, db: Session, cat: Any, defs: Definitions, where: Scope, dims: list[str],
               table_key: str | None = None, as_of: dt.date | None = None) -> tuple[Counts, str]:
        from modules.statistics.facts import build_rows, subtree_ids

        stamp = _now()
        out: Counts = defaultdict(lambda: [0, 0.0, 0])
        unit_ids = where.unit_ids if where.unit_ids is not None else subtree_ids(where.unit.id)
        for row in build_rows(db, as_of, cat=cat, defs=defs, unit_ids=unit_ids):
            if where.school_types is not None and row["school_type"] not in where.school_types:
                continue
            cell = out[tuple(row["dims"][d] for d in dims)]
            cell[0] += 1
            if row["age"] is not None:
                cell[1] += row["age"]
                cell[2] += 1
        return dict(out), stamp
