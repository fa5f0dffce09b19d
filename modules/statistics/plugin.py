"""The statistics module's hooks (web/hooks.py): its API (/api/v1/statistics), the action its pages
and menu entries ask (stats.read somewhere), the summary tables kept current on the core's events
(file.approved, teacher.moved, status.changed), and its definitions for ``tmis check``."""

from __future__ import annotations

from typing import Any

from web.hooks import Permission, hookimpl
from web.permissions import Rule

READ = "statistics.read"


@hookimpl
def register_permissions(ctx: Any) -> list[Permission]:
    # the service checks stats.read within scope of the unit asked for (web/scope.py)
    return [Permission(READ, Rule(("stats.read",)), "查看统计", "Read statistics")]


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.statistics.api import StatisticsController

    return [StatisticsController]
