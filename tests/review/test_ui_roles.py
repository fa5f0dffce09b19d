"""Issue 20, points 4, 8 and 10: each role sees only the actions it may use, refusals name
permissions by their labels in one language, and a teacher whose school closed logins is sent
to the teacher login with the reason. Real HTTP through the app, real database."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.web.conftest import PASSWORD, four_items, post_form
from web.db.models import Account, Grant
from web.services import teachers as teacher_service
from web.services import units as unit_service

_n = itertools.count(1)


def _teacher_client(ctx, as_user, school: str = "3601020001"):
    """A new teacher with an account at ``school``; returns (teacher id, signed-in client)."""
    with ctx.sessions() as s:
        unit = unit_service.by_code(s, school)
        items = teacher_service.FourItems.parse(**four_items(school[:6], "自助教师"))
        t = teacher_service.create_raw(s, unit, items, catalogue_version="test")
        acc = Account(username=items.id_number, real_name=items.name, unit_id=unit.id, kind="teacher",
                      teacher_id=t.id, password_hash=ctx.hasher.hash(PASSWORD), must_change_password=False,
                      failed_attempts=0, enabled=True)
        s.add(acc)
        s.flush()
        s.add(Grant(account_id=acc.id, unit_id=unit.id, role_key="teacher"))
        s.commit()
        return t.id, as_user(items.id_number, entry="teacher")


# ------------------------------------------------------------------ point 4: actions by role

def test_a_teacher_is_offered_neither_the_submit_page_nor_the_import_page(ctx, as_user):
    _, me = _teacher_client(ctx, as_user)
    for url in ("/review/school", "/excel/import", "/review/progress"):
        r = me.get(url)
        assert r.status_code == 403, (url, r.status_code)
        assert "没有权限" in r.text and "批量报送" not in r.text and "导入到" not in r.text
    # the API answers the same question the same way
    r = me.post("/api/v1/review/files/submit", json={"teacher_ids": [me.login_body.get("teacher_id") or 0]})
    assert r.status_code == 403 and r.json()["message"] == "没有权限：需要「报送」"
    r = me.post("/api/v1/imports", files={"file": ("a.xlsx", b"PK\x03\x04", "application/octet-stream")},
                headers={"x-csrftoken": "1"})
    assert r.status_code == 403 and r.json()["code"] == "W201"
    assert r.json()["message"] == "没有权限：需要「录入和修改信息」"


def test_a_county_viewer_sees_no_open_window_form_and_the_service_refuses_it_the_same_way(as_user):
    viewer = as_user("info_viewer@360102")
    page = viewer.get("/review/progress")
    assert page.status_code == 200
    assert "开启采集" not in page.text and 'action="/review/windows"' not in page.text
    r = viewer.post("/api/v1/review/windows", json={"unit_code": "360102", "title": "年度更新", "due_on": "2030-03-31"})
    assert r.status_code == 403
    body = r.json()
    assert body["message"] == "没有权限：需要「审核」" and body["message_en"] == "Not allowed: needs 'Review'"
    # a county reviewer may: the form is there, and it works
    reviewer = as_user("info_reviewer@360102")
    assert 'action="/review/windows"' in reviewer.get("/review/progress").text


def test_a_county_viewer_is_not_offered_the_review_queue_or_the_submit_page(as_user):
    nav = as_user("info_viewer@360102").get("/review/progress").text
    assert 'href="/review/queue"' not in nav and 'href="/review/school"' not in nav
    assert 'href="/review/progress"' in nav
    nav = as_user("info_manager@3601020001").get("/review/progress").text
    assert 'href="/review/queue"' in nav and 'href="/review/school"' in nav


def test_lists_say_view_to_viewers_and_edit_to_editors(as_user, world):
    viewer = as_user("info_viewer@360102").get("/forms/teachers").text
    links = re.findall(r'class="open-file">([^<]+)<', viewer)
    assert links and set(links) == {"查看"}
    assert "查看/编辑" not in viewer and 'id="data-import"' not in viewer
    editor = as_user("info_manager@3601020001").get("/forms/teachers").text
    assert set(re.findall(r'class="open-file">([^<]+)<', editor)) == {"编辑"}
    assert 'id="data-import"' in editor


def test_the_review_file_page_offers_editing_only_to_editors(as_user, new_teacher):
    tid = new_teacher("3601020001")
    viewer = as_user("info_viewer@3601020001").get(f"/review/files/{tid}").text
    assert re.search(r'id="open-file">查看档案<', viewer)
    editor = as_user("info_manager@3601020001").get(f"/review/files/{tid}").text
    assert re.search(r'id="open-file">编辑档案<', editor)


# ------------------------------------------------------------------ point 8: labels, one language

def test_refusals_name_permissions_by_label_in_one_language(as_user):
    r = as_user("info_viewer@360102").get("/api/v1/review/queue")
    assert r.status_code == 403
    body = r.json()
    assert body["message"] == "没有权限：需要「审核」" and "record." not in body["message"]
    assert body["message_en"] == "Not allowed: needs 'Review'"


def test_bad_four_items_say_what_is_wrong_in_one_language(as_user):
    admin = as_user("system_admin@3601020001")
    bad = {"name": "王五", "gender": "1", "birth_date": "1980-01-01", "id_number": "360102198001011234",
           "unit": "3601020001"}
    r = post_form(admin, "/admin/teacher-accounts/?unit=3601020001", "/admin/teacher-accounts/new", bad)
    assert r.status_code == 422
    assert "身份证件号无效" in r.text and "the ID number is invalid" not in r.text
    r = post_form(admin, "/admin/teacher-accounts/?unit=3601020001&lang=en", "/admin/teacher-accounts/new?lang=en", bad)
    assert "the ID number is invalid" in r.text and "身份证件号无效" not in r.text


def test_an_invalid_window_is_refused_in_one_language(as_user):
    r = as_user("info_reviewer@360102").post("/api/v1/review/windows",
                                              json={"unit_code": "360102", "title": "", "due_on": "2030-03-31"})
    assert r.status_code == 422
    body = r.json()
    assert "/" not in body["message"] and "a title" not in body["message"]
    assert "需要" not in body["message_en"] and "a title" in body["message_en"]


# ------------------------------------------------------------------ point 10: logins closed

def test_a_signed_in_teacher_whose_school_closes_logins_goes_to_the_teacher_login_with_the_reason(ctx, as_user):
    code = f"36010299{next(_n):02d}"
    with ctx.sessions() as s:
        unit_service.create_unit_raw(s, code=code, name="登录测试学校", level="school",
                                     parent=unit_service.by_code(s, "360102"), school_type="primary")
        s.commit()
    tid, me = _teacher_client(ctx, as_user, code)
    assert me.get(f"/forms/teachers/{tid}/sets/basic").status_code == 200
    with ctx.sessions() as s:
        unit_service.by_code(s, code).teacher_login_enabled = False
        s.commit()
    r = me.get(f"/forms/teachers/{tid}/sets/basic", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/teacher/login")
    page = me.get(r.headers["location"])
    assert "学校已关闭教师自助登录" in page.text and "教师自助登录" in page.text
    # the API: signed out (401), and why
    r = me.get(f"/api/v1/teachers/{tid}")
    assert r.status_code == 401 and r.json()["args"]["reason"] == "W104"
    # a reason the page does not know is not shown (a link cannot put words on the page)
    assert "alert-error" not in me.get("/teacher/login?reason=W201").text
