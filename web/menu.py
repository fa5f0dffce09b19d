"""The navigation menu an account sees: every entry of the ``menu_entries`` hook (the core's and
the enabled modules', web/modules.py) that the account may open, grouped by the shell's sections.

An entry is shown when the account's kind and its unit's level fit and it may do the entry's
action (web/permissions.py ``may``: the question the service asks) or holds the entry's
permission at its own unit. The pages check again; the menu only hides what would be refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web.hooks import SECTIONS, MenuEntry
from web.principal import Principal


@dataclass(frozen=True)
class Section:
    key: str
    zh: str
    en: str
    entries: tuple[MenuEntry, ...]


def visible(entry: MenuEntry, me: Principal, unit: Any, db: Any = None) -> bool:
    from web.permissions import ACTIONS, may

    if me.kind not in entry.kinds:
        return False
    level = getattr(unit, "level", None)
    if me.kind == "staff" and level not in entry.levels:
        return False
    if entry.action is not None:
        if entry.action not in ACTIONS:  # a module that defines the action is not enabled
            return False
        rule = ACTIONS[entry.action]
        if rule.at == "scope" and db is None:  # no session at hand: the account's own unit is in its scope
            found = [unit is not None and me.holds_at(p, unit.id) for p in rule.needs]
            return me.kind in rule.kinds and (any(found) if rule.any_of else all(found))
        return may(me, entry.action, unit, db=db)
    if entry.permission is not None:
        return unit is not None and me.holds_at(entry.permission, unit.id)
    return True


def entries_for(me: Principal | None, unit: Any, db: Any = None, registry: Any = None) -> list[MenuEntry]:
    """The entries ``me`` (at ``unit``, its Unit row) may open, in menu order."""
    if me is None:
        return []
    from web.modules import current

    reg = registry or current()
    return [e for e in reg.menu() if visible(e, me, unit, db)]


def sections_for(me: Principal | None, unit: Any, db: Any = None, registry: Any = None) -> list[Section]:
    """``entries_for`` grouped by section (教师信息管理, 审核, 数据导入导出, 业务管理, 系统管理), empty
    sections left out."""
    entries = entries_for(me, unit, db, registry)
    out = []
    for key, zh, en in SECTIONS:
        mine = tuple(e for e in entries if e.section == key)
        if mine:
            out.append(Section(key, zh, en, mine))
    return out


def active_key(sections: list[Section], path: str | None) -> str | None:
    """The one entry the page at ``path`` belongs to: the entry whose page ends like ``path`` in the
    same part of the site (趋势 /statistics/trends for /statistics/units/36/trends), else the one
    with the longest address that ``path`` starts with (交叉表 /statistics/crosstab, not 统计概览
    /statistics/ as well)."""
    if not path:
        return None
    parts = [p for p in path.split("/") if p]
    best: tuple[int, int] | None = None
    key = None
    for sec in sections:
        for m in sec.entries:
            base = m.href.split("#")[0]
            mine = [p for p in base.split("/") if p]
            if path.startswith(base):
                score = (1 if len(mine) > 1 and parts[-1:] == mine[-1:] else 0, len(base))
            elif len(mine) > 1 and parts[:1] == mine[:1] and parts[-1:] == mine[-1:]:
                score = (1, len(base))
            else:
                continue
            if best is None or score > best:
                best, key = score, m.key
    return key
