"""The two tiers' hooks (web/hooks.py): the province keeps its published tables current from the
core events; the national tier's pages, API, actions and menu entries (ministry accounts only: a
ministry unit exists only in the national database)."""

from __future__ import annotations

from typing import Any

from web.hooks import MenuEntry, Permission, hookimpl
from web.permissions import Rule

MINISTRY = ("ministry",)


@hookimpl
def handle_event(event: Any, db: Any) -> None:
    from web.tier.province import on_event

    on_event(db, event.name, dict(event.payload))


@hookimpl
def handle_events(events: list[Any], db: Any) -> None:
    from web.tier.province import on_events

    on_events(db, [(e.name, dict(e.payload)) for e in events])


@hookimpl
def register_permissions(ctx: Any) -> list[Permission]:
    from web.tier.service import LAG, READ, REVIEW

    return [Permission(READ, Rule(("teacher.read",), levels=MINISTRY), "查看全国教师数据", "Read every province's files"),
            Permission(REVIEW, Rule(("record.review",), levels=MINISTRY), "全国查重核查", "Review national duplicates"),
            Permission(LAG, Rule(("unit.read",), levels=MINISTRY), "查看各省同步状态", "See the provinces' replication")]


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from web.tier import route_handlers

    return route_handlers()


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    from web.tier.service import LAG, READ, REVIEW

    return [MenuEntry("national_stats", "teachers", "/national/statistics", "全国统计", "National statistics",
                      action=READ, levels=MINISTRY, order=50),
            MenuEntry("national_duplicates", "review", "/national/duplicates", "全国查重", "National duplicates",
                      action=REVIEW, levels=MINISTRY, order=50),
            MenuEntry("national_lag", "system", "/national/lag", "各省数据同步", "Provinces' replication",
                      action=LAG, levels=MINISTRY, order=50)]
