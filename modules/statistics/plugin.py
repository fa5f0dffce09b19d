"""The statistics module's hooks (web/hooks.py): its API (/api/v1/statistics), the action its pages
and menu entries ask (stats.read somewhere), the summary tables kept current on the core's events
(file.approved, teacher.moved, status.changed), and its definitions for ``tmis check``."""

from __future__ import annotations

from typing import Any

from web.hooks import MenuEntry, Permission, hookimpl
from web.permissions import Rule

READ = "statistics.read"


@hookimpl
def register_permissions(ctx: Any) -> list[Permission]:
    # the service checks stats.read within scope of the unit asked for (web/scope.py)
    from modules.statistics import snapshots

    return [Permission(READ, Rule(("stats.read",)), "查看统计", "Read statistics"),
            Permission(snapshots.TAKE, snapshots.RULES[snapshots.TAKE], "生成统计快照", "Take a statistics snapshot")]


@hookimpl
def on_startup(ctx: Any) -> None:
    # deadlines of the snapshot calendar passed while the app was down: taken now, in a thread (snapshots.py)
    from modules.statistics import snapshots

    snapshots.catch_up_at_start(ctx)


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.statistics.api import StatisticsController
    from modules.statistics.pages import route_handlers as pages
    from modules.statistics.report_page import ReportPages
    from modules.statistics.trend_page import TrendPages
    from modules.statistics.trends import TrendController

    return [StatisticsController, TrendController, TrendPages, ReportPages, *pages()]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    # the dashboards (modules/statistics/pages.py) for whoever holds stats.read at its own unit
    return [MenuEntry("stats_dashboard", "stats", "/statistics/", "统计概览", "Dashboard", permission="stats.read",
                      order=10),
            MenuEntry("stats_crosstab", "stats", "/statistics/crosstab", "交叉表", "Cross tables",
                      permission="stats.read", order=20),
            MenuEntry("stats_trends", "stats", "/statistics/trends", "趋势", "Trends", permission="stats.read", order=30),
            MenuEntry("stats_report", "stats", "/statistics/report", "分析报告", "Analysis report", permission="stats.read",
                      order=40)]


# the core's events that change who is counted where, or with which values
_EVENTS = ("file.approved", "teacher.moved", "status.changed")


@hookimpl
def handle_event(event: Any, db: Any) -> None:
    """Keep the live summary tables current, inside the change's transaction (refresh.on_teacher)."""
    if event.name in _EVENTS and event.payload.get("teacher_id") is not None and hasattr(db, "execute"):
        from modules.statistics import refresh

        refresh.on_teacher(db, [int(event.payload["teacher_id"])])


@hookimpl
def handle_events(events: list[Any], db: Any) -> None:
    """A batch (a sheet of status changes): the summary moved once for all its teachers."""
    ids = [int(e.payload["teacher_id"]) for e in events
           if e.name in _EVENTS and e.payload.get("teacher_id") is not None]
    if ids and hasattr(db, "execute"):
        from modules.statistics import refresh

        refresh.on_teacher(db, ids)


@hookimpl(trylast=True)
def build_demo(ctx: Any, db: Any, cat: Any, password_hash: str) -> list[str]:
    """The demo's live summary tables, built after everything else of the demo (trylast: other
    modules' demos write approved records too, without an event), as ``tmis stats refresh`` does;
    the events keep them current from then on."""
    from modules.statistics import refresh

    done = refresh.rebuild(db, cat=cat)
    return [f"统计汇总表 / statistics summary: {done['teachers']} 名在岗已审核教师 active teachers with approved files"]
