"""/api/v1/status-changes: POST {"teacher_id", "change", "on", "code", "note"} by the school's
信息管理员 → 201 with the case (已完成 at once unless the workflow wants a confirmation);
the shared actions of web/cases/api.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, post
from sqlalchemy.orm import Session

from modules.status_change import service as SC
from web.cases import service as S
from web.cases.api import CaseActions
from web.context import AppContext
from web.deps import lang_of
from web.principal import Principal


@dataclass
class StatusChangeIn:
    teacher_id: int
    change: str
    on: str
    code: str | None = None
    note: str | None = None


class StatusChangeController(CaseActions):
    path = "/api/v1/status-changes"
    tags = ["status changes"]
    kind = "status_change"

    @post("/", sync_to_thread=True, status_code=201,
          summary="Record a status change (长期不在岗 absent with code, 离职 left, 退休 retired, 死亡 died, 返岗 returned)")
    def start(self, data: StatusChangeIn, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        case = SC.start(db, ctx.catalogue, me, data.teacher_id, data.change, data.on, code=data.code, note=data.note,
                        province=ctx.settings.province)
        return S.case_json(db, me, case, lang_of(request))
