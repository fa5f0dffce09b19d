"""The teachers of one cell of a statistics table (issue 16: drill to individuals), opened from
the 查看名单 link beside a cell of the dashboard or the cross table. Thin: who may open which
cell, which teachers and what of them is shown are decided by modules/statistics/drill.py."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.orm import Session

from modules.statistics import drill
from modules.statistics import pages as P
from web.context import AppContext
from web.deps import lang_of
from web.pages.common import render
from web.principal import Principal


class DrillPages(Controller):
    path = f"{P.BASE}/units/{{code:str}}"
    include_in_schema = False

    @get("/teachers", sync_to_thread=True)
    def cell(self, request: Request, db: Session, ctx: AppContext, me: Principal, code: str, page: int = 1) -> Template:
        lang = lang_of(request)
        ask = P.ask_of(request)
        found = drill.teachers(db, me, code, request.query_params.getall("cell", []), filters=ask.filters,
                               snapshot=ask.snapshot, cat=ctx.catalogue, page=page, lang=lang)
        here = drill.href(code, found.cell, ask.query())
        return render(request, "statistics/teachers.html", me=me, unit=found.unit, found=found,
                      trail=P.trail(db, me, found.unit), back=ask.href(f"{P.BASE}/units/{code}"),
                      filters=P.filter_text(ask.filters, lang), here=here, base=P.BASE)
