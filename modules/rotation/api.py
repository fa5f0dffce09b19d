"""/api/v1/rotations: POST {"teacher_id", "to_unit", "relation", "start", "end", "rotation_type"} by the
sending school's 信息管理员 → 201 with the case; the shared actions of web/cases/api.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, post
from sqlalchemy.orm import Session

from modules.rotation import service as R
from web.cases import service as S
from web.cases.api import CaseActions
from web.context import AppContext
from web.deps import lang_of
from web.principal import Principal


@dataclass
class RotationIn:
    teacher_id: int
    to_unit: str
    relation: bool = False
    start: str | None = None
    end: str | None = None
    rotation_type: str | None = None


class RotationController(CaseActions):
    path = "/api/v1/rotations"
    tags = ["rotations"]
    kind = "rotation"

    @post("/", sync_to_thread=True, status_code=201, summary="Start a rotation (the sending school)")
    def start(self, data: RotationIn, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        case = R.start(db, ctx.catalogue, me, data.teacher_id, data.to_unit, relation=data.relation, start=data.start,
                       end=data.end, rotation_type=data.rotation_type, province=ctx.settings.province)
        return S.case_json(db, me, case, lang_of(request))
