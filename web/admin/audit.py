"""安全审计: the audit viewer page for ``audit.read`` holders (filters in the query string, a
page of 50 entries, newest first); the same service as ``GET /api/v1/audit``."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.orm import Session

from web.admin.common import PAGE, page, page_of
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
