"""The registration module's hooks (web/hooks.py): its API (a teacher's eligibility; the schools'
batch applications and their review; the warning list), its menu entry under 业务管理, and the
home page's counts (applications waiting for the unit, teachers due who do not meet the
conditions)."""

from __future__ import annotations

from typing import Any

from web.hooks import hookimpl


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.registration.api import TeacherRegistration

    return [TeacherRegistration]
