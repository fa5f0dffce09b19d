"""The status-change module's hooks (web/hooks.py): its API (/api/v1/status-changes), the case
pages' kind 在职变动, its page 在职变动（批量） (batch changes from an Excel sheet), their menu
entries under 业务管理, the action the batch page and its menu entry ask, and the count of status
changes waiting for the caller's unit."""

from __future__ import annotations

from typing import Any

from modules.status_change import service as SC
from web.cases import service as S
from web.cases.pages import own_teacher
from web.hooks import MenuEntry, Permission, Todo, hookimpl
from web.permissions import Rule

BATCH = "status_change.batch"
LEVELS = ("province", "city", "county", "school")


def _start_from_page(db: Any, ctx: Any, me: Any, form: dict[str, str]) -> Any:
    """The school records a status change of one of its teachers (ID number and name)."""
    tid = own_teacher(db, me, form.get("id_number", ""), form.get("name", ""))
    return SC.start(db, ctx.catalogue, me, tid, form.get("change", ""), form.get("on", ""),
                    code=form.get("code") or None, note=form.get("note") or None, province=ctx.settings.province)


PAGE = S.register_pages(S.PageKind("status_change", "status-changes", "status_change", "在职变动", "Status changes",
                                   _start_from_page))


@hookimpl
def register_permissions(ctx: Any) -> list[Permission]:
    # the batch service checks record.edit for every row's teacher within the importer's units
    return [Permission(BATCH, Rule(("record.edit",)), "在职变动批量办理", "Status changes in bulk")]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("status_changes", "business", "/cases/status-changes", "在职变动", "Status changes",
                      permission="teacher.read", levels=LEVELS, order=30),
            MenuEntry("status_change", "business", "/status-changes/batch", "在职变动（批量）",
                      "Status changes from Excel", action=BATCH, order=40)]


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.status_change.api import StatusChangeController
    from modules.status_change.pages import StatusChangePages

    return [StatusChangeController, StatusChangePages]


@hookimpl
def home_todos(ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
    return S.waiting_todo(db, me, PAGE)
