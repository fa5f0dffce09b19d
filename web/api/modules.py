"""``GET /api/v1/modules``: the business modules enabled for the caller's province (web/modules.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from sqlalchemy.orm import Session

from web.db.models import Unit
from web.principal import Principal


class ModuleController(Controller):
    path = "/api/v1/modules"
    tags = ["modules"]

    @get("/", sync_to_thread=True, summary="Business modules enabled for your province: key, label, version")
    def listing(self, request: Request, db: Session, me: Principal) -> dict[str, Any]:
        unit = db.get(Unit, me.unit_id)
        code = unit.code if unit is not None else ""
        province = code[:2] if unit is not None and unit.level != "ministry" else None
        registry = request.app.state.modules
        return {"province": province or registry.province,
                "items": [m.as_json() for m in registry.modules_for(province)]}
