"""Issue 20.7: people and records are named by what a clerk recognises, never by internal ids:
the 复本 picker lists each record's identifying values and dates, sorted; the case page and the
timeline's 原因 name the records concerned; bulk results name the teacher. Real HTTP, real
database."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from tests.review.test_review_api import API, _approve_all
from tests.web.conftest import post_form
from web.db.models import Record, Teacher

SCHOOL = "3601020001"


def _with_education(ctx, tid: int) -> list[int]:
    """Replace the file's 学习经历 with two records entered out of order (the later first)."""
    with ctx.sessions() as s:
        s.execute(delete(Record).where(Record.teacher_id == tid, Record.set_key == "education"))
        base = {"edu_country": "156", "normal_major": True, "degree_level": "0", "study_mode": "1"}
        later = {**base, "edu_level": "21", "institution": "江西师范大学", "major": "汉语言文学",
                 "enrolment_month": "2004-09", "graduation_month": "2008-07"}
        earlier = {**base, "edu_level": "61", "institution": "南昌市第二中学", "major": "无",
                   "enrolment_month": "2001-09", "graduation_month": "2004-07"}
        rows = [Record(teacher_id=tid, set_key="education", position=i, document=d, catalogue_version="x")
                for i, d in enumerate((later, earlier))]
        s.add_all(rows)
        s.commit()
        return [r.id for r in rows]


def _approved(as_user, new_teacher, ctx) -> tuple[int, list[int]]:
    tid = new_teacher(SCHOOL)
    ids = _with_education(ctx, tid)
    case = as_user(f"info_manager@{SCHOOL}").post(f"{API}/files/{tid}/submit", json={})
    assert case.status_code == 200, case.text
    assert _approve_all(as_user, case.json(), [SCHOOL, "360102", "3601", "36"])["status"] == "approved"
    return tid, ids


def test_the_copy_picker_names_records_by_their_values_and_dates_sorted(as_user, new_teacher, ctx):
    tid, (later, earlier) = _approved(as_user, new_teacher, ctx)
    page = as_user(f"info_manager@{SCHOOL}").get(f"/review/files/{tid}").text
    picker = page[page.index('id="records"'):page.index('id="open-copies"')]
    assert f"#{later}" not in picker and f"#{earlier}" not in picker
    names = re.findall(r'class="record-name">([^<]*)<', picker)
    education = [n for n in names if "学校" in n or "大学" in n or "中学" in n]
    assert education == ["普通高中毕业 · 南昌市第二中学 · 2001-09–2004-07",
                         "大学本科毕业 · 江西师范大学 · 2004-09–2008-07"], names


def test_the_case_page_and_the_timeline_name_the_records_concerned(as_user, new_teacher, ctx):
    tid, (later, _) = _approved(as_user, new_teacher, ctx)
    school = as_user(f"info_manager@{SCHOOL}")
    r = post_form(school, f"/review/files/{tid}", f"/review/files/{tid}/change", {"record_ids": str(later)})
    assert r.status_code == 303, r.text[:1000]
    case = school.get(r.headers["location"]).text
    assert "江西师范大学 · 2004-09–2008-07" in case
    timeline = case[case.index('id="timeline"'):]
    assert "学习经历：大学本科毕业 · 江西师范大学 · 2004-09–2008-07" in timeline
    assert f"education#{later}" not in case and f"#{later}" not in case
    # the teacher's name and school are on the case page
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        name, school_name = t.name, t.unit.name
    heading = case[case.index("<h1>"):case.index("</h1>")]
    assert name in heading and school_name in heading


def test_bulk_results_name_the_teacher_not_an_id(as_user, new_teacher):
    tid = new_teacher(SCHOOL, complete=False)
    school = as_user(f"info_manager@{SCHOOL}")
    r = post_form(school, "/review/school", "/review/school/submit", {"teacher_ids": str(tid)})
    assert r.status_code == 200, r.text[:500]
    results = r.text[r.text.index('id="bulk-results"'):]
    results = results[:results.index("</section>")]
    assert f"#{tid}" not in results and "完整性检测未通过" in results
    assert re.search(r"<strong>张老师</strong>：完整性检测未通过", results), results
