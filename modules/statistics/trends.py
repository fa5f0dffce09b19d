"""Trends: one statistics table of a unit at every snapshot (snapshots.py), oldest first, and the
current approved data as the last point; the change of the total since the previous point.

    GET /api/v1/statistics/{table}/trend?unit=<code>
      {"table", "unit", "dims", "points": [{"snapshot": {...} | null, "as_of", "label", "total",
       "rows"}], "series": [{"key", "label", "counts"}], "change": {"total", "rate"}}

The figures of each point are ``service.compute(..., snapshot=id)`` (the frozen rows: a teacher
who moved is counted where they were on the snapshot's day), within the caller's scope like any
table (stats.read at the unit or above it)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from sqlalchemy.orm import Session

from modules.statistics import service as stats
from modules.statistics import snapshots as S
from web.context import AppContext
from web.deps import lang_of
from web.principal import Principal


def _series(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys: dict[str, str] = {}
    for p in points:
        for r in p["rows"]:
            key = "|".join(r["dims"].values())
            keys.setdefault(key, " · ".join(r["labels"].values()))
    out = []
    for key, label in keys.items():
        counts = [next((r["count"] for r in p["rows"] if "|".join(r["dims"].values()) == key), 0) for p in points]
        out.append({"key": key, "label": label, "counts": counts})
    return out


def trend(db: Session, me: Principal, table_key: str, unit_code: str | None, *, cat: Any = None,
          lang: str = "zh", live: bool = True) -> dict[str, Any]:
    points: list[dict[str, Any]] = []
    result = None
    for snap in S.listing(db):
        result = stats.compute(db, me, table_key, unit_code, snapshot=snap.id, cat=cat, lang=lang)
        body = result.json(lang)
        points.append({"snapshot": S.snapshot_json(snap, lang), "as_of": snap.as_of.isoformat(),
                       "label": S.snapshot_json(snap, lang)["label"], "total": body["total"], "rows": body["rows"]})
    if live or result is None:
        result = stats.compute(db, me, table_key, unit_code, cat=cat, lang=lang)
        body = result.json(lang)
        points.append({"snapshot": None, "as_of": body["as_of"], "label": "当前" if lang != "en" else "Now",
                       "total": body["total"], "rows": body["rows"]})
    body = result.json(lang)
    change = None
    if len(points) >= 2:
        before, after = points[-2]["total"], points[-1]["total"]
        change = {"total": after - before, "rate": round((after - before) / before, 4) if before else None}
    return {"table": body["table"], "unit": body["unit"], "dims": body["dims"], "points": points,
            "series": _series(points), "change": change}


class TrendController(Controller):
    path = "/api/v1/statistics"
    tags = ["statistics"]

    @get("/{table:str}/trend", sync_to_thread=True, summary="One table of a unit at every snapshot, and now")
    def trend(self, table: str, request: Request, db: Session, ctx: AppContext, me: Principal,
              unit: str | None = None) -> dict[str, Any]:
        return trend(db, me, table, unit, cat=ctx.catalogue, lang=lang_of(request))

    @get("/snapshots", sync_to_thread=True, summary="The snapshots of the approved data (trends)")
    def snapshots(self, request: Request, db: Session, me: Principal) -> dict[str, Any]:
        stats.resolve_unit(db, me, None)  # stats.read somewhere
        lang = lang_of(request)
        return {"items": [S.snapshot_json(s, lang) for s in S.listing(db)]}
