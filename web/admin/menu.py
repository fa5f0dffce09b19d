"""The 系统管理 entries of the navigation menu (web/menu.py), for the administration pages' own
navigation. The entries themselves come through the menu hook (web/core_plugin.py and modules)."""

from __future__ import annotations

from typing import Any

from web.hooks import MenuEntry
from web.principal import Principal


def menu_items(me: Principal | None, unit: Any, registry: Any = None) -> list[MenuEntry]:
    """系统管理 entries the signed-in staff account may open at its unit (``unit``: its Unit row)."""
    from web.menu import entries_for

    if me is None or me.kind != "staff" or unit is None:
        return []
    return [e for e in entries_for(me, unit, registry=registry) if e.section == "system"]
