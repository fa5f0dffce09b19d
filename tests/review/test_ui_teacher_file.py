"""Issue 20, points 5 and 6: what a teacher meets in the own file. Locked fields are text with the
reason beside them (the rule the save applies, web.forms.locks); the completeness check lists the
sets the school fills as information, not as the teacher's errors, is linked from the form and says
what is true for the file's state. Real HTTP, real database."""

from __future__ import annotations

import re

from sqlalchemy import delete

from tests.review.test_ui_roles import _teacher_client
from tests.web.conftest import post_form
from tests.review.filegen import complete_file
from web.db.models import Record, Teacher


def _complete(ctx, cats, tid: int, *, drop: tuple[str, ...] = ()) -> None:
    """Give teacher ``tid`` a complete file, without the sets in ``drop``."""
    cat = cats["36"]
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        file = complete_file(cat, t.unit.school_type, t.name, t.id_number)
        s.execute(delete(Record).where(Record.teacher_id == tid))
        for key, value in file.items():
            if key in drop:
                continue
            docs = value if isinstance(value, list) else [value]
            for i, doc in enumerate(docs):
                s.add(Record(teacher_id=tid, set_key=key, position=i, document=doc, catalogue_version=cat.version))
        s.commit()


def _input_named(html: str, name: str) -> bool:
    return re.search(rf'<(input|select|textarea)[^>]*\sname="{re.escape(name)}"', html) is not None


# ------------------------------------------------------------------ point 5

def test_a_teacher_sees_identity_items_as_text_with_the_reason(ctx, cats, as_user):
    tid, me = _teacher_client(ctx, as_user)
    _complete(ctx, cats, tid)
    page = me.get(f"/forms/teachers/{tid}/sets/basic").text
    for key in ("id_number", "birth_date", "name", "gender", "id_type"):
        assert not _input_named(page, key), key
    assert page.count("由学校信息管理员修改，教师本人不能修改") == 5
    assert _input_named(page, "former_name") or _input_named(page, "ethnic_group")  # the rest stays editable
    # the school's information manager gets inputs, and no such reason
    school = as_user("info_manager@3601020001").get(f"/forms/teachers/{tid}/sets/basic").text
    assert _input_named(school, "id_number") and "教师本人不能修改" not in school
    # English, one language
    en = me.get(f"/forms/teachers/{tid}/sets/basic?lang=en").text
    assert "information manager, not by the teacher" in en and "教师本人不能修改" not in en


def test_the_teachers_form_saves_as_drawn_and_a_forged_change_is_still_refused(ctx, cats, as_user, db):
    tid, me = _teacher_client(ctx, as_user)
    _complete(ctx, cats, tid)
    url = f"/forms/teachers/{tid}/sets/basic"
    page = me.get(url).text
    fields = re.search(r'name="_fields" value="([^"]*)"', page).group(1).split(",")
    assert "id_number" not in fields and "birth_date" not in fields
    # the browser posts the fields it drew as inputs (_fields); the others keep their stored values
    r = post_form(me, url, url, {"_fields": "former_name", "former_name": "小明"})
    assert r.status_code == 303, r.text[:2000]
    # posting the locked field anyway (a hand-made request): the same rule refuses it
    r = post_form(me, url, url, {"_fields": "birth_date", "birth_date": "1970-01-01"})
    assert r.status_code == 422 and "「出生日期」由学校信息管理员修改" in r.text
    t = db.get(Teacher, tid)
    db.refresh(t)
    assert t.birth_date.isoformat() != "1970-01-01"


# ------------------------------------------------------------------ point 6

def test_a_teachers_check_lists_school_sets_as_information_not_as_errors(ctx, cats, as_user):
    tid, me = _teacher_client(ctx, as_user)
    _complete(ctx, cats, tid, drop=("post", "salary"))
    form = me.get(f"/forms/teachers/{tid}/sets/basic").text
    assert f'href="/forms/teachers/{tid}/completeness"' in form  # the form links to the check
    page = me.get(f"/forms/teachers/{tid}/completeness").text
    card = page[page.index(f'id="check-{tid}"'):]
    assert "您填写的信息完整，由学校核对后报送" in card and "可以报送" not in card.replace("由学校核对后报送", "")
    assert "由学校填写（供参考）" in card
    part = card[card.index("school-part"):]
    assert "岗位聘任" in part and "基本待遇" in part and "去修改" not in part
    mine = card[:card.index("school-part")]
    assert "sev-error" not in mine  # nothing of the teacher's own is an error (a warning may be shown)
    # the school's manager sees the same problems as errors with links
    school = as_user("info_manager@3601020001").get(f"/forms/teachers/{tid}/completeness").text
    assert "去修改" in school and "由学校填写（供参考）" not in school and "处错误" in school


def test_a_teachers_own_problems_are_errors_with_links(ctx, cats, as_user):
    tid, me = _teacher_client(ctx, as_user)
    _complete(ctx, cats, tid, drop=("education", "post"))
    page = me.get(f"/forms/teachers/{tid}/completeness").text
    assert re.search(r"您需要修改 \d+ 处", page)
    mine = page[:page.index("school-part")]
    assert "学习经历" in mine and "去修改" in mine and "岗位聘任" not in mine


def test_the_check_of_an_approved_file_does_not_say_ready_to_submit(ctx, cats, as_user, new_teacher):
    tid = new_teacher("3601020001")
    with ctx.sessions() as s:
        s.get(Teacher, tid).state = "approved"
        s.commit()
    page = as_user("info_manager@3601020001").get(f"/forms/teachers/{tid}/completeness").text
    card = page[page.index(f'id="check-{tid}"'):]
    assert "可以报送" not in card and "已审核通过" in card
    with ctx.sessions() as s:
        s.get(Teacher, tid).state = "pending"
        s.commit()
    page = as_user("info_manager@3601020001").get(f"/forms/teachers/{tid}/completeness").text
    assert "可以报送" not in page[page.index(f'id="check-{tid}"'):] and "正在审核" in page
