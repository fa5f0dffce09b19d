"""Which administration pages an account sees: a table of entries, each with the permission it
needs *at* the account's unit and the unit levels where it makes sense. The pages themselves
check again through the services; the menu only hides what would be refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web.principal import Principal


@dataclass(frozen=True)
class MenuItem:
    key: str
    href: str
    zh: str
    en: str
    permission: str
    levels: tuple[str, ...]


MENU = (
    MenuItem("accounts", "/admin/accounts", "用户权限管理", "Users and roles", "account.manage",
             ("ministry", "province", "city", "county", "school")),
    MenuItem("teacher_accounts", "/admin/teacher-accounts", "教师用户管理", "Teacher accounts", "grant.teacher",
             ("school",)),
    MenuItem("units", "/admin/units", "单位管理", "Units", "unit.manage", ("ministry", "province", "city", "county")),
    MenuItem("cases", "/cases/transfers", "业务管理（调动、交流轮岗、在职变动）", "Transfers, rotations, status changes",
             "teacher.read", ("province", "city", "county", "school")),
    MenuItem("audit", "/admin/audit", "安全审计", "Audit log", "audit.read",
             ("ministry", "province", "city", "county", "school")),
    MenuItem("recheck", "/admin/recheck", "规则调整后需核实的记录", "Records to check after a rule change", "record.edit",
             ("province", "city", "county", "school")),
    MenuItem("impact", "/admin/impact/", "影响评估", "Impact of a rule change", "teacher.read", ("province",)),
)


def menu_items(me: Principal | None, unit: Any) -> list[MenuItem]:
    """Entries for the signed-in account at its unit (``unit``: the account's Unit row)."""
    if me is None or me.kind != "staff" or unit is None:
        return []
    return [m for m in MENU if unit.level in m.levels and me.holds_at(m.permission, unit.id)]
