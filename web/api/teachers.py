from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, delete, get, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from web import scope
from web.context import AppContext
from web.errors import W_ID_IN_URL, Refusal
from web.security import search
from web.principal import Principal
from web.services import teacher_delete
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


@dataclass
class TeacherSearch:
    q: str | None = None
    unit: str | None = None
    below: bool = True
    state: str | None = None
    limit: int = 50
    offset: int = 0


class TeacherController(Controller):
    path = "/api/v1/teachers"
    tags = ["teachers"]

    @get("/", sync_to_thread=True, summary="Teachers within scope (filters, paging, total); "
         "an ID number in q is refused (W420): search by POST /api/v1/teachers/search")
    def list_teachers(self, db: Session, ctx: AppContext, me: Principal, unit: str | None = None,
                      below: bool = True, q: str | None = None,
                      file_state: Annotated[str | None, Parameter(query="state")] = None,
                      limit: int = 50, offset: int = 0) -> dict[str, Any]:
        if search.looks_like_id_number(q):
            raise Refusal(W_ID_IN_URL, field="q", path="/api/v1/teachers/search")
        return self._list(db, ctx, me, TeacherSearch(unit=unit, below=below, q=q, state=file_state, limit=limit,
                                                     offset=offset))

    @post("/search", sync_to_thread=True, status_code=200,
          summary="Teachers within scope, the search (name, ID number, teacher number) in the body")
    def search_teachers(self, data: TeacherSearch, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return self._list(db, ctx, me, data)

    def _list(self, db: Session, ctx: AppContext, me: Principal, s: TeacherSearch) -> dict[str, Any]:
        limit = max(1, min(s.limit, ctx.settings.page_size_max))
        total, items = svc.listing(db, me, unit_code=s.unit, include_below=s.below, q=s.q, state=s.state,
                                   limit=limit, offset=max(0, s.offset))
        return {"total": total, "limit": limit, "offset": s.offset, "items": items}

    @get("/{teacher_id:int}", sync_to_thread=True, summary="One teacher with every set")
    def read(self, teacher_id: int, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return svc.read(db, me, teacher_id, ctx.catalogue)

    @post("/", sync_to_thread=True, summary="Create a teacher from the four items (one person, one number)")
    def create(self, data: TeacherIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        # the answer is the new file: a bare file is the data roles' work (a system administrator
        # files people only with their teacher accounts, /api/v1/teacher-accounts)
        scope.require(me, "teacher.read")
        items = svc.FourItems.parse(data.name, data.gender, data.birth_date, data.id_number, data.id_type,
                                     cat=ctx.catalogue)
        teacher = svc.create(db, me, data.unit_code, items, catalogue_version=catalogue_version(ctx))
        return svc.read(db, me, teacher.id, ctx.catalogue)

    @delete("/{teacher_id:int}", sync_to_thread=True, status_code=200,
            summary="Delete a file entered by mistake (only while 未报送; the school's data staff)")
    def delete_file(self, teacher_id: int, db: Session, me: Principal) -> dict[str, Any]:
        return teacher_delete.delete_file(db, me, teacher_id)
