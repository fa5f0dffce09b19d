"""管理端 administration pages (issue 3): 用户权限管理 (accounts and roles of my unit and the system
administrators of the units directly below), 教师用户管理 (a school's teacher accounts: create from
the four items, import, export, the login switch) and 单位管理 (the unit tree below mine: search,
create, edit, import, move) and 安全审计 (the audit log of the units in scope, issue 14).

Handlers are thin: read the request, call the services in ``web/services`` (scope, permissions,
audit all live there) and render. ``views`` holds the read-only queries that shape a page, each
through ``web.scope``.
"""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    """The handlers this package adds to the app (registered by ``web.app.feature_handlers``)."""
    from web.admin.accounts import AccountPages
    from web.admin.audit import AuditPages
    from web.admin.impact import ImpactPages
    from web.admin.recheck import RecheckPages
    from web.admin.teacher_accounts import TeacherAccountPages
    from web.admin.units import UnitPages

    return [AccountPages, TeacherAccountPages, UnitPages, AuditPages, RecheckPages, ImpactPages]
