"""Issue 20.13: a teacher starts a correction of approved data through a 复本 (seed 000 way 1),
which the school reviews first; a change request can delete an approved record, shown in the
diff as deleted, and the record goes only when the request is approved. Real HTTP, real database."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.review.test_review_api import API, _approve_all
from tests.review.test_ui_names import _approved, _with_education
from tests.review.test_ui_roles import _teacher_client
from tests.review.test_ui_teacher_file import _complete
from tests.web.conftest import post_form
from web.db.models import Record
from web.review.models import ReviewCase

SCHOOL = "3601020001"
ROUTE = [SCHOOL, "360102", "3601", "36"]


def test_a_teacher_corrects_approved_data_through_a_copy_and_the_school_reviews_it_first(ctx, cats, as_user, db):
    tid, me = _teacher_client(ctx, as_user)
    _complete(ctx, cats, tid)
    later, _ = _with_education(ctx, tid)
    case = as_user(f"info_manager@{SCHOOL}").post(f"{API}/files/{tid}/submit", json={}).json()
    assert _approve_all(as_user, case, ROUTE)["status"] == "approved"

    page = me.get(f"/review/files/{tid}").text
    assert 'id="open-copies"' in page and "先由学校审核" in page
    picker = page[page.index('id="records"'):page.index('id="open-copies"')]
    assert "学习经历" in picker and "岗位聘任" not in picker  # only the sets the teacher fills
    # a set the school fills cannot be copied by the teacher, whatever the request says
    post = db.scalar(select(Record.id).where(Record.teacher_id == tid, Record.set_key == "post"))
    r = me.post(f"{API}/files/{tid}/changes", json={"record_ids": [post]})
    assert r.status_code == 403 and r.json()["code"] == "W615"

    r = post_form(me, f"/review/files/{tid}", f"/review/files/{tid}/change", {"record_ids": str(later)})
    assert r.status_code == 303, r.text[:800]
    case_url = r.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    copy_id = int(re.search(r'href="/review/copies/(\d+)"', me.get(case_url).text).group(1))
    r = post_form(me, f"/review/copies/{copy_id}", f"/review/copies/{copy_id}",
                  {**_copy_fields(me.get(f"/review/copies/{copy_id}").text), "major": "汉语言文学（师范）"})
    assert r.status_code == 303, r.text[:800]
    detail = me.get(case_url).text
    assert "汉语言文学（师范）" in detail and 'id="submit-change"' in detail
    r = post_form(me, case_url, f"/review/cases/{case_id}/submit", {})
    assert r.status_code == 303, r.text[:800]
    c = db.get(ReviewCase, case_id)
    db.refresh(c)
    assert (c.status, c.waiting_level) == ("pending", "school")  # the school first
    queue = as_user(f"info_reviewer@{SCHOOL}").get("/review/queue").text
    assert f'data-case="{case_id}"' in queue
    assert db.get(Record, later).document["major"] == "汉语言文学"  # nothing replaced yet
    final = _approve_all(as_user, {"id": case_id, "version": c.version}, ROUTE)
    assert final["status"] == "approved"
    db.expire_all()
    assert db.get(Record, later).document["major"] == "汉语言文学（师范）"


def _copy_fields(html: str) -> dict[str, str]:
    """The copy form's current values, as the browser would send them."""
    form = html[html.index('id="copy-form"'):]
    form = form[:form.index("</form>")]
    out = {m.group(1): m.group(2) for m in re.finditer(r'<input id="f-[^"]*" name="([^"]+)" value="([^"]*)"', form)}
    for m in re.finditer(r'<select id="f-[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m.group(2))
        out[m.group(1)] = chosen.group(1) if chosen else ""
    out["version"] = re.search(r'name="version" value="(\d+)"', form).group(1)
    return out


def test_a_change_request_deletes_an_approved_record_shown_as_deleted(as_user, new_teacher, ctx, db):
    tid, (later, earlier) = _approved(as_user, new_teacher, ctx)
    school = as_user(f"info_manager@{SCHOOL}")
    assert 'id="delete-records"' in school.get(f"/review/files/{tid}").text
    r = post_form(school, f"/review/files/{tid}", f"/review/files/{tid}/change",
                  {"record_ids": str(earlier), "delete": "1"})
    assert r.status_code == 303, r.text[:800]
    case_url = r.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    page = school.get(case_url).text
    assert "申请删除" in page and "南昌市第二中学" in page and "（删除）" in page
    assert 'class="edit-copy"' not in page  # nothing to edit in a deletion
    r = post_form(school, case_url, f"/review/cases/{case_id}/submit", {})
    assert r.status_code == 303, r.text[:800]
    assert db.get(Record, earlier) is not None  # still there while under review
    c = db.get(ReviewCase, case_id)
    db.refresh(c)
    assert _approve_all(as_user, {"id": case_id, "version": c.version}, ROUTE)["status"] == "approved"
    db.expire_all()
    assert db.get(Record, earlier) is None and db.get(Record, later) is not None
    # afterwards the diff and the timeline still say what went
    page = school.get(case_url).text
    assert "已删除" in page and "南昌市第二中学 · 2001-09–2004-07" in page
    timeline = school.get(f"/review/files/{tid}").text
    timeline = timeline[timeline.index('id="timeline"'):]
    assert "删除 学习经历：普通高中毕业 · 南昌市第二中学 · 2001-09–2004-07" in timeline
    assert f"#{earlier}" not in timeline


def test_a_set_of_one_record_cannot_be_deleted_by_a_change_request(as_user, new_teacher, ctx, db):
    tid, _ = _approved(as_user, new_teacher, ctx)
    basic = db.scalar(select(Record.id).where(Record.teacher_id == tid, Record.set_key == "basic"))
    r = as_user(f"info_manager@{SCHOOL}").post(f"{API}/files/{tid}/changes", json={"record_ids": [basic], "delete": True})
    assert r.status_code == 409 and r.json()["code"] == "W616"
