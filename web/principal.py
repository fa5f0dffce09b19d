"""Who is asking: the signed-in account with its grants, resolved once per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from web.roles import RoleRegistry


@dataclass(frozen=True)
class Principal:
    account_id: int
    username: str
    real_name: str
    kind: str  # 'staff' (管理端) or 'teacher' (教师自助)
    unit_id: int
    teacher_id: int | None
    grants: tuple[tuple[int, str], ...]  # (unit_id, role_key)
    roles: RoleRegistry = field(repr=False, compare=False)
    must_change_password: bool = False
    ip: str | None = None
    session_id: str | None = field(default=None, repr=False)

    def roots(self, permission: str) -> list[int]:
        """Units whose subtree this permission reaches (empty: nowhere)."""
        return sorted({u for u, r in self.grants if permission in self.roles.perms(r)})

    def holds_at(self, permission: str, unit_id: int) -> bool:
        """The permission through a grant *at* this exact unit (not inherited from above)."""
        return any(u == unit_id and permission in self.roles.perms(r) for u, r in self.grants)

    def has(self, permission: str) -> bool:
        return bool(self.roots(permission))

    @property
    def role_keys(self) -> list[str]:
        return sorted({r for _, r in self.grants})
