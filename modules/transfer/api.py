"""/api/v1/transfers (issue 15 §3): POST {"id_number", "name", "to_unit"} by the receiving school's
信息管理员 → 201 with the case; the shared actions of web/cases/api.py. With "from_province" (外省调入,
issue 19): a request to that province through the national tier → 201 with the request."""

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
    from_province: str | None = None   # 外省调入: the teacher's province (modules/transfer/interprovince.py)


class TransferController(CaseActions):
    path = "/api/v1/transfers"
    tags = ["transfers"]
    kind = "transfer"

    @post("/", sync_to_thread=True, status_code=201, summary="Start a transfer (the receiving school)")
    def start(self, data: TransferIn, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        if data.from_province and data.from_province != ctx.settings.province:
            from modules.transfer import interprovince as XP

            T.own_school(db, me, data.to_unit)
            row = XP.request(db, ctx.catalogue, me, data.from_province, data.id_number, data.name,
                             province=ctx.settings.province)
            return {"request": row.request_id, "province": row.province, "from_province": row.target_province,
                    "to_unit": row.to_unit_code, "state": "pending"}
        case = T.start(db, ctx.catalogue, me, data.id_number, data.name, data.to_unit, province=ctx.settings.province)
        return S.case_json(db, me, case, lang_of(request))
