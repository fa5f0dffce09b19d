"""What a project or a self-study claim may plausibly say (walk findings 11, 17, 18): its dates
within 2000-01-01 … today + 2 years, no more hours than its days hold (24 a day), no second
project of the same name and dates at one unit, no second claim of the same title and dates by
one teacher while the first is alive, and a national project registered by the ministry, or by a
province on the ministry's behalf naming the national organiser."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.credits import bound_words as Wb
from modules.credits import dates
from modules.credits import words as Wd
from modules.credits.models import CLAIM_STATES, CreditClaim, TrainingProject
from web.db.models import Unit, UnitClosure
from web.errors import Refusal

HOURS_PER_DAY = 24
LIVE_CLAIMS = ("submitted", "approved", "confirmed")  # a returned claim is corrected, not claimed again


def project_dates(start: date, end: date) -> None:
    dates.project_day(start, "开始日期", "start")
    dates.project_day(end, "结束日期", "end")


def hours_in_days(hours: Decimal, start: date, end: date, what: str, what_en: str) -> None:
    """W714 when ``hours`` exceed 24 for each day from ``start`` to ``end`` (both counted)."""
    days = max(1, (end - start).days + 1)
    most = HOURS_PER_DAY * days
    if hours > most:
        raise Refusal(Wb.W_HOURS_PER_DAY, what=what, what_en=what_en, hours=format(hours.normalize(), "f"), days=days,
                      per_day=HOURS_PER_DAY, most=most)


def _ministry_above(db: Session, unit: Unit) -> bool:
    return bool(db.scalar(select(Unit.id).join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
                          .where(UnitClosure.descendant_id == unit.id, Unit.level == "ministry").limit(1)))


def national_organiser(db: Session, unit: Unit, level: str, organiser: str) -> None:
    """A national project is the ministry's: where the ministry has its unit (the national tier)
    only it registers them (W546); a province's database has none, so the province registers
    the national projects its teachers attend on the ministry's behalf, naming the national
    organiser (教育部, a national programme office), never itself (W545)."""
    if level != "national" or unit.level == "ministry":
        return
    if _ministry_above(db, unit):
        raise Refusal(Wd.W_PROJECT_LEVEL, unit=unit.name, level="国家级", level_en="national",
                      allowed="省级", allowed_en="province")
    if organiser.strip() in ("", unit.name):
        raise Refusal(Wd.W_PROJECT_FIELD, field="主办单位", field_en="organiser",
                      detail=f"国家级项目的主办单位不能是{unit.name}", detail_en=f"a national project is not organised by {unit.name}",
                      hint="写明国家级主办单位（如 教育部、国培计划项目办）；本省主办的项目请登记为省级项目。",
                      hint_en="Name the national organiser (e.g. 教育部, the national programme office); a project the province organises is a province project.")


def _same_name(name: str) -> str:
    return "".join(name.split())


def no_duplicate_project(db: Session, unit: Unit, name: str, start: date, end: date) -> None:
    """W716 naming the project of ``unit`` with the same name (blanks aside) and dates (a rejected plan
    aside). The unit's row is locked first (FOR UPDATE, until the transaction ends): two registrations
    of one unit at once run one after the other, so the second sees the first."""
    db.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())
    for pid, pname in db.execute(select(TrainingProject.id, TrainingProject.name).where(
            TrainingProject.unit_id == unit.id, TrainingProject.start_date == start, TrainingProject.end_date == end,
            TrainingProject.state != "rejected")):
        if _same_name(pname) == _same_name(name):
            raise Refusal(Wb.W_DUPLICATE_PROJECT, name=pname, id=pid, start=start.isoformat(), end=end.isoformat())


def no_duplicate_claim(db: Session, teacher_id: int, title: str, start: date, end: date, *, besides: int | None = None) -> None:
    """W715 when the teacher has a live claim (waiting or confirmed) of the same title and dates."""
    stmt = select(CreditClaim.id, CreditClaim.title, CreditClaim.state).where(
        CreditClaim.teacher_id == teacher_id, CreditClaim.start_date == start, CreditClaim.end_date == end,
        CreditClaim.state.in_(LIVE_CLAIMS))
    if besides is not None:
        stmt = stmt.where(CreditClaim.id != besides)
    for cid, ctitle, state in db.execute(stmt):
        if _same_name(ctitle) == _same_name(title):
            zh, en = CLAIM_STATES[state]
            raise Refusal(Wb.W_DUPLICATE_CLAIM, id=cid, state=zh, state_en=en)


def taking_results(project: TrainingProject) -> None:
    """W718: a project takes results once it has begun (walk finding 11: results of a project dated
    9999 were accepted); W708 for a project whose stored dates lie out of range (registered before
    they were bounded: its confirmation would compute a cycle past year 9999)."""
    project_dates(project.start_date, project.end_date)
    if project.start_date > dates.today():
        raise Refusal(Wb.W_NOT_STARTED, name=project.name, start=project.start_date.isoformat())
