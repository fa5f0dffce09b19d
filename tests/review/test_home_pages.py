"""Home pages per kind of account (issue 15 §5): a teacher sees each set's state (完成 / 未填 /
有错误), the review state with the reason it was sent back and the collection window's deadline; a
school its to-do counts (待报送, 退回, 待审核); an authority its queue and the progress of the
units below, by name."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from tests.review.conftest import add_teacher
from tests.web.conftest import PASSWORD, add_staff
from web.db.models import Account, Grant, Teacher
from web.review import progress as P
from web.review import service as S
from web.services import units as unit_service

_n = itertools.count(9100)


def _text(html: str, element_id: str) -> str:
    part = html.split(f'id="{element_id}"')[1].split(">", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", part.split("</section>")[0].split("</li>")[0]).split())


@pytest.fixture()
def school(ctx, world):
    """A school of its own under 西湖区 (360103) with a manager and a reviewer: exact counts."""
    code = f"360103{next(_n):04d}"
    with ctx.sessions() as db:
        unit = unit_service.create_unit_raw(db, code=code, name=f"西湖区第{code[-2:]}小学", level="school",
                                            parent=unit_service.by_code(db, "360103"), school_type="primary")
        add_staff(db, ctx, f"info_manager@{code}", unit, "info_manager", "校信息管理员")
        add_staff(db, ctx, f"info_reviewer@{code}", unit, "info_reviewer", "校审核员")
        db.commit()
    return code


def _account(ctx, teacher_id: int) -> str:
    with ctx.sessions() as db:
        t = db.get(Teacher, teacher_id)
        acc = Account(username=t.id_number, real_name=t.name, unit_id=t.unit_id, kind="teacher", teacher_id=t.id,
                      password_hash=ctx.hasher.hash(PASSWORD), must_change_password=False, failed_attempts=0,
                      enabled=True)
        db.add(acc)
        db.flush()
        db.add(Grant(account_id=acc.id, unit_id=t.unit_id, role_key="teacher"))
        db.commit()
        return t.id_number


def test_a_teacher_sees_set_states_review_state_reason_and_deadline(ctx, cats, who, as_user, school):
    cat = cats["36"]
    due = date.today() + timedelta(days=12)
    with ctx.sessions() as db:
        done = add_teacher(db, cat, school, name="李完成")
        bare = add_teacher(db, cat, school, complete=False, name="王未填")
        P.open_window(db, who(db, "info_reviewer@360103"), "360103", "2026年度信息更新", due)
        case = S.submit(db, cat, who(db, f"info_manager@{school}"), done)
        S.reject(db, cat, who(db, f"info_reviewer@{school}"), case.id, "学习经历的毕业学校写错了")
        db.commit()
    page = as_user(_account(ctx, done), entry="teacher").get("/teacher/").text
    assert "李完成" in page and "审核未通过" in _text(page, "home-review")
    assert "学习经历的毕业学校写错了" in _text(page, "review-reason")
    assert due.isoformat() in page and "2026年度信息更新" in page and "还剩 12 天" in page
    assert _text(page, "set-basic") == "基本信息 完成" and "有错误 0" in _text(page, "home-sets")
    page = as_user(_account(ctx, bare), entry="teacher").get("/teacher/").text
    assert "有错误" in _text(page, "set-basic") and "未填" in _text(page, "set-education")
    assert "未报送" in _text(page, "home-review")
    assert not re.search(r"#\d", page)  # names, never internal ids


def test_a_school_sees_its_to_do_counts_and_an_authority_its_units(ctx, cats, who, as_user, school):
    cat = cats["36"]
    with ctx.sessions() as db:
        add_teacher(db, cat, school, name="赵待报")
        sent_back = add_teacher(db, cat, school, name="钱退回")
        waiting = add_teacher(db, cat, school, name="孙待审")
        case = S.submit(db, cat, who(db, f"info_manager@{school}"), sent_back)
        S.reject(db, cat, who(db, f"info_reviewer@{school}"), case.id, "请补充")
        S.submit(db, cat, who(db, f"info_manager@{school}"), waiting)
        db.commit()
    manager = as_user(f"info_manager@{school}").get("/admin/").text
    assert _text(manager, "todo-review-unsubmitted") == "1 待报送"
    assert _text(manager, "todo-review-rejected") == "1 退回"
    reviewer = as_user(f"info_reviewer@{school}").get("/admin/").text
    assert _text(reviewer, "todo-review-queue") == "1 待审核"
    county = as_user("info_reviewer@360103").get("/admin/").text
    progress = _text(county, "home-progress")
    assert f"西湖区第{school[-2:]}小学 3 1 1 0" in progress
    assert "待审核" in _text(county, "home-todos")
    assert not re.search(r"#\d", county)
