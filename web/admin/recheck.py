"""规则调整后需核实的记录: records saved before a catalogue change that the catalogue in force now
rejects, for the units in the account's scope (web/services/recheck.py); each links to its form."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.orm import Session

from web.admin.common import page
from web.context import AppContext
from web.principal import Principal
from web.services import recheck


class RecheckPages(Controller):
    path = "/admin/recheck"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        rows = recheck.needs_recheck(db, ctx.catalogue, me)
        return page(request, db, "admin/recheck.html", me=me, rows=rows, limit=recheck.LIMIT,
                    version=ctx.catalogue.version)
