"""The spot-check module's hooks (web/hooks.py): its pages (/spot-checks) and API
(/api/v1/spot-checks), the action that draws, verifies and publishes (spot_check.draw), its menu
entry under 业务管理, and the home-page counts (items to verify; reports published to a unit)."""

from __future__ import annotations

from typing import Any

from modules.spot_check import service as S
from web.hooks import MenuEntry, Permission, Todo, hookimpl

LEVELS = ("province", "city", "county", "school")


@hookimpl
def register_permissions(ctx: Any) -> list[Permission]:
    return [Permission(S.DRAW, S.RULES[S.DRAW], "随机抽查（抽取、核实、通报）", "Spot checks (draw, verify, publish)")]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("spot_checks", "business", "/spot-checks/", "随机抽查", "Spot checks",
                      permission="teacher.read", levels=LEVELS, order=60)]


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.spot_check.api import SpotCheckController
    from modules.spot_check.pages import SpotCheckPages

    return [SpotCheckController, SpotCheckPages]


@hookimpl
def home_todos(ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
    return S.home_todos(db, me, unit)


@hookimpl
def build_demo(ctx: Any, db: Any, cat: Any, password_hash: str) -> list[str]:
    from modules.spot_check.demo import build

    return build(db, ctx)
