"""Roles and permissions from YAML (schemas/roles.yaml), as a frozen registry.

The registry answers two questions for the rest of the web tier: which permissions a role
carries, and whether a role may exist at a unit level. Definitions are checked when loaded:
an unknown permission or a ``grant.<role>`` naming no role is a start-up error, not a silent gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.spec import RoleSpec, RolesFile


class RolesError(ValueError):
    pass


# The duties roles.yaml names (RoleSpec.duty): an account holds roles of one duty only.
DUTY_LABELS = {
    "system": ("系统管理：账号和权限", "system administration: accounts and permissions"),
    "data": ("信息管理：教师信息", "data work: teachers' files"),
    "self": ("本人信息", "own file"),
    "audit": ("安全审计", "security audit"),
    "institution": ("培训机构：本机构项目的学员成绩", "training institution: its own projects' results"),
}


@dataclass(frozen=True)
class RoleRegistry:
    roles: dict[str, RoleSpec]
    permissions: dict[str, str]  # key -> Chinese label
    permissions_en: dict[str, str] = field(default_factory=dict)  # key -> English label

    def get(self, key: str) -> RoleSpec | None:
        return self.roles.get(key)

    def perms(self, role_key: str) -> frozenset[str]:
        spec = self.roles.get(role_key)
        return frozenset(spec.permissions) if spec else frozenset()

    def roles_with(self, permission: str) -> list[str]:
        return [k for k, r in self.roles.items() if permission in r.permissions]

    def permission_label(self, key: str, lang: str = "zh") -> str:
        """The permission's name as roles.yaml gives it (the key itself when undeclared)."""
        if lang == "en":
            return self.permissions_en.get(key) or self.permissions.get(key) or key
        return self.permissions.get(key) or key

    def duty(self, role_key: str) -> str | None:
        spec = self.roles.get(role_key)
        return spec.duty if spec else None

    def label(self, role_key: str, lang: str = "zh") -> str:
        spec = self.roles.get(role_key)
        return spec.label.get(lang) if spec else role_key

    @classmethod
    def from_file(cls, rf: RolesFile) -> "RoleRegistry":
        perms = {p.key: p.label.zh for p in rf.permissions}
        perms_en = {p.key: p.label.get("en") for p in rf.permissions}
        roles = {r.key: r for r in rf.roles}
        problems = []
        for r in rf.roles:
            for p in r.permissions:
                if p not in perms:
                    problems.append(f"{r.loc}: role '{r.key}' uses undeclared permission '{p}'")
        for p in perms:
            if p.startswith("grant.") and p.removeprefix("grant.") not in roles:
                problems.append(f"permission '{p}' names no role")
        if problems:
            raise RolesError("; ".join(problems))
        return cls(roles=roles, permissions=perms, permissions_en=perms_en)


def load_roles(repo_root: Path, province: str) -> RoleRegistry:
    """Roles of the deployment: the national roles.yaml merged with the province's own, if any
    (``provinces/<code>/roles.yaml`` may add roles and permissions or redefine a role)."""
    from engine.catalogue import build_catalogues

    roles = build_catalogues(repo_root, [province])[province].resolved.roles
    if roles is None:
        raise RolesError(f"{repo_root}/schemas/roles.yaml is missing")
    return RoleRegistry.from_file(roles)
