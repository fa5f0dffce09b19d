"""The cross-table builder (二维交叉表): choose the row and the column dimension from the dimension
registry, filter by school type and by units one level down, see the table (with totals) and its
chart, export it to Excel (audited). The figures are the service's ``crosstab`` (the API's), the
form is a plain GET form: the URL of a table can be bookmarked and shared within scope."""

from __future__ import annotations

from typing import Any, Mapping

from litestar import Controller, Request, get
from litestar.response import Response, Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.statistics import charts as C
from modules.statistics import export as X
from modules.statistics import page_words as PW
from modules.statistics import pages as P
from modules.statistics import service as stats
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal

DEFAULT = ("school_type", "gender")  # the first table a user sees: school type by gender


def dimension_list(lang: str, cat: Any = None) -> list[dict[str, str]]:
    dims = stats.dimensions(cat)
    items = dims.values() if isinstance(dims, Mapping) else dims
    out = []
    for d in items:
        js = d.as_json(lang) if hasattr(d, "as_json") else dict(d)
        out.append({"key": js["key"], "label": C.text(js.get("label"), lang)})
    return out


def normalise(ct: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The service's cross table as the page and the workbook use it: labels of both dimensions,
    a row of cells per row value, totals on both sides."""
    row, col = ct.get("row") or {}, ct.get("col") or {}
    return {
        "as_of": ct.get("as_of"), "total": int(ct.get("total") or 0),
        "row_key": row.get("key"), "col_key": col.get("key"),
        "row_dim_label": C.text(row.get("label"), lang), "col_dim_label": C.text(col.get("label"), lang),
        "row_codes": [str(v.get("code", "")) for v in row.get("values") or []],
        "col_codes": [str(v.get("code", "")) for v in col.get("values") or []],
        "row_labels": [C.text(v.get("label"), lang) for v in row.get("values") or []],
        "col_labels": [C.text(v.get("label"), lang) for v in col.get("values") or []],
        "cells": [[int(v or 0) for v in line] for line in ct.get("cells") or []],
        "row_totals": [int(v or 0) for v in ct.get("row_totals") or []],
        "col_totals": [int(v or 0) for v in ct.get("col_totals") or []],
    }


def below(db: Session, unit: Unit) -> list[dict[str, str]]:
    """The units one level down (the unit filter's choices; the unit itself is in the caller's scope)."""
    return [{"code": c, "name": n} for c, n in db.execute(
        select(Unit.code, Unit.name).where(Unit.parent_id == unit.id).order_by(Unit.code))]


class CrossTabPages(Controller):
    path = f"{P.BASE}/units/{{code:str}}"
    include_in_schema = False

    def _build(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, row: str, col: str
               ) -> tuple[Unit, dict[str, Any] | None, P.Ask]:
        lang = lang_of(request)
        unit = P.unit_of(db, me, code)
        ask = P.ask_of(request)
        if not (row and col):
            return unit, None, ask
        ct = stats.crosstab(db, me, row, col, code, lang=lang, cat=ctx.catalogue, **ask.kw)
        return unit, normalise(P.result_json(ct, lang), lang), ask

    @get("/crosstab", sync_to_thread=True)
    def page(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, row: str = "", col: str = "") -> Template:
        lang = lang_of(request)
        dims = dimension_list(lang, ctx.catalogue)
        keys = [d["key"] for d in dims]
        chosen = (row, col)
        if not (row or col):  # a first visit: a table to start from
            chosen = (DEFAULT[0] if DEFAULT[0] in keys else (keys[0] if keys else ""),
                      DEFAULT[1] if DEFAULT[1] in keys else (keys[1] if len(keys) > 1 else ""))
        unit, ct, ask = self._build(request, db, ctx, me, code, *chosen)
        children = below(db, unit)
        links = None
        if ct:  # a cell opens its teachers (modules/statistics/drill.py decides which may)
            _, link = P.cell_links(db, me, unit, ask)
            links = [[link({ct["row_key"]: r, ct["col_key"]: c}, n) for c, n in zip(ct["col_codes"], line)]
                     for r, line in zip(ct["row_codes"], ct["cells"])]
        title = f"{ct['row_dim_label']} × {ct['col_dim_label']}" if ct else ""
        return render(request, "statistics/crosstab.html", me=me, me_unit=db.get(Unit, me.unit_id), unit=unit,
                      trail=P.trail(db, me, unit), dims=dims, row=chosen[0], col=chosen[1], ct=ct, title=title, links=links,
                      chart=C.crosstab_chart(ct, lang, title) if ct and ct["row_labels"] else None,
                      filters=ask.filters or {}, school_types=P.school_type_options(lang, ctx.catalogue), children=children,
                      export=ask.href(f"{P.BASE}/units/{code}/crosstab.xlsx", f"row={chosen[0]}&col={chosen[1]}"),
                      snapshot=ask.snapshot, back=ask.href(f"{P.BASE}/units/{code}"), as_of_line=C.as_of_line,
                      echarts=P.ECHARTS_VERSION, base=P.BASE)

    @get("/crosstab.xlsx", sync_to_thread=True)
    def export(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, row: str = "", col: str = ""
               ) -> Response[bytes]:
        lang = lang_of(request)
        unit, ct, ask = self._build(request, db, ctx, me, code, row, col)
        if ct is None:
            raise Refusal(PW.W_NO_AXES, allowed=", ".join(d["key"] for d in dimension_list(lang, ctx.catalogue)))
        title = f"{ct['row_dim_label']}×{ct['col_dim_label']}"
        content = X.crosstab_workbook(ct, title, P.unit_json(unit), lang, P.filter_text(ask.filters, lang))
        P._audit_export(db, me, unit, f"crosstab:{row}x{col}", len(ct["row_labels"]), ask, ct.get("as_of"))
        return P._xlsx(content, X.filename(unit.name, title, X.date_part(ct.get("as_of"), lang)),
                       f"statistics-{unit.code}-crosstab.xlsx")
