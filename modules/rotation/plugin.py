"""The rotation module's hooks (web/hooks.py): its API, the case pages' kind 交流轮岗, its menu
entry under 业务管理 and the count of rotations waiting for the caller's unit."""

from __future__ import annotations

from typing import Any

from modules.rotation import service as R
from web.cases import service as S
from web.cases.pages import own_teacher
from web.hooks import MenuEntry, Todo, hookimpl

LEVELS = ("province", "city", "county", "school")


def _start_from_page(db: Any, ctx: Any, me: Any, form: dict[str, str]) -> Any:
    """The sending school starts a rotation of one of its teachers (ID number and name)."""
    tid = own_teacher(db, me, form.get("id_number", ""), form.get("name", ""))
    return R.start(db, ctx.catalogue, me, tid, form.get("to_unit", ""), relation=form.get("relation") == "1",
                   start=form.get("start") or None, end=form.get("end") or None,
                   rotation_type=form.get("rotation_type") or None, province=ctx.settings.province)


PAGE = S.register_pages(S.PageKind("rotation", "rotations", "rotation", "交流轮岗", "Exchange rotations",
                                   _start_from_page))


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.rotation.api import RotationController

    return [RotationController]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("rotations", "business", "/cases/rotations", "交流轮岗", "Exchange rotations",
                      permission="teacher.read", levels=LEVELS, order=20)]


@hookimpl
def home_todos(ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
    return S.waiting_todo(db, me, PAGE)
