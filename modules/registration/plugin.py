"""The registration module's hooks (web/hooks.py): its API (a teacher's eligibility; the schools'
batch applications and their review; the warning list), and the home page's counts
(applications waiting for the unit; at a school or a county, its teachers due who do not meet the
conditions yet)."""

from __future__ import annotations

from typing import Any

from web.hooks import MenuEntry, Todo, hookimpl

WARN_LEVELS = ("school", "county")   # the warning count is computed per home page: kept to small scopes


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.registration.api import RegistrationBatches, TeacherRegistration
    from modules.registration.pages import RegistrationPages

    return [TeacherRegistration, RegistrationBatches, RegistrationPages]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("registration", "business", "/registration", "教师资格定期注册", "Periodic re-registration",
                      permission="teacher.read", levels=("province", "city", "county", "school"), order=50),
            # a teacher's own cycle, conditions and applications (mine.py)
            MenuEntry("registration.mine", "home", "/registration/mine", "我的注册", "My registration",
                      kinds=("teacher",), order=61)]


@hookimpl
def home_todos(ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
    from modules.registration import batch as B
    from modules.registration import warnings as WR

    out = []
    waiting = B.todo_count(db, me)
    if waiting:
        out.append(Todo("registration.waiting", "待审核的教师资格定期注册申请", "Registration applications waiting for you",
                        waiting, "/registration#waiting"))
    if unit is not None and unit.level in WARN_LEVELS and me.holds_at("teacher.read", unit.id):
        due = WR.count(db, ctx, me, unit)
        if due:
            out.append(Todo("registration.warnings", "注册周期将满且未达注册条件的教师", "Teachers due for registration "
                            "who do not meet the conditions yet", due, "/registration#warnings"))
    return out


@hookimpl
def handle_event(event: Any, db: Any) -> None:
    """A teacher transferred (``teacher.moved``) leaves the old school's open application
    (batch.withdraw_moved): its route no longer reaches the teacher; the new school applies."""
    if event.name == "teacher.moved" and isinstance(event.payload.get("teacher_id"), int) and hasattr(db, "execute"):
        from modules.registration import batch as B

        B.withdraw_moved(db, event.payload["teacher_id"])


@hookimpl
def build_demo(ctx: Any, db: Any, cat: Any, password_hash: str) -> list[str]:
    from modules.registration.demo import build

    return build(db, ctx, cat, password_hash)
