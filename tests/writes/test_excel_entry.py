"""The Excel import among the write path's entry points (issue 14, finding 2). It writes whole
sheets at once, so it applies the write path's rules in bulk rather than record by record; this
test holds it to the same refusals: who may write (a teacher account may not import), one person
one number (a row naming a teacher filed at another school: V215, 一人一号) and the review state
(a changed row of a file under review: V331). Each refusal says where, and nothing is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from engine import errors as E
from tests.excel.test_web import cells, upload, wait, workbook
from web.db.models import Record, Teacher

SCHOOL = "3601020001"
REVIEW = "/api/v1/review"


def _file(ctx, tid: int) -> tuple:
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        rows = s.scalars(select(Record).where(Record.teacher_id == tid).order_by(Record.id)).all()
        return (t.unit_id, t.name, t.state, [(r.id, r.version, r.document) for r in rows])


def _teachers(ctx) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Teacher))


def _row_of(ctx, tid: int) -> bytes:
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        return workbook(ctx.catalogue, [cells("改个名字", t.id_number, t.birth_date or dt.date(1985, 3, 14))])


def test_a_teacher_account_cannot_import(as_user, ctx, world):
    tid = world.teachers[SCHOOL][0]
    me = as_user(world.teacher_usernames[tid], entry="teacher")
    before = _file(ctx, tid)
    r = upload(me, _row_of(ctx, tid), unit=SCHOOL)
    assert r.status_code in (403, 404), r.text[:300]
    assert _file(ctx, tid) == before


def test_a_row_naming_a_teacher_filed_elsewhere_is_refused(as_user, ctx, world):
    elsewhere = world.teachers["3601020002"][0]
    school = as_user(f"info_manager@{SCHOOL}")
    before, count = _file(ctx, elsewhere), _teachers(ctx)
    job = wait(school, upload(school, _row_of(ctx, elsewhere), unit=SCHOOL).json()["job"])
    found = [e for e in job["errors"] if e["rule"] == E.V_XLSX_ELSEWHERE]
    assert found and "一人一号" in found[0]["message"], job
    assert found[0]["sheet"] == "基本信息" and found[0]["row"] >= 2  # where: the sheet and the row
    assert _file(ctx, elsewhere) == before and _teachers(ctx) == count


def test_a_changed_row_of_a_file_under_review_is_refused(as_user, ctx, new_teacher):
    tid = new_teacher(SCHOOL)
    school = as_user(f"info_manager@{SCHOOL}")
    assert school.post(f"{REVIEW}/files/{tid}/submit", json={}).status_code == 200
    before = _file(ctx, tid)
    job = wait(school, upload(school, _row_of(ctx, tid), unit=SCHOOL).json()["job"])
    found = [e for e in job["errors"] if e["rule"] in (E.V_XLSX_LOCKED, "V331")]
    assert found, job
    assert _file(ctx, tid) == before
