"""The credits module's hooks (web/hooks.py): its API (training projects, results, confirmation,
a teacher's credits), its actions and its menu entries."""

from __future__ import annotations

from typing import Any

from modules.credits import projects as P
from modules.credits import results as R
from web.hooks import Heading, MenuEntry, Permission, Todo, hookimpl
from web.permissions import AUTHORITIES, Rule


@hookimpl
def register_permissions(ctx: Any) -> list[Permission]:
    return [
        # an authority's (or a school's, for its school-based plans) data staff register projects at their unit
        Permission(P.REGISTER, Rule(("record.edit",), at="at"), "登记培训项目", "Register training projects"),
        Permission(P.APPROVE, Rule(("record.review",), at="at", levels=AUTHORITIES), "审批校本研修计划",
                   "Approve school-based plans"),
        Permission(R.SUBMIT, Rule(("training.results",)), "提交培训成绩", "Submit training results"),
        Permission(R.CONFIRM, Rule(("record.review",), at="scope"), "确认培训学分", "Confirm training credits"),
        Permission(P.READ, Rule(("teacher.read",)), "查看学分银行", "Read the credit bank"),
        # an authority's reviewers correct a teacher's credits (adjustments.py: and reach the teacher's school)
        Permission("credits.adjust", Rule(("record.review",), at="at", levels=AUTHORITIES), "调整学分", "Adjust credits"),
        # an authority's reviewer imports carried-over credits of the teachers in its scope (carry_over.py)
        Permission("credits.carry_over", Rule(("record.review",), at="scope", levels=AUTHORITIES), "结转学分",
                   "Import carried-over credits"),
    ]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("credits.mine", "home", "/credits/", "我的学分", "My credits", kinds=("teacher",), order=60),
            MenuEntry("credits.bank", "business", "/credits/", "学分银行", "Credit bank", permission="teacher.read",
                      order=60),
            MenuEntry("credits.projects.submit", "business", "/credits/projects/#submit", "培训项目", "Training projects",
                      permission="training.results", order=61),
            MenuEntry("credits.projects.confirm", "business", "/credits/projects/#confirm", "培训成绩确认", "Confirm training results",
                      permission="record.review", order=61),
            # an authority's system administrator creates its institutions' accounts there, its data
            # staff register institutions (one page: modules/credits/institution_pages.py)
            MenuEntry("credits.institutions", "system", "/credits/institutions/#institution-accounts", "培训机构账号",
                      "Training institution accounts", permission="grant.training_institution", levels=AUTHORITIES,
                      order=62),
            MenuEntry("credits.claims", "business", "/credits/claims/", "自主研修审核", "Self-study claims",
                      permission="record.review", order=63),
            MenuEntry("credits.institutions.register", "business", "/credits/institutions/#register-institution", "培训机构登记",
                      "Training institutions", action=P.REGISTER, levels=AUTHORITIES, order=62),
            MenuEntry("credits.carry_over", "business", "/credits/carry-over/", "结转学分", "Carried-over credits",
                      action="credits.carry_over", levels=AUTHORITIES, order=64)]


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.credits.api import BalancesController, TeacherCreditsController, TrainingController
    from modules.credits.carry_api import CarryOverController, CarryOverPages
    from modules.credits.claim_pages import ClaimPages
    from modules.credits.claims_api import ClaimsController, MyClaimsController
    from modules.credits.institution_pages import InstitutionPages
    from modules.credits.pages import CreditPages
    from modules.credits.project_pages import ProjectPages

    return [TrainingController, BalancesController, TeacherCreditsController, CreditPages, ProjectPages,
            InstitutionPages, MyClaimsController, ClaimsController, ClaimPages, CarryOverController, CarryOverPages]


@hookimpl
def home_todos(ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
    from modules.credits import claims as K
    from modules.credits import projects as P

    inst = P.institution_of(db, me) if me.has("training.results") else None
    if inst is not None:  # an institution's account sits at the authority that registered it (home_heading names it)
        return _institution_todos(P.list_projects(db, me))
    waiting = K.todo_count(db, me)
    if not waiting:
        return []
    at_school = unit is not None and unit.level == "school"
    return [Todo("credits.claims", "待审核的自主研修申报" if at_school else "待确认的自主研修学分",
                 "Self-study claims to review" if at_school else "Self-study credits to confirm", waiting,
                 "/credits/claims/")]


def _institution_todos(projects: list[dict[str, Any]]) -> list[Todo]:
    """What waits for a training institution (walk2 finding 12: not the number of its projects):
    results a reviewer sent back, to correct and submit again; and its active projects that have
    ended with no result submitted yet. Each a count only when there is one."""
    from modules.credits import dates

    todos = []
    rejected = [p for p in projects if p["results"].get("rejected")]
    if rejected:  # one project: straight to its rows, where each reason stands
        todos.append(Todo("credits.rejected", "被退回、待改正后重新提交的成绩", "Results sent back, to correct and submit again",
                          sum(p["results"]["rejected"] for p in rejected),
                          f"/credits/projects/{rejected[0]['id']}" if len(rejected) == 1 else "/credits/projects/"))
    today = dates.today().isoformat()
    unsent = [p for p in projects if p["state"] == "active" and not p["results"] and p["end"] <= today]
    if unsent:
        todos.append(Todo("credits.unsent", "已结束、尚未提交成绩的培训项目", "Ended training projects with no results submitted yet",
                          len(unsent), f"/credits/projects/#project-{unsent[0]['id']}" if len(unsent) == 1 else "/credits/projects/"))
    return todos


@hookimpl
def home_heading(ctx: Any, me: Any, unit: Any, db: Any) -> list[Heading]:
    """An institution's account sits at the authority that registered the institution: its home
    page names the institution, not that authority."""
    from modules.credits import projects as P

    inst = P.institution_of(db, me) if me.has("training.results") else None
    if inst is None:
        return []
    return [Heading(f"{inst.name}（培训机构）", f"{inst.name} (training institution)")]


@hookimpl
def handle_event(event: Any, db: Any) -> None:
    """A teacher moved (web/people/moves.py ``teacher.moved``): the self-study claims not yet
    confirmed go with the teacher, so the new school reviews them and its authority confirms
    them; the old school and its authority no longer reach them (claims.py scopes by the claim's
    unit). Confirmed and revoked claims stay with the school of the day (their history)."""
    if event.name != "teacher.moved" or not isinstance(event.payload.get("teacher_id"), int) \
            or not hasattr(db, "execute"):
        return
    from sqlalchemy import select, update

    from modules.credits.models import CreditClaim
    from web.db.models import Teacher

    db.execute(update(CreditClaim).where(
        CreditClaim.teacher_id == event.payload["teacher_id"],
        CreditClaim.state.in_(("submitted", "returned", "approved")))
        .values(unit_id=select(Teacher.unit_id).where(Teacher.id == event.payload["teacher_id"]).scalar_subquery()),
        execution_options={"synchronize_session": False})


@hookimpl
def build_demo(ctx: Any, db: Any, cat: Any, password_hash: str) -> list[str]:
    from modules.credits.demo import build

    return build(db, ctx, password_hash)
