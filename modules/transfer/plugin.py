"""The transfer module's hooks (web/hooks.py): its API, the case pages' kind 教师调动, its menu
entry under 业务管理 and the count of transfers waiting for the caller's unit."""

from __future__ import annotations

from typing import Any

from modules.transfer import service as T
from web.cases import service as S
from web.db.models import Unit
from web.hooks import MenuEntry, Todo, hookimpl

LEVELS = ("province", "city", "county", "school")


def _start_from_page(db: Any, ctx: Any, me: Any, form: dict[str, str]) -> Any:
    """The receiving school starts a transfer into itself."""
    unit = db.get(Unit, me.unit_id)
    return T.start(db, ctx.catalogue, me, form.get("id_number", ""), form.get("name", ""),
                   unit.code if unit else "", province=ctx.settings.province)


PAGE = S.register_pages(S.PageKind("transfer", "transfers", "transfer", "教师调动", "Transfers", _start_from_page))


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.transfer.api import TransferController

    return [TransferController]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("transfers", "business", "/cases/transfers", "教师调动", "Transfers", permission="teacher.read",
                      levels=LEVELS, order=10)]


@hookimpl
def home_todos(ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
    return S.waiting_todo(db, me, PAGE)
