"""The credits module's training projects: an authority registers its institutions and projects,
a school its school-based plans (校本研修) which its authority approves or rejects; the reads of
projects behind the API and pages. Results of a project (submitting, checking, confirming) are in
results.py. Every check of who may do what is here (web.permissions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine import credits as C
from modules.credits import ledger
from modules.credits import words as Wd
from modules.credits.models import InstitutionAccount, TrainingInstitution, TrainingProject, TrainingResult
from web import audit, scope
from web.db.models import Unit, UnitClosure
from web.errors import Refusal
from web.permissions import may, require
from web.principal import Principal

REGISTER = "credits.project.register"
APPROVE = "credits.plan.approve"
READ = "credits.read"

# which project levels a unit of each level registers (a province registers national projects
# on the ministry's behalf; a school registers its school-based plans, approved above)
MAY_REGISTER: dict[str, tuple[str, ...]] = {
    "ministry": ("national",), "province": ("national", "province"), "city": ("city",),
    "county": ("county",), "school": ("school",),
}
STATE_LABELS = {"active": ("已登记", "registered"), "proposed": ("待审批", "awaiting approval"),
                "rejected": ("未批准", "rejected")}
MAX_HOURS = Decimal("10000")


# ------------------------------------------------------------------ small parsers

def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def parse_day(value: str | None) -> date | None:
    """An optional ?as_of= day (pages and API): W553 not a date, W708 before 2000, W709 after
    today (modules/credits/dates.py: every typed date is bounded there)."""
    from modules.credits import dates

    return dates.as_of(value)



# ------------------------------------------------------------------ institutions and projects

def institution_of(db: Session, me: Principal) -> TrainingInstitution | None:
    return db.scalar(select(TrainingInstitution).join(
        InstitutionAccount, InstitutionAccount.institution_id == TrainingInstitution.id)
        .where(InstitutionAccount.account_id == me.account_id))


def _bad(field: str, field_en: str, detail: str, detail_en: str, hint: str = "", hint_en: str = "") -> Refusal:
    return Refusal(Wd.W_PROJECT_FIELD, field=field, field_en=field_en, detail=detail, detail_en=detail_en,
                   hint=hint, hint_en=hint_en)


def register_project(db: Session, me: Principal, data: dict[str, Any]) -> TrainingProject:
    """An authority registers a training project at its own unit; a school registers a
    school-based plan (校本研修), which waits for its authority's approval."""
    unit = db.get(Unit, me.unit_id)
    require(me, REGISTER, unit)
    name = str(data.get("name") or "").strip()
    if not 1 <= len(name) <= 100:
        raise _bad("名称", "name", "须为 1–100 个字符", "must be 1–100 characters")
    level, kind = str(data.get("level") or ""), str(data.get("type") or data.get("kind") or "")
    if level not in C.LEVELS:
        raise _bad("级别", "level", f"「{level[:20]}」不是项目级别", f"'{level[:20]}' is not a project level",
                   "可选：" + "、".join(f"{k}（{v[0]}）" for k, v in C.LEVELS.items()), "One of: " + ", ".join(C.LEVELS))
    if kind not in C.TYPES:
        raise _bad("类型", "type", f"「{kind[:20]}」不是项目类型", f"'{kind[:20]}' is not a project type",
                   "可选：" + "、".join(f"{k}（{v[0]}）" for k, v in C.TYPES.items()), "One of: " + ", ".join(C.TYPES))
    allowed = MAY_REGISTER.get(unit.level, ())
    if level not in allowed:
        raise Refusal(Wd.W_PROJECT_LEVEL, unit=unit.name, level=C.LEVELS[level][0], level_en=C.LEVELS[level][1],
                      allowed="、".join(C.LEVELS[x][0] for x in allowed), allowed_en=", ".join(allowed))
    hours = _decimal(data.get("hours"))
    if hours is None or not Decimal(0) < hours <= MAX_HOURS:
        raise _bad("学时", "hours", "须为大于 0、不超过 10000 的数字", "must be a number above 0 and at most 10000")
    start, end = _date(data.get("start")), _date(data.get("end"))
    if start is None or end is None:
        raise _bad("起止日期", "start/end", "须为日期，例如 2024-07-01", "must be dates such as 2024-07-01")
    from modules.credits import plausible

    plausible.project_dates(start, end)
    if end < start or (end - start).days > 3660:
        raise _bad("起止日期", "start/end", "结束日期须不早于开始日期（且不超过十年）", "the end must not precede the start (within ten years)")
    plausible.hours_in_days(hours, start, end, "培训项目", "project")
    organiser = str(data.get("organiser") or "").strip()[:100] or unit.name
    plausible.national_organiser(db, unit, level, organiser)
    plausible.no_duplicate_project(db, unit, name, start, end)
    inst_id = data.get("institution_id")
    if inst_id is not None:
        # registered at the caller's unit (the form offers those), above it (a province's, for its
        # counties) or below it (a county's, for its province): a sibling's or another province's
        # reads as none (no handing one's teachers' results to an unrelated authority's
        # institution, no learning which ids exist)
        above = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == unit.id)
        below = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit.id)
        if isinstance(inst_id, bool) or not isinstance(inst_id, int) or not -2**31 <= inst_id < 2**31 or db.scalar(
                select(TrainingInstitution.id).where(TrainingInstitution.id == inst_id, or_(
                    TrainingInstitution.unit_id.in_(above), TrainingInstitution.unit_id.in_(below)))) is None:
            raise _bad("培训机构", "institution_id", "没有该培训机构", "no such institution", "先登记培训机构。", "Register the institution first.")
    project = TrainingProject(name=name, level=level, kind=kind, hours=hours.quantize(ledger.CENT), start_date=start,
                              end_date=end, organiser=organiser, unit_id=unit.id, institution_id=inst_id,
                              state="proposed" if unit.level == "school" else "active", created_by=me.account_id)
    db.add(project)
    db.flush()
    audit.record(db, "credits.project.register", actor=me, target_type="training_project", target_id=project.id,
                 unit_id=unit.id, detail={"name": name, "level": level, "type": kind, "hours": str(hours)})
    return project


def decide_plan(db: Session, me: Principal, project_id: int, approve: bool, reason: Any = None) -> TrainingProject:
    """The school's authority approves (or rejects, with a reason the school reads) a school-based
    plan. Its row is locked (FOR UPDATE) and read afresh: of two reviewers deciding at once (the
    county approves, the city rejects) the second waits and finds it decided (W551)."""
    project = db.scalar(select(TrainingProject).where(TrainingProject.id == project_id).with_for_update()
                        .execution_options(populate_existing=True))
    if project is None or project.unit_id == me.unit_id or not scope.unit_in_scope(db, me, project.unit_id, "record.review"):
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    require(me, APPROVE, db.get(Unit, me.unit_id), db=db)
    if project.state != "proposed":
        raise Refusal(Wd.W_PROJECT_STATE, name=project.name, state=STATE_LABELS[project.state][0],
                      state_en=STATE_LABELS[project.state][1], action="审批", action_en="be decided")
    why = reason.strip() if isinstance(reason, str) else ""
    if not approve and not 1 <= len(why) <= 200:
        raise Refusal(Wd.W_PLAN_REASON)
    project.state = "active" if approve else "rejected"
    project.reason = None if approve else why
    audit.record(db, "credits.plan.approve" if approve else "credits.plan.reject", actor=me,
                 target_type="training_project", target_id=project.id, unit_id=project.unit_id,
                 detail=None if approve else {"reason": why})
    return project


def may_decide(db: Session, me: Principal, project_id: int) -> bool:
    """Whether decide_plan would accept the caller for this plan (the pages' buttons)."""
    project = db.get(TrainingProject, project_id)
    return (project is not None and project.state == "proposed" and project.unit_id != me.unit_id
            and scope.unit_in_scope(db, me, project.unit_id, "record.review")
            and may(me, APPROVE, db.get(Unit, me.unit_id), db=db))


def register_institution(db: Session, me: Principal, name: str) -> TrainingInstitution:
    unit = db.get(Unit, me.unit_id)
    require(me, REGISTER, unit)
    name = (name or "").strip()
    if not 1 <= len(name) <= 100 or unit.level == "school":
        raise _bad("机构名称", "name", "须为 1–100 个字符，由教育行政部门登记", "1–100 characters, registered by an authority")
    inst = TrainingInstitution(name=name, unit_id=unit.id)
    db.add(inst)
    db.flush()
    audit.record(db, "credits.institution.register", actor=me, target_type="training_institution",
                 target_id=inst.id, unit_id=unit.id, detail={"name": name})
    return inst


def visible_projects(db: Session, me: Principal) -> Any:
    """Projects the account sees: an institution its own; staff those registered within their
    scope or above their unit (a county sees its province's and the national projects)."""
    if me.has("training.results") and not me.has("teacher.read"):
        inst = institution_of(db, me)
        return select(TrainingProject).where(TrainingProject.institution_id == (inst.id if inst else -1))
    scope.require(me, "teacher.read")
    below = scope.unit_filter(me, "teacher.read", TrainingProject.unit_id)
    above = TrainingProject.unit_id.in_(select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == me.unit_id))
    return select(TrainingProject).where(or_(below, above))


def get_project(db: Session, me: Principal, project_id: int) -> TrainingProject:
    project = db.scalar(visible_projects(db, me).where(TrainingProject.id == project_id))
    if project is None:
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    return project


def project_json(p: TrainingProject, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "level": p.level, "level_label": C.LEVELS[p.level][0],
            "level_label_en": C.LEVELS[p.level][1], "type": p.kind, "type_label": C.TYPES[p.kind][0],
            "type_label_en": C.TYPES[p.kind][1], "hours": str(p.hours), "start": p.start_date.isoformat(),
            "end": p.end_date.isoformat(), "organiser": p.organiser, "institution_id": p.institution_id,
            "state": p.state, "reason": p.reason, **({"results": counts} if counts is not None else {})}


def list_projects(db: Session, me: Principal) -> list[dict[str, Any]]:
    projects = list(db.scalars(visible_projects(db, me).order_by(TrainingProject.start_date.desc(), TrainingProject.id)))
    counts: dict[int, dict[str, int]] = {}
    if projects:
        for pid, state, n in db.execute(select(TrainingResult.project_id, TrainingResult.state, func.count())
                                        .where(TrainingResult.project_id.in_([p.id for p in projects]))
                                        .group_by(TrainingResult.project_id, TrainingResult.state)):
            counts.setdefault(pid, {})[state] = n
    return [project_json(p, counts.get(p.id, {})) for p in projects]
