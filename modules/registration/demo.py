"""Demo of periodic re-registration (``tmis demo``, through the ``build_demo`` hook): three teachers
of 南昌市东湖区第一小学 whose cycle ends in about six months — one eligible, one not yet (96 of
120 credits and a 年度考核 不合格), one barred (a 降低岗位等级 sanction in the cycle) — with their
教师资格, 年度考核 and 师德 records and the credit bank's entries (modules.credits ledger.post),
and the school's batch application for them waiting for the county (county-reviewer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from modules.registration import batch as B
from modules.registration import eligibility as EL
from web.db.models import Record, Teacher, Unit
from web.people import clock

SCHOOL = "3601020001"


def _records(today: dt.date, profile: str) -> dict[str, list[dict[str, Any]]]:
    start = EL.add_months(today, 6)
    start = start.replace(year=start.year - 5)
    years = list(range(start.year, today.year))
    assessment = [{"year": y, "result": "4" if profile == "not_yet" and y == years[1] else ("1" if y % 2 else "2"),
                   "unit_name": "南昌市东湖区第一小学"} for y in years]
    ethics = [{"assess_month": f"{years[1]}-12", "assess_result": "2", "assess_unit": "南昌市东湖区第一小学",
               "honour_level": "0", "punishment": "0"}]
    if profile == "barred":
        ethics.append({"assess_month": f"{years[2]}-12", "assess_result": "2", "assess_unit": "南昌市东湖区第一小学",
                       "honour_level": "0", "punishment": "13", "punishment_reason": "1",
                       "punishment_event_date": f"{years[2]}-09-15", "punishment_date": f"{years[2]}-10-09",
                       "punishment_unit": "南昌市东湖区教育体育局"})
    # certified in 2008, first registered (注册合格) five and a half years ago: due in six months
    return {"qualification": [{"kind": "2", "certificate_number": f"20083601{profile[:1].upper()}0001",
                               "subject": "13", "issue_date": "2008-07-01", "issuer": "南昌市东湖区教育体育局",
                               "first_registration_date": start.isoformat(), "first_registration_result": "1"}],
            "assessment": assessment, "ethics": ethics}


LEDGER = {"eligible": [(72, 720, 1), (48, 480, 3)], "not_yet": [(60, 600, 1), (36, 360, 2)],
          "barred": [(80, 800, 1), (50, 500, 2)]}
# what the credit bank's entries say they are (trainings of the school's county, as a teacher reads them)
TRAININGS = {1: "{year}年东湖区中小学教师暑期全员集中培训", 2: "{year}年南昌市小学语文骨干教师研修班",
             3: "{year}年东湖区小学教师信息技术应用能力提升培训"}


def _rule_version(ctx: Any, day: dt.date) -> str:
    """The province's credit rule version in force on the day (as a confirmation stores it)."""
    from modules.credits import results as R
    from web.errors import Refusal

    try:
        rules = R.rules_for(ctx.settings.repo_root, ctx.settings.province)
    except Refusal:  # no rules here (W-no-rule): the entry still needs a version
        return f"{ctx.settings.province or 'national'}:{day.year}"
    v = rules.version_on(day)
    return rules.version_id(v) if v is not None else f"{ctx.settings.province or 'national'}:{day.year}"


def build(db: Session, ctx: Any, cat: Any, password_hash: str = "") -> list[str]:
    school = db.scalar(select(Unit).where(Unit.code == SCHOOL))
    if school is None:
        return []
    teachers = list(db.scalars(select(Teacher).where(Teacher.unit_id == school.id).order_by(Teacher.id).limit(8)))[-3:]
    if len(teachers) < 3:
        return []
    today = clock.today()
    profiles = dict(zip(("eligible", "not_yet", "barred"), teachers))
    for profile, t in profiles.items():
        db.execute(delete(Record).where(Record.teacher_id == t.id, Record.set_key.in_(EL.SETS)))
        for set_key, docs in _records(today, profile).items():
            for i, doc in enumerate(docs):
                db.add(Record(teacher_id=t.id, set_key=set_key, position=i, document=doc, catalogue_version=cat.version,
                              state="approved" if t.state == "approved" else "draft"))
        db.flush()
        if EL.credits_available():
            from modules.credits import ledger

            start = EL.add_months(today, 6).replace(year=EL.add_months(today, 6).year - 5)
            for credits, hours, years_in in LEDGER[profile]:
                day = start.replace(year=start.year + years_in)
                with ledger.recorded_on(min(day, today)):  # recorded when earned: "as of" a past day reads true
                    ledger.post(db, t.id, kind="earned", credits=credits, hours=hours, category="face_to_face",
                                effective=day, rule_version=_rule_version(ctx, day), confirmed_by=None,
                                note=TRAININGS[years_in].format(year=day.year))
    lines = [f"定期注册 / registration: {profiles['eligible'].name} 符合条件 eligible, {profiles['not_yet'].name} "
             f"尚未达到 not yet, {profiles['barred'].name} 师德不符 barred"]
    from web.cases.demo import _Actors

    try:
        manager = _Actors(db, ctx, password_hash).at(SCHOOL, ("info_manager",))
        with db.begin_nested():
            batch = B.apply(db, ctx, manager, [t.id for t in teachers])
        lines.append(f"  学校的注册申请 #{batch.id} 待县级初审 / the school's application waits for the county "
                     "(county-reviewer)")
    except Exception as exc:  # a demo without the route's authorities: the teachers are still there
        lines.append(f"  注册申请未建 / no application: {exc}")
    return lines
