"""The actions every case kind shares, under its own path (/api/v1/transfers, /rotations,
/status-changes): read one, list (``?queue=mine``), approve, return (a reason is required),
reject, withdraw, resubmit. A module subclasses ``CaseActions`` with its ``path``, ``kind`` and
its own POST that starts a case. Every write may name the ``version`` it acts on (W776 if the
case moved meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from sqlalchemy.orm import Session

from web.cases import service as S
from web.context import AppContext
from web.deps import lang_of
from web.principal import Principal


@dataclass
class ActIn:
    reason: str | None = None
    version: int | None = None


class CaseActions(Controller):
    kind = ""

    def _act(self, action: str, case_id: int, data: ActIn | None, request: Request, db: Session,
             ctx: AppContext, me: Principal) -> dict[str, Any]:
        S.get(db, me, case_id, self.kind)
        case = S.act(db, ctx.catalogue, me, case_id, action, reason=data.reason if data else None,
                     version=data.version if data else None, province=ctx.settings.province)
        return S.case_json(db, me, case, lang_of(request))

    @get("/", sync_to_thread=True, summary="Cases you may see; queue=mine: those waiting for you")
    def list_cases(self, request: Request, db: Session, me: Principal, queue: str | None = None) -> list[dict[str, Any]]:
        cases = S.listing(db, me, self.kind, queue)
        S.audit_read(db, me, cases)
        return [S.case_json(db, me, c, lang_of(request)) for c in cases]

    @get("/{mobility_case_id:int}", sync_to_thread=True, summary="One case: state, acting unit, steps, transitions")
    def read(self, mobility_case_id: int, request: Request, db: Session, me: Principal) -> dict[str, Any]:
        case = S.get(db, me, mobility_case_id, self.kind)
        S.audit_read(db, me, [case])
        return S.case_json(db, me, case, lang_of(request))

    @post("/{mobility_case_id:int}/approve", sync_to_thread=True, status_code=200, summary="审核通过 / 确认 the current step")
    def approve(self, mobility_case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal,
                data: ActIn | None = None) -> dict[str, Any]:
        return self._act("approve", mobility_case_id, data, request, db, ctx, me)

    @post("/{mobility_case_id:int}/return", sync_to_thread=True, status_code=200, summary="退回 to the initiator (reason required)")
    def return_(self, mobility_case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal,
                data: ActIn | None = None) -> dict[str, Any]:
        return self._act("return", mobility_case_id, data, request, db, ctx, me)

    @post("/{mobility_case_id:int}/reject", sync_to_thread=True, status_code=200, summary="不予通过: close the case (reason required)")
    def reject(self, mobility_case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal,
               data: ActIn | None = None) -> dict[str, Any]:
        return self._act("reject", mobility_case_id, data, request, db, ctx, me)

    @post("/{mobility_case_id:int}/withdraw", sync_to_thread=True, status_code=200, summary="撤回 by the initiator")
    def withdraw(self, mobility_case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal,
                 data: ActIn | None = None) -> dict[str, Any]:
        return self._act("withdraw", mobility_case_id, data, request, db, ctx, me)

    @post("/{mobility_case_id:int}/resubmit", sync_to_thread=True, status_code=200, summary="重新提交 a returned case")
    def resubmit(self, mobility_case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal,
                 data: ActIn | None = None) -> dict[str, Any]:
        return self._act("resubmit", mobility_case_id, data, request, db, ctx, me)
