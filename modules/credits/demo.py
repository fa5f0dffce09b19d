"""Demo data of the credits module (``tmis demo``, through the build_demo hook): a training
institution registered by the province with its account ``institution-demo`` (培训机构管理员, the
demo password), a province project whose results the province has confirmed (credits in the
teachers' credit bank) and a national project (国培计划) whose results the institution has
submitted and which wait for the province's confirmation. Teachers: the first six of 江西 outside
the school 3601020001 (whose teachers the registration demo uses)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.credits import ledger
from modules.credits import projects as P
from modules.credits import results as R
from modules.credits.models import InstitutionAccount
from web.db.models import Account, Grant, Teacher, Unit
from web.services.auth import principal_of

SCHOOL = "3601020001"
USERNAME = "institution-demo"


def _who(db: Session, ctx: Any, username: str) -> Any:
    account = db.scalar(select(Account).where(Account.username == username))
    return None if account is None else principal_of(account, ctx)


def build(db: Session, ctx: Any, password_hash: str) -> list[str]:
    province = db.scalar(select(Unit).where(Unit.code == "36"))
    school = db.scalar(select(Unit).where(Unit.code == SCHOOL))
    manager, reviewer = _who(db, ctx, "province-manager"), _who(db, ctx, "province-reviewer")
    if province is None or school is None or manager is None or reviewer is None:
        return []
    teachers = list(db.scalars(select(Teacher).join(Unit, Unit.id == Teacher.unit_id).where(
        Unit.code.like("36%"), Teacher.unit_id != school.id, Teacher.left_on.is_(None)).order_by(Teacher.id).limit(6)))
    if len(teachers) < 6:
        return []
    inst = P.register_institution(db, manager, "江西师范大学继续教育学院")
    account = Account(username=USERNAME, real_name="江西师大继续教育学院培训管理员", unit_id=province.id, kind="staff",
                      password_hash=password_hash, must_change_password=False, failed_attempts=0, enabled=True)
    db.add(account)
    db.flush()
    db.add(Grant(account_id=account.id, unit_id=province.id, role_key="training_institution"))
    db.add(InstitutionAccount(account_id=account.id, institution_id=inst.id))
    db.flush()
    institution = principal_of(account, ctx)
    rows = lambda ts, hours: [{"id_number": t.id_number, "name": t.name, "hours": h, "passed": h >= 40} for t, h in zip(ts, hours)]  # noqa: E731
    p1 = P.register_project(db, manager, dict(
        name="2024年江西省中小学骨干教师培训", level="province", type="face_to_face", hours=60,
        start="2024-07-08", end="2024-07-19", organiser="江西省教育厅", institution_id=inst.id))
    R.submit_results(db, institution, p1.id, rows(teachers, [60, 56, 48, 30, 60, 60]))
    with ledger.recorded_on(date(2024, 7, 26)):  # confirmed a week after the project: the bank's history reads true
        confirmed = R.confirm_results(db, reviewer, p1.id, root=ctx.settings.repo_root, cat=ctx.catalogue)
    p2 = P.register_project(db, manager, dict(
        name="国培计划（2024）—乡村教师能力提升项目", level="national", type="blended", hours=80,
        start="2024-10-14", end="2024-11-08", organiser="教育部", institution_id=inst.id))
    R.submit_results(db, institution, p2.id, rows(teachers[:4], [80, 72, 80, 64]))
    claims = _claims(db, ctx, school)
    return [f"培训学分 / training credits: 培训机构账号 {USERNAME}；项目「{p1.name}」已确认 {confirmed['confirmed']} 人"
            f"（{confirmed['credits']} 学分），国家级项目「{p2.name}」4 人成绩待省级确认（province-reviewer）"] + claims


def _evidence() -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (420, 200), "white")
    ImageDraw.Draw(img).text((20, 90), "Self-study certificate (demo)", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PDF")
    return buf.getvalue()


def _claims(db: Session, ctx: Any, school: Unit) -> list[str]:
    """自主研修 of the first teacher of 东湖区第一小学 (not one of the registration demo's three):
    one confirmed (its 国内培训 record marked 来自学分银行), one waiting for the school
    (school-reviewer), one approved and waiting for the county (county-reviewer)."""
    from modules.credits import claims as K

    teacher = db.scalar(select(Teacher).where(Teacher.unit_id == school.id).order_by(Teacher.id).limit(1))
    account = db.scalar(select(Account).where(Account.teacher_id == teacher.id)) if teacher else None
    school_rev, county_rev = _who(db, ctx, "school-reviewer"), _who(db, ctx, "county-reviewer")
    if account is None or school_rev is None or county_rev is None:
        return []
    me, pdf = principal_of(account, ctx), _evidence()
    done = K.submit(db, me, {"title": "研读《义务教育课程方案和课程标准（2022年版）》", "start": "2025-03-01",
                             "end": "2025-06-30", "hours": 40, "description": "通读新课标并完成学习笔记 2 万字"},
                    "学习笔记.pdf", pdf)
    K.review(db, school_rev, done.id, True)
    with ledger.recorded_on(date(2025, 7, 15)):
        K.confirm(db, county_rev, done.id, root=ctx.settings.repo_root, cat=ctx.catalogue)
    approved = K.submit(db, me, {"title": "观摩省级优质课视频并撰写评课记录", "start": "2025-09-01", "end": "2025-10-31",
                                 "hours": 24, "description": "观摩 12 节，评课记录 12 篇"}, "评课记录.pdf", pdf)
    K.review(db, school_rev, approved.id, True)
    K.submit(db, me, {"title": "自学《课堂观察与诊断》", "start": "2025-11-01", "end": "2025-11-30", "hours": 20,
                      "description": ""}, "读书笔记.pdf", pdf)
    return [f"自主研修 / self-study: {teacher.name}（{account.username}）1 项已确认（{done.credits} 学分，已写入国内培训），"
            "1 项待学校审核（school-reviewer），1 项待区县确认（county-reviewer）"]
