"""The statistics dashboards (issue 16) for whoever holds ``stats.read`` (信息查询员, 信息管理员,
信息审核员 at every level): per unit, headline numbers, a chart and a table of each standard table,
the units one level down (click one to drill down: province → city → county → school), Excel
export of any table (audited), a print view. Every chart says which data it shows ("as of").

Thin: every figure comes from modules.statistics.service (the API's own functions), which checks
``stats.read`` and scope (a unit outside it is W475, a 403 page). Below school level a row links to
the teacher list only when it holds at least 5 teachers or the viewer may read personal data there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.response import Redirect, Response, Template
from litestar.static_files import create_static_files_router
from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.statistics import charts as C
from modules.statistics import export as X
from modules.statistics import page_words as PW
from modules.statistics import service as stats
from web import audit, scope
from web.context import AppContext
from web.db.models import Unit, UnitClosure
from web.deps import lang_of
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal

HERE = Path(__file__).resolve().parent
ECHARTS_VERSION = "6.1.0"  # modules/statistics/static/vendor/README.md
BASE = "/statistics"


def static_files() -> Any:
    """The module's own scripts (ECharts, stats.js) at /statistics/static/: they leave with the module.
    Revalidated on each load (``no-cache``), so an upgrade reaches the browser at once."""
    return create_static_files_router(path=f"{BASE}/static", directories=[HERE / "static"], name="statistics_static",
                                      cache_control=CacheControlHeader(no_cache=True), include_in_schema=False)


# ------------------------------------------------------------------ answers of the service, as JSON

def result_json(result: Any, lang: str) -> dict[str, Any]:
    for call in (lambda: result.json(lang), lambda: result.json()):
        try:
            return dict(call())
        except TypeError:
            continue
    return dict(result)


def unit_json(unit: Any) -> dict[str, Any]:
    if isinstance(unit, Mapping):
        return dict(unit)
    return {"code": unit.code, "name": unit.name, "level": unit.level}


def table_list(me: Principal, lang: str, cat: Any = None) -> list[dict[str, str]]:
    """(key, label, number of dimensions) of the tables the caller may read, in the catalogue's order."""
    out = []
    for t in stats.tables_for(me, cat):
        if isinstance(t, Mapping):
            key, label, dims = t["key"], t.get("label"), t.get("dims", ())
        else:
            key, label, dims = t.key, getattr(t, "label", t.key), getattr(t, "dims", ())
        if hasattr(label, "get") and not isinstance(label, Mapping):
            label = label.get(lang)
        out.append({"key": key, "label": C.text(label, lang), "dims": len(dims)})
    return out


QUERY = {"school_type": "school_type", "unit": "within"}  # a filter and its query parameter (as the API's)


def filters_of(request: Request) -> dict[str, list[str]] | None:
    """The filters in the query (school_type=…&within=<unit code>…, each may repeat, as the API's);
    the service checks them (W479)."""
    out = {k: [v for v in request.query_params.getall(q, []) if v] for k, q in QUERY.items()}
    out = {k: v for k, v in out.items() if v}
    return out or None


def filter_query(filters: Mapping[str, list[str]] | None) -> str:
    from urllib.parse import urlencode

    return urlencode([(QUERY[k], v) for k, vs in (filters or {}).items() for v in vs])


@dataclass(frozen=True)
class Ask:
    """What a page asks the service besides the unit and the table: the filters and a snapshot
    (S3's frozen data, snapshots.py; None: the live approved data), and the query that carries
    them on to the page's links (drill-down, exports, print view, cross table)."""

    filters: dict[str, list[str]] | None = None
    snapshot: str | None = None

    @property
    def kw(self) -> dict[str, Any]:
        return {"filters": self.filters, "snapshot": self.snapshot}

    def query(self, *first: str) -> str:
        from urllib.parse import quote

        parts = [*first, filter_query(self.filters), f"snapshot={quote(self.snapshot)}" if self.snapshot else ""]
        return "&".join(p for p in parts if p)

    def href(self, path: str, *first: str) -> str:
        query = self.query(*first)
        return f"{path}?{query}" if query else path


def ask_of(request: Request) -> Ask:
    snap = (request.query_params.get("snapshot") or "").strip()[:20]
    return Ask(filters_of(request), snap or None)


def snapshot_choices(db: Session, lang: str) -> list[dict[str, Any]]:
    """The frozen snapshots a reader may switch the dashboard to (newest first)."""
    from modules.statistics import snapshots

    return [snapshots.snapshot_json(s, lang) for s in reversed(snapshots.listing(db))]


def filter_text(filters: Mapping[str, list[str]] | None, lang: str) -> str:
    if not filters:
        return ""
    names = {"school_type": "办学类型" if lang != "en" else "school type", "unit": "单位" if lang != "en" else "unit"}
    return "；".join(f"{names.get(k, k)} {', '.join(v)}" for k, v in filters.items())


# ------------------------------------------------------------------ the unit and where it sits

def unit_of(db: Session, me: Principal, code: str) -> Unit:
    """The unit by code, only when the caller reads statistics there: the service's refusals (W480
    without stats.read, W476 no such unit, W475 outside the caller's scope: a 403 page)."""
    return stats.resolve_unit(db, me, code)


def own_unit(db: Session, me: Principal) -> Unit:
    return stats.resolve_unit(db, me, None)


def trail(db: Session, me: Principal, unit: Unit) -> list[Unit]:
    """The units above ``unit`` the caller may open, top first (the breadcrumb back up)."""
    # one query: the unit's ancestors (unit_closure) within the caller's stats.read scope; scope reaches
    # down a subtree, so these are the unbroken chain from the top the caller may open down to the unit
    return list(db.scalars(select(Unit).join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
                           .where(UnitClosure.descendant_id == unit.id, UnitClosure.depth > 0,
                                  scope.unit_filter(me, "stats.read", Unit.id))
                           .order_by(UnitClosure.depth.desc())))


def dashboard_href(code: str, table: str | None = None, ask: Ask | None = None) -> str:
    return (ask or Ask()).href(f"{BASE}/units/{code}", f"table={table}" if table else "")


def cell_links(db: Session, me: Principal, unit: Unit, ask: Ask) -> Any:
    """The drill from a cell to its teachers (modules/statistics/drill.py decides who may open which
    cell): (access, a function of a row's dims and count giving its link or None). A snapshot's
    cells do not link (frozen counts, not today's roll)."""
    from modules.statistics import drill

    rights = drill.access(db, me, unit)
    if ask.snapshot:
        rights = drill.Access(False, rights.personal)
    extra = ask.query()

    def link(dims: Mapping[str, str], count: int) -> str | None:
        return drill.href(unit.code, dims, extra) if rights.opens(count) else None

    return rights, link


# ------------------------------------------------------------------ the pages

def _audit_export(db: Session, me: Principal, unit: Unit, what: str, rows: int, ask: Ask, as_of: Any) -> None:
    audit.record(db, "stats.export", actor=me, target_type="statistics", target_id=what, unit_id=unit.id,
                 detail={"table": what, "unit": unit.code, "rows": rows, "filters": dict(ask.filters or {}),
                         "snapshot": ask.snapshot, "as_of": str(as_of or "")})


def _xlsx(content: bytes, name: str, fallback: str) -> Response[bytes]:
    return Response(content, media_type=X.XLSX, headers={"content-disposition": X.disposition(name, fallback),
                                                         "cache-control": "no-store"})


class StatisticsPages(Controller):
    path = BASE
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def home(self, db: Session, me: Principal) -> Redirect:
        """统计概览 in the menu: the dashboard of the caller's own unit."""
        return Redirect(path=f"{BASE}/units/{own_unit(db, me).code}", status_code=303)

    @get("/crosstab", sync_to_thread=True)
    def own_crosstab(self, db: Session, me: Principal) -> Redirect:
        """交叉表 in the menu: the cross-table builder of the caller's own unit."""
        return Redirect(path=f"{BASE}/units/{own_unit(db, me).code}/crosstab", status_code=303)

    @get("/units/{code:str}", sync_to_thread=True)
    def dashboard(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, table: str = "") -> Template:
        lang = lang_of(request)
        unit = unit_of(db, me, code)
        ask = ask_of(request)
        tables = table_list(me, lang, ctx.catalogue)
        # every table in one read of the summary (compute_many), the unit and scope checked once
        results = [result_json(r, lang) for r in stats.compute_many(db, me, [t["key"] for t in tables], code,
                                                                    lang=lang, cat=ctx.catalogue, **ask.kw)]
        chosen = table or (tables[0]["key"] if tables else "")
        rights, link = cell_links(db, me, unit, ask)
        lists, personal = rights.lists, rights.personal
        cards = []
        for i, (t, res) in enumerate(zip(tables, results)):
            rows = C.table_rows(res, lang)
            for r in rows:
                r["link"] = link(r["dims"], int(r["count"] or 0))
                r["small"] = rights.small(int(r["count"] or 0))
            cards.append({"key": t["key"], "label": t["label"], "result": res, "rows": rows,
                          "chart": C.chart_of(res, lang, title=t["label"]), "id": f"chart-{i}",
                          "export": ask.href(f"{BASE}/units/{code}/export.xlsx", f"table={t['key']}")})
        below = []
        drill = None
        if unit.level != "school" and chosen:
            kids = [(unit_json(u), result_json(r, lang))
                    for u, r in stats.children(db, me, chosen, code, lang=lang, cat=ctx.catalogue, first_only=True,
                                               **ask.kw)]
            links = [dashboard_href(u["code"], table or None, ask) for u, _ in kids]
            label = next((t["label"] for t in tables if t["key"] == chosen), chosen)
            below = [{"unit": u, "href": h, "total": int(r.get("total") or 0), "as_of": r.get("as_of")}
                     for (u, r), h in zip(kids, links)]
            if kids:
                title = ("Units below: " if lang == "en" else "下级单位：") + label
                drill = C.children_chart(kids, lang, title, links)
        return render(request, "statistics/dashboard.html", me=me, me_unit=db.get(Unit, me.unit_id), unit=unit,
                      trail=trail(db, me, unit), tables=tables, cards=cards, chosen=chosen, below=below,
                      drill=drill, head=C.headline(results), as_of=results[0].get("as_of") if results else None,
                      as_of_line=C.as_of_line, filters=ask.filters or {}, ask=ask, snapshots=snapshot_choices(db, lang),
                      school_types=school_type_options(lang, ctx.catalogue), lists=lists, personal=personal,
                      min_cell=drill_min_cell(), echarts=ECHARTS_VERSION, base=BASE)

    @get("/units/{code:str}/print", sync_to_thread=True)
    def print_view(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str) -> Template:
        """Every standard table of the unit, charts drawn as SVG, for paper (A4)."""
        lang = lang_of(request)
        unit = unit_of(db, me, code)
        ask = ask_of(request)
        tables = table_list(me, lang, ctx.catalogue)
        cards = []
        found = stats.compute_many(db, me, [t["key"] for t in tables], code, lang=lang, cat=ctx.catalogue, **ask.kw)
        for i, (t, r) in enumerate(zip(tables, found)):
            res = result_json(r, lang)
            cards.append({"key": t["key"], "label": t["label"], "result": res, "rows": C.table_rows(res, lang),
                          "chart": C.chart_of(res, lang, title=t["label"]), "id": f"chart-{i}"})
        as_of = cards[0]["result"].get("as_of") if cards else None
        return render(request, "statistics/print.html", me=me, unit=unit, cards=cards, as_of=as_of,
                      as_of_line=C.as_of_line, filters=filter_text(ask.filters, lang), snapshot=ask.snapshot,
                      back=ask.href(f"{BASE}/units/{code}"), echarts=ECHARTS_VERSION, base=BASE)

    @get("/units/{code:str}/export.xlsx", sync_to_thread=True)
    def export_table(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, table: str = "") -> Response[bytes]:
        """One table of the unit as an Excel workbook (the API's rows), audited."""
        lang = lang_of(request)
        unit = unit_of(db, me, code)
        ask = ask_of(request)
        if not table:
            raise Refusal(PW.W_NO_TABLE, allowed=", ".join(t["key"] for t in table_list(me, lang, ctx.catalogue)))
        res = result_json(stats.compute(db, me, table, code, lang=lang, cat=ctx.catalogue, **ask.kw), lang)
        content = X.table_workbook(res, lang, filter_text(ask.filters, lang))
        _audit_export(db, me, unit, table, len(res.get("rows", [])), ask, res.get("as_of"))
        label = C.text((res.get("table") or {}).get("label"), lang)
        return _xlsx(content, X.filename(unit.name, label, X.date_part(res.get("as_of"), lang)),
                     f"statistics-{unit.code}-{table}.xlsx".replace("/", "_"))

    @get("/units/{code:str}/units.xlsx", sync_to_thread=True)
    def export_children(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, table: str = "") -> Response[bytes]:
        """The units one level down with their head counts (the drill-down's table), audited."""
        lang = lang_of(request)
        unit = unit_of(db, me, code)
        ask = ask_of(request)
        tables = table_list(me, lang, ctx.catalogue)
        key = table or (tables[0]["key"] if tables else "")
        kids = [(unit_json(u), result_json(r, lang))
                for u, r in stats.children(db, me, key, code, lang=lang, cat=ctx.catalogue, **ask.kw)]
        title = ("Units below " if lang == "en" else "下级单位教师数 ") + unit.name
        content = X.children_workbook(unit_json(unit), title, kids, lang)
        as_of = next((r.get("as_of") for _, r in kids if r.get("as_of")), None)
        _audit_export(db, me, unit, f"units:{key}", len(kids), ask, as_of)
        return _xlsx(content, X.filename(unit.name, "下级单位" if lang != "en" else "units below", X.date_part(as_of, lang)),
                     f"statistics-{unit.code}-units.xlsx")


def drill_min_cell() -> int:
    from modules.statistics import drill

    return drill.MIN_CELL


def school_type_options(lang: str, cat: Any = None) -> list[dict[str, str]]:
    """The school types a filter may name (the dimension registry's values of 办学类型)."""
    dims = stats.dimensions(cat)
    items = dims.values() if isinstance(dims, Mapping) else dims
    for d in items:
        js = d.as_json(lang) if hasattr(d, "as_json") else dict(d)
        if js.get("key") == "school_type" or js.get("source") == "school_type":
            return [{"code": v["code"], "label": v["label"]} for v in js.get("values", [])]
    return []


def route_handlers() -> list[Any]:
    from modules.statistics.crosstab_page import CrossTabPages
    from modules.statistics.drill_page import DrillPages

    return [StatisticsPages, CrossTabPages, DrillPages, static_files()]
