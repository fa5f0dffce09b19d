"""/api/v1/transfers (issue 15 §3): POST {"id_number", "name", "to_unit"} by the receiving school's
信息管理员 → 201 with the case; the shared actions of web/cases/api.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, post
from sqlalchemy.orm import Session

from modules.transfer import service as T
from web.cases import service as S
from web.cases.api import CaseActions
from web.context import AppContext
from web.deps import lang_of
from web.principal import Principal


@dataclass
class TransferIn:
    id_number: str
    name: str
    to_unit: str


class TransferController(CaseActions):
    path = "/api/v1/transfers"
    tags = ["transfers"]
    kind = "transfer"

    @post("/", sync_to_thread=True, status_code=201, summary="Start a transfer (the receiving school)")
    def start(self, data: TransferIn, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        case = T.start(db, ctx.catalogue, me, data.id_number, data.name, data.to_unit, province=ctx.settings.province)
        return S.case_json(db, me, case, lang_of(request))
