"""安全审计: the audit viewer page for ``audit.read`` holders (filters in the query string, a
page of 50 entries, newest first); the same service as ``GET /api/v1/audit``."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from engine import idnumber
from web import scope
from web.admin.common import PAGE, page, page_of, read_form
from web.context import AppContext
from web.errors import Refusal
from web.principal import Principal
from web.services import audit_view

FILTERS = ("actor", "action", "unit", "teacher", "since", "until")


class AuditPages(Controller):
    path = "/admin/audit"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form = {k: request.query_params.get(k, "").strip() for k in FILTERS}
        form["actor"] = scope.mask_id_numbers(idnumber.login_name(form["actor"]))  # the log keeps ID numbers masked
        n = page_of(request)
        error, total, rows = None, 0, []
        try:
            q = audit_view.AuditQuery.parse(**form, limit=PAGE, offset=(n - 1) * PAGE)
            total, rows = audit_view.listing(db, me, q)
        except Refusal as ref:
            if ref.status in (401, 403):
                raise
            error = ref
        query = urlencode({k: v for k, v in form.items() if v})
        return page(request, db, "admin/audit.html", me=me, form=form, rows=rows, total=total, page=n,
                    pages=max(1, -(-total // PAGE)), query=query, error=error,
                    status_code=error.status if error else 200)

    @post("/", status_code=303)
    async def filter_form(self, request: Request) -> Redirect:
        """The filter form posts what was typed; the list's address names a teacher (whose username
        is the ID number) only masked, as the log stores it (issue 14, finding 9)."""
        fields, _files = await read_form(request)
        form = {k: (fields.get(k) or [""])[0].strip() for k in FILTERS}
        form["actor"] = scope.mask_id_numbers(idnumber.login_name(form["actor"]))
        query = urlencode({k: v for k, v in form.items() if v})
        return Redirect(path=f"/admin/audit?{query}" if query else "/admin/audit", status_code=303)
