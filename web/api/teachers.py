from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from web import scope
from web.context import AppContext
from web.principal import Principal
from web.services import teachers as svc
from web.services.accounts import catalogue_version


@dataclass
class TeacherIn:
    unit_code: str
    name: str
    gender: str
    birth_date: str
    id_number: str
    id_type: str = "1"


class TeacherController(Controller):
    path = "/api/v1/teachers"
    tags = ["teachers"]

    @get("/", sync_to_thread=True, summary="Teachers within scope (filters, paging, total)")
    def list_teachers(self, db: Session, ctx: AppContext, me: Principal, unit: str | None = None,
                      below: bool = True, q: str | None = None,
                      file_state: Annotated[str | None, Parameter(query="state")] = None,
                      limit: int = 50, offset: int = 0) -> dict[str, Any]:
        limit = max(1, min(limit, ctx.settings.page_size_max))
        total, items = svc.listing(db, me, unit_code=unit, include_below=below, q=q, state=file_state,
                                   limit=limit, offset=max(0, offset))
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @get("/{teacher_id:int}", sync_to_thread=True, summary="One teacher with every set")
    def read(self, teacher_id: int, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return svc.read(db, me, teacher_id, ctx.catalogue)

    @post("/", sync_to_thread=True, summary="Create a teacher from the four items (one person, one number)")
    def create(self, data: TeacherIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        # the answer is the new file: a bare file is the data roles' work (a system administrator
        # files people only with their teacher accounts, /api/v1/teacher-accounts)
        scope.require(me, "teacher.read")
        items = svc.FourItems.parse(data.name, data.gender, data.birth_date, data.id_number, data.id_type)
        teacher = svc.create(db, me, data.unit_code, items, catalogue_version=catalogue_version(ctx))
        return svc.read(db, me, teacher.id, ctx.catalogue)
