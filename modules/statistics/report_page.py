"""The analysis report's pages: /statistics/units/<code>/report?year= (HTML, prints on A4) and
/statistics/units/<code>/report.pdf?year= (the same document as a PDF, downloaded and audited as
an export of statistics). Without the PDF renderer or Chinese fonts the PDF answers 503 W516 with
the reason, and the HTML page says it instead of offering the link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Response, Template
from sqlalchemy.orm import Session

from modules.statistics import export as X
from modules.statistics import pages as P
from modules.statistics import report as R
from web import audit
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of
from web.pages.common import render
from web.principal import Principal


class ReportPages(Controller):
    path = P.BASE
    include_in_schema = False

    @get("/report", sync_to_thread=True)
    def own(self, db: Session, me: Principal) -> Redirect:
        """分析报告 in the menu: the report of the caller's own unit, this year."""
        return Redirect(path=f"{P.BASE}/units/{P.own_unit(db, me).code}/report", status_code=303)

    @get("/units/{code:str}/report", sync_to_thread=True)
    def page(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str,
             year: str | None = None) -> Template:
        r = R.build(db, me, code, year, cat=ctx.catalogue, lang=lang_of(request))
        return render(request, "statistics/report.html", me=me, r=r, base=P.BASE)

    @get("/units/{code:str}/report.pdf", sync_to_thread=True)
    def pdf(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str,
            year: str | None = None) -> Response[bytes]:
        lang = lang_of(request)
        r = R.build(db, me, code, year, cat=ctx.catalogue, lang=lang)
        html = request.app.template_engine.engine.get_template("statistics/report_pdf.html").render(
            r=r, lang=lang, base=P.BASE)
        content = R.to_pdf(html)
        unit = db.get(Unit, P.unit_of(db, me, code).id)
        audit.record(db, "stats.export", actor=me, target_type="statistics", target_id="report", unit_id=unit.id,
                     detail={"table": "report", "unit": unit.code, "year": r["year"], "as_of": r["as_of"],
                             "format": "pdf"})
        name = X.filename(unit.name, f"{r['year']}年教师队伍分析报告").removesuffix(".xlsx") + ".pdf"
        return Response(content, media_type="application/pdf",
                        headers={"content-disposition": X.disposition(name, f"report-{unit.code}-{r['year']}.pdf"),
                                 "cache-control": "no-store"})


__all__ = ["ReportPages", "Any"]
