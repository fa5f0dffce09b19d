"""/api/v1/statistics (issue 16): the tables the caller may read, and one table's figures for a unit.

    GET /api/v1/statistics                      {"unit", "tables": [{key, label, dims, measures}], "dimensions"}
    GET /api/v1/statistics/{table}?unit=<code>  {"as_of", "unit", "table", "dims", "measures",
                                                 "rows": [{"dims", "labels", "count", "share", "avg_age"}], "total"}
        optional: school_type=<key> (repeatable), within=<unit code> (repeatable: units below ``unit``),
        snapshot=<id>, lang=en
    GET /api/v1/statistics/{table}/children?unit=<code>   the table for each unit one level below
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import Parameter
from sqlalchemy.orm import Session

from modules.statistics import service as stats
from web.context import AppContext
from web.deps import lang_of
from web.principal import Principal


def _filters(school_type: list[str] | None, within: list[str] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if school_type:
        out["school_type"] = [v for s in school_type for v in s.split(",") if v]
    if within:
        out["unit"] = [v for s in within for v in s.split(",") if v]
    return out


class StatisticsController(Controller):
    path = "/api/v1/statistics"
    tags = ["statistics"]

    @get("/", sync_to_thread=True, summary="The statistics tables the caller may read")
    def tables(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        lang = lang_of(request)
        unit = stats.resolve_unit(db, me, None)
        dims = stats.dimensions(ctx.catalogue)
        return {"unit": stats.unit_json(unit),
                "tables": [t.as_json(dims, lang) for t in stats.tables_for(me, ctx.catalogue)],
                "dimensions": [d.as_json(lang) for d in dims.values()]}

    @get("/{table:str}", sync_to_thread=True, summary="One statistics table for a unit within the caller's scope")
    def table(self, table: str, request: Request, db: Session, ctx: AppContext, me: Principal,
              unit: str | None = None, school_type: list[str] | None = None, within: list[str] | None = None,
              snapshot: str | None = Parameter(default=None)) -> dict[str, Any]:
        lang = lang_of(request)
        result = stats.compute(db, me, table, unit, filters=_filters(school_type, within), snapshot=snapshot,
                               cat=ctx.catalogue, lang=lang)
        return result.json(lang)

    @get("/{table:str}/children", sync_to_thread=True, summary="The table for each unit one level below")
    def children(self, table: str, request: Request, db: Session, ctx: AppContext, me: Principal,
                 unit: str | None = None, snapshot: str | None = None) -> dict[str, Any]:
        lang = lang_of(request)
        found = stats.children(db, me, table, unit, snapshot=snapshot, cat=ctx.catalogue, lang=lang)
        parent = stats.resolve_unit(db, me, unit)
        return {"unit": stats.unit_json(parent),
                "children": [{"unit": u, **r.json(lang)} for u, r in found]}
