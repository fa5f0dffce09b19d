"""The trends page (issue 16): one table of a unit compared across the snapshots, and now, drawn by
the dashboards' ECharts (modules/statistics/static/stats.js, one bar per snapshot and code); the
register of snapshots (day, why, how it was taken); and, for the province's staff, the button that
takes a snapshot on demand (snapshots.on_demand, audited)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from modules.statistics import pages as P
from modules.statistics import service as stats
from modules.statistics import snapshots as S
from modules.statistics import trends as T
from web import permissions
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of, run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal

MAX_SERIES = 12


def chart(trend: dict[str, Any], lang: str, title: str) -> dict[str, Any]:
    """The spec stats.js draws: the points (snapshots, then now) down the side, a bar per code."""
    series = sorted(trend["series"], key=lambda s: -sum(s["counts"]))
    if len(series) > MAX_SERIES:
        rest = series[MAX_SERIES - 1:]
        series = series[:MAX_SERIES - 1] + [{"label": "其他" if lang != "en" else "Others",
                                             "counts": [sum(c) for c in zip(*(s["counts"] for s in rest))]}]
    as_of = trend["points"][-1]["as_of"] if trend["points"] else None
    return {"title": title, "as_of": P.C.as_of_line(as_of, lang), "value_name": "人数" if lang != "en" else "Teachers",
            "categories": [f"{p['as_of'][:10]} {p['label']}" if p["snapshot"] else p["label"] for p in trend["points"]],
            "series": [{"name": s["label"] or ("合计" if lang != "en" else "Total"), "data": s["counts"]} for s in series]}


class TrendPages(Controller):
    path = P.BASE
    include_in_schema = False

    @get("/trends", sync_to_thread=True)
    def own(self, db: Session, me: Principal) -> Redirect:
        """趋势 in the menu: the trends of the caller's own unit."""
        return Redirect(path=f"{P.BASE}/units/{P.own_unit(db, me).code}/trends", status_code=303)

    def _page(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, table: str = "",
              error: Refusal | None = None) -> Template:
        lang = lang_of(request)
        unit = P.unit_of(db, me, code)
        tables = P.table_list(me, lang, ctx.catalogue)
        # unasked, the first one-way table: a trend of a three-way table is a row of dozens of columns
        plain = [t["key"] for t in tables if t["dims"] == 1] or [t["key"] for t in tables]
        chosen = table if table in {t["key"] for t in tables} else (plain[0] if plain else "")
        trend = T.trend(db, me, chosen, code, cat=ctx.catalogue, lang=lang) if chosen else None
        label = next((t["label"] for t in tables if t["key"] == chosen), chosen)
        own = db.get(Unit, me.unit_id)
        due = S.next_due()
        next_due = ({"day": due[0].isoformat(), "label": due[1].label.get(lang)} if due else None)
        return render(request, "statistics/trends.html", me=me, unit=unit, trail=P.trail(db, me, unit), tables=tables,
                      chosen=chosen, trend=trend, spec=chart(trend, lang, label) if trend else None,
                      snapshots=[S.snapshot_json(s, lang) for s in S.listing(db)],
                      may_take=permissions.may(me, S.TAKE, own), next_due=next_due, error=error, msg=request.query_params.get("msg"),
                      echarts=P.ECHARTS_VERSION, base=P.BASE, status_code=error.status if error else 200)

    @get("/units/{code:str}/trends", sync_to_thread=True)
    def trends(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str,
               table: str = "") -> Template:
        return self._page(request, db, ctx, me, code, table)

    @post("/snapshots", status_code=200, media_type=MediaType.HTML)
    async def take(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Any:
        """The province's button: a snapshot now (or of the day typed)."""
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            snap = await run_unit_of_work(db, lambda: S.on_demand(db, me, form.get("as_of") or None, cat=ctx.catalogue))
        except Refusal as r:
            code = await anyio.to_thread.run_sync(lambda: stats.resolve_unit(db, me, None).code)
            return await anyio.to_thread.run_sync(lambda: self._page(request, db, ctx, me, code, error=r))
        done = (f"已生成 {snap.as_of} 的快照（{snap.teachers} 人）" if lang_of(request) != "en"
                else f"Snapshot of {snap.as_of} taken ({snap.teachers} teachers)")
        own = await anyio.to_thread.run_sync(lambda: stats.resolve_unit(db, me, None).code)
        return Redirect(path=f"{P.BASE}/units/{own}/trends?msg={quote(done)}", status_code=303)
