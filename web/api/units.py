from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, get, patch, post
from sqlalchemy.orm import Session

from web.context import AppContext
from web.principal import Principal
from web.services import units as svc


@dataclass
class UnitIn:
    code: str
    name: str
    level: str
    parent_code: str
    school_type: str | None = None
    urban_rural: str | None = None


@dataclass
class UnitPatch:
    name: str | None = None
    school_type: str | None = None
    urban_rural: str | None = None


@dataclass
class Switch:
    enabled: bool


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["units"]

    @get("/", sync_to_thread=True, summary="Units within scope")
    def list_units(self, db: Session, ctx: AppContext, me: Principal, parent: str | None = None,
                   level: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        limit = max(1, min(limit, ctx.settings.page_size_max))
        total, rows = svc.listing(db, me, parent_code=parent, level=level, q=q, limit=limit, offset=max(0, offset))
        return {"total": total, "limit": limit, "offset": offset, "items": [svc.unit_dict(u) for u in rows]}

    @get("/{code:str}", sync_to_thread=True)
    def get_unit(self, code: str, db: Session, me: Principal) -> dict[str, Any]:
        unit = svc.get(db, me, code)
        return {**svc.unit_dict(unit), "path": [u.code for u in svc.path(db, unit.id)]}

    @post("/", sync_to_thread=True, summary="Create a unit below one within scope")
    def create_unit(self, data: UnitIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        unit = svc.create(db, me, code=data.code, name=data.name, level=data.level, parent_code=data.parent_code,
                          school_type=data.school_type, urban_rural=data.urban_rural,
                          school_types=ctx.catalogue.school_types)
        return svc.unit_dict(unit)

    @patch("/{code:str}", sync_to_thread=True)
    def update_unit(self, code: str, data: UnitPatch, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        changes = {k: v for k, v in vars(data).items() if v is not None}
        return svc.unit_dict(svc.update(db, me, code, changes, school_types=ctx.catalogue.school_types))

    @post("/{code:str}/teacher-login", sync_to_thread=True, status_code=200,
          summary="Switch the school's teacher self-service logins on or off")
    def teacher_login(self, code: str, data: Switch, db: Session, me: Principal) -> dict[str, Any]:
        return svc.unit_dict(svc.set_teacher_login(db, me, code, data.enabled))
