"""The status-change module's hooks (web/hooks.py): its page 在职变动 (batch changes from an
Excel sheet), its menu entry under 业务管理 and the action the page and the menu ask."""

from __future__ import annotations

from typing import Any

from web.hooks import MenuEntry, Permission, hookimpl
from web.permissions import Rule

BATCH = "status_change.batch"


@hookimpl
def register_permissions(ctx: Any) -> list[Permission]:
    # the batch service checks record.edit for every row's teacher within the importer's units
    return [Permission(BATCH, Rule(("record.edit",)), "在职变动批量办理", "Status changes in bulk")]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("status_change", "business", "/status-changes/batch", "在职变动（批量）",
                      "Status changes from Excel", action=BATCH, order=40)]


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.status_change.pages import StatusChangePages

    return [StatusChangePages]
