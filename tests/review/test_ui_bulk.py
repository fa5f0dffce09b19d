"""Issue 20.12: bulk 退回 with one reason beside bulk 审核通过; a select-all box on the 报送 page; a
school filter and search by school name on county and city lists; the case page names the
teacher, the school and the records concerned. Real HTTP, real database."""

from __future__ import annotations

import re

from tests.web.conftest import post_form
from web.db.models import Teacher

API = "/api/v1/review"
SCHOOL = "3601020001"


def _pending(as_user, new_teacher, school: str = SCHOOL) -> tuple[int, dict]:
    tid = new_teacher(school)
    r = as_user(f"info_manager@{school}").post(f"{API}/files/{tid}/submit", json={})
    assert r.status_code == 200, r.text
    return tid, r.json()


def _queue_form(c, ids: list[int], versions: dict[int, int], extra: dict) -> dict:
    data = {"case_ids": [str(i) for i in ids], **{f"v_{i}": str(v) for i, v in versions.items()}, **extra}
    return data


def test_bulk_send_back_with_one_reason(as_user, new_teacher, db):
    (t1, c1), (t2, c2) = _pending(as_user, new_teacher), _pending(as_user, new_teacher)
    reviewer = as_user(f"info_reviewer@{SCHOOL}")
    page = reviewer.get("/review/queue").text
    assert 'id="bulk-approve"' in page and 'id="bulk-reject"' in page and 'id="bulk-reason"' in page
    form = _queue_form(reviewer, [c1["id"], c2["id"]], {c1["id"]: c1["version"], c2["id"]: c2["version"]}, {})
    # no reason: nothing happens, the page says why
    r = post_form(reviewer, "/review/queue", "/review/queue/reject", {**form, "reason": " "})
    assert r.status_code == 422 and "必须填写原因" in r.text
    db.expire_all()
    assert {db.get(Teacher, t1).state, db.get(Teacher, t2).state} == {"pending"}
    r = post_form(reviewer, "/review/queue", "/review/queue/reject", {**form, "reason": "请补充学历证明材料"})
    assert r.status_code == 200, r.text[:1000]
    assert "批量退回结果" in r.text and re.search(r"2 已退回，0 未处理", r.text)
    db.expire_all()
    assert {db.get(Teacher, t1).state, db.get(Teacher, t2).state} == {"rejected"}
    school = as_user(f"info_manager@{SCHOOL}").get(f"/review/files/{t1}").text
    assert "请补充学历证明材料" in school[school.index('id="returned-reason"'):]
    # the API does the same, with a result per item (the first is no longer waiting)
    t3, c3 = _pending(as_user, new_teacher)
    r = reviewer.post(f"{API}/cases/reject", json={"case_ids": [c1["id"], c3["id"]], "reason": "照片不合格"})
    assert r.status_code == 200
    body = r.json()
    assert (body["ok"], body["failed"]) == (1, 1) and body["results"][1]["state"] == "rejected"
    # a case outside the reviewer's scope is refused item by item, and stays as it was
    t4, c4 = _pending(as_user, new_teacher)
    r = as_user("info_reviewer@3601030001").post(f"{API}/cases/reject", json={"case_ids": [c4["id"]], "reason": "越权退回"})
    assert r.status_code in (200, 403), r.text
    if r.status_code == 200:
        assert r.json()["results"][0]["ok"] is False and r.json()["results"][0]["code"] == "W610"
    db.expire_all()
    assert db.get(Teacher, t4).state == "pending"


def test_the_submit_page_has_a_select_all_box_for_the_files_that_can_be_submitted(as_user):
    page = as_user(f"info_manager@{SCHOOL}").get("/review/school").text
    head = page[page.index('id="school-table"'):page.index("</thead>")]
    box = re.search(r'<input type="checkbox" id="select-all"[^>]*>', head)
    assert box and 'data-check-all="#school-table input[name=teacher_ids]:not(:disabled)"' in box.group(0)


def test_county_and_city_lists_filter_by_school_name(as_user, new_teacher, db):
    first = new_teacher(SCHOOL, complete=False)
    second = new_teacher("3601020002", complete=False)
    for who in ("info_manager@360102", "info_viewer@3601"):
        c = as_user(who)
        page = c.get("/forms/teachers").text
        assert 'id="school-filter"' in page and "<option value=\"东湖区第二中学\">3601020002</option>" in page
        found = c.get("/forms/teachers", params={"school": "第二中学"}).text
        listed = {int(x) for x in re.findall(r'name="teacher" value="(\d+)"', found)}
        assert second in listed and first not in listed, who
        assert {db.get(Teacher, i).unit.code for i in listed} == {"3601020002"}
        by_code = c.get("/forms/teachers", params={"school": SCHOOL}).text
        assert first in {int(x) for x in re.findall(r'name="teacher" value="(\d+)"', by_code)}
    # a school's own list has no school filter (it is one school)
    assert 'id="school-filter"' not in as_user(f"info_manager@{SCHOOL}").get("/forms/teachers").text


def test_the_county_queue_filters_by_school_name(as_user, new_teacher):
    _, c1 = _pending(as_user, new_teacher)
    _, c2 = _pending(as_user, new_teacher, "3601020002")
    for school, case in ((SCHOOL, c1), ("3601020002", c2)):
        assert as_user(f"info_reviewer@{school}").post(
            f"{API}/cases/{case['id']}/approve", json={"version": case["version"]}).status_code == 200
    county = as_user("info_reviewer@360102")
    page = county.get("/review/queue", params={"school": "第一小学"}).text
    cases = {int(x) for x in re.findall(r'data-case="(\d+)"', page)}
    assert c1["id"] in cases and c2["id"] not in cases
    assert 'id="school-filter"' in page


def test_the_case_page_names_the_teacher_the_school_and_the_records(as_user, new_teacher, db):
    tid, case = _pending(as_user, new_teacher)
    page = as_user(f"info_reviewer@{SCHOOL}").get(f"/review/cases/{case['id']}").text
    t = db.get(Teacher, tid)
    line = page[page.index('id="case-teacher"'):]
    line = line[:line.index("</p>")]
    assert t.name in line and "东湖区第一小学" in line and SCHOOL in line
    records = page[page.index('id="case-records"'):]
    assert "基本信息" in records and "学习经历" in records and "条" in records
