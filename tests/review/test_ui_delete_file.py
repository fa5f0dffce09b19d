"""Issue 20.14: a school deletes a teacher file entered by mistake while it is 未报送 — offered
only to the school's data staff and only then, after a confirmation page, audited without
personal data; refused otherwise with a clear message (page and API). Real HTTP, real database."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.review.test_ui_roles import _teacher_client
from tests.web.conftest import post_form
from web.db.models import Account, AuditEntry, Record, Teacher

SCHOOL = "3601020001"


def _row(page: str, tid: int) -> str:
    m = re.search(rf'<tr>\s*<td><input type="checkbox" name="teacher" value="{tid}".*?</tr>', page, re.S)
    assert m, f"teacher {tid} not listed"
    return m.group(0)


def test_the_school_deletes_an_unsubmitted_file_after_confirming(ctx, as_user, db):
    tid, teacher = _teacher_client(ctx, as_user)  # a file with a teacher account, never submitted
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        name, id_number = t.name, t.id_number
    school = as_user(f"info_manager@{SCHOOL}")
    row = _row(school.get("/forms/teachers", params={"q": name}).text, tid)
    assert f'href="/forms/teachers/{tid}/delete"' in row
    # the file's own page offers it too (the seeds: the 信息管理员 deletes 基本信息); the teacher is not offered it
    assert 'id="delete-file"' in school.get(f"/forms/teachers/{tid}/sets/basic").text
    assert 'id="delete-file"' not in teacher.get(f"/forms/teachers/{tid}/sets/basic").text
    confirm = school.get(f"/forms/teachers/{tid}/delete")
    assert confirm.status_code == 200
    assert name in confirm.text and "确认删除" in confirm.text and "不能恢复" in confirm.text
    # nothing is deleted by looking at the confirmation
    assert db.scalar(select(func.count()).select_from(Teacher).where(Teacher.id == tid)) == 1
    r = post_form(school, f"/forms/teachers/{tid}/delete", f"/forms/teachers/{tid}/delete", {})
    assert r.status_code == 303 and r.headers["location"] == "/forms/teachers?deleted=1"
    assert "已删除 1 份教师档案" in school.get(r.headers["location"]).text
    db.expire_all()
    assert db.get(Teacher, tid) is None
    assert db.scalar(select(func.count()).select_from(Record).where(Record.teacher_id == tid)) == 0
    assert db.scalar(select(Account.id).where(Account.username == id_number)) is None
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "teacher.delete",
                                               AuditEntry.target_id == str(tid)))
    assert entry is not None and entry.actor_name == f"info_manager@{SCHOOL}"
    assert name not in str(entry.detail) and id_number not in str(entry.detail)
    assert entry.detail["records"] >= 1 and entry.detail["accounts"] == 1
    # the teacher's session is gone with the account
    assert teacher.get(f"/forms/teachers/{tid}/sets/basic", follow_redirects=False).status_code in (303, 401, 403, 404)


def test_a_submitted_file_is_not_offered_and_is_refused_with_the_reason(as_user, new_teacher, db):
    tid = new_teacher(SCHOOL)
    school = as_user(f"info_manager@{SCHOOL}")
    assert school.post(f"/api/v1/review/files/{tid}/submit", json={}).status_code == 200
    name = db.get(Teacher, tid).name
    row = _row(school.get("/forms/teachers", params={"q": name}).text, tid)
    assert "/delete" not in row
    assert 'id="delete-file"' not in school.get(f"/forms/teachers/{tid}/sets/basic").text
    page = school.get(f"/forms/teachers/{tid}/delete")
    assert page.status_code == 409
    assert "正在审核，不能删除：只有未报送的档案可以删除" in page.text and "申请变更" in page.text
    r = school.delete(f"/api/v1/teachers/{tid}")
    assert r.status_code == 409 and r.json()["code"] == "W460"
    assert r.json()["message_en"].endswith("only a file that was never submitted can be deleted")
    db.expire_all()
    assert db.get(Teacher, tid) is not None


def test_only_the_schools_data_staff_may_delete(ctx, as_user, new_teacher, db):
    tid = new_teacher(SCHOOL, complete=False)
    name = db.get(Teacher, tid).name
    for who in (f"info_viewer@{SCHOOL}", "info_manager@360102"):
        c = as_user(who)
        listed = c.get("/forms/teachers", params={"q": name}).text
        assert f'/forms/teachers/{tid}/delete' not in listed, who
        r = c.delete(f"/api/v1/teachers/{tid}")
        assert r.status_code == 403 and r.json()["code"] == "W201", (who, r.text)
    own, me = _teacher_client(ctx, as_user)
    assert me.delete(f"/api/v1/teachers/{own}").status_code in (403, 404)
    db.expire_all()
    assert db.get(Teacher, tid) is not None and db.get(Teacher, own) is not None
    # the school's manager may, through the API too (the same service)
    r = as_user(f"info_manager@{SCHOOL}").delete(f"/api/v1/teachers/{tid}")
    assert r.status_code == 200 and r.json()["teacher"] == tid


def test_a_file_other_work_refers_to_is_refused_not_a_server_error(ctx, as_user, new_teacher, db):
    """Another module's row that refers to the person without cascading (a transfer case, say)."""
    from sqlalchemy import text

    tid = new_teacher(SCHOOL, complete=False)
    db.rollback()  # DDL on PostgreSQL waits for every open transaction that touched teachers
    with ctx.sessions() as s:
        s.execute(text("CREATE TABLE h_other_work (id INTEGER PRIMARY KEY, "
                       "teacher_id INTEGER NOT NULL REFERENCES teachers(id))"))
        s.execute(text("INSERT INTO h_other_work (id, teacher_id) VALUES (1, :t)"), {"t": tid})
        s.commit()
    try:
        r = as_user(f"info_manager@{SCHOOL}").delete(f"/api/v1/teachers/{tid}")
        assert r.status_code == 409 and r.json()["code"] == "W461", r.text
        assert "不能删除" in r.json()["message"]
        db.expire_all()
        assert db.get(Teacher, tid) is not None
    finally:
        db.rollback()
        with ctx.sessions() as s:
            s.execute(text("DROP TABLE h_other_work"))
            s.commit()
