"""``GET /api/v1/audit``: the audit viewer's entries (web/services/audit_view.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from sqlalchemy.orm import Session

from web.context import AppContext
from engine import idnumber
from web import scope
from web.errors import W_ID_IN_AUDIT_URL, Refusal
from web.security import search
from web.principal import Principal
from web.services import audit_view


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get("/", sync_to_thread=True, summary="Audit log entries of the units in scope (audit.read), newest first")
    def entries(self, db: Session, ctx: AppContext, me: Principal, actor: str | None = None,
                action: str | None = None, unit: str | None = None, teacher: str | None = None,
                since: str | None = None, until: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        if search.looks_like_id_number(actor):
            raise Refusal(W_ID_IN_AUDIT_URL, field="actor", example=scope.mask_id_numbers(idnumber.login_name(actor)))
        q = audit_view.AuditQuery.parse(actor=actor, action=action, unit=unit, teacher=teacher, since=since,
                                        until=until, limit=limit, offset=offset, limit_max=ctx.settings.page_size_max)
        total, items = audit_view.listing(db, me, q)
        return {"total": total, "limit": q.limit, "offset": q.offset, "items": items}
