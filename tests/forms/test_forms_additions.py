"""The forms on a file along its review (issue 5): the forms follow the review module's rule
(``ensure_editable``) instead of a state check of their own.

On an approved (审核通过) file a teacher or the school adds records to repeating sets through the
ordinary forms; such a record is an addition exactly like one saved through the review API, the
school submits it from the review page and it travels the addition route. Approved records and
single-record sets stay read-only with the reason; a file waiting for review (待审核) takes nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.forms.conftest import PASSWORD, csrf_of, four_items, post_form
from tests.review.filegen import complete_file
from web.db.models import Account, Grant, Record, Teacher
from web.review.models import ReviewCase
from web.services import teachers as teacher_service
from web.services import units as unit_service

SCHOOL = "3601020001"
API = "/api/v1/review"
ROUTE = [SCHOOL, "360102", "3601", "36"]  # Jiangxi first submission: school → county → city → province
TRAINING = {"training_year": "2024", "training_category": "1", "project_name": "国培计划2024示范项目",
            "institution_name": "江西师范大学", "training_mode": "1", "hours": "72",
            "_fields": "training_year,training_category,project_name,institution_name,training_mode,hours,credits"}


def _teacher_with_complete_file(ctx, name: str) -> tuple[int, str]:
    """A new person at the school with a complete file and a self-service account (committed)."""
    cat = ctx.catalogue
    with ctx.sessions() as s:
        unit = unit_service.by_code(s, SCHOOL)
        items = teacher_service.FourItems.parse(**four_items(SCHOOL[:6], name))
        teacher = teacher_service.create_raw(s, unit, items, catalogue_version=cat.version)
        file = complete_file(cat, unit.school_type, items.name, items.id_number)
        basic = s.scalar(select(Record).where(Record.teacher_id == teacher.id, Record.set_key == "basic"))
        basic.document = file["basic"]
        for key, value in file.items():
            if key != "basic":
                for i, doc in enumerate(value if isinstance(value, list) else [value]):
                    s.add(Record(teacher_id=teacher.id, set_key=key, position=i, document=doc,
                                 catalogue_version=cat.version))
        account = Account(username=items.id_number, real_name=items.name, unit_id=unit.id, kind="teacher",
                          teacher_id=teacher.id, password_hash=ctx.hasher.hash(PASSWORD),
                          must_change_password=False, failed_attempts=0, enabled=True)
        s.add(account)
        s.flush()
        s.add(Grant(account_id=account.id, unit_id=unit.id, role_key="teacher"))
        s.commit()
        return teacher.id, items.id_number


def _submit(as_user, tid: int) -> dict:
    r = as_user(f"info_manager@{SCHOOL}").post(f"{API}/files/{tid}/submit", json={})
    assert r.status_code == 200, r.text
    return r.json()


def _approve(as_user, case: dict, units: list[str]) -> dict:
    for unit in units:
        r = as_user(f"info_reviewer@{unit}").post(f"{API}/cases/{case['id']}/approve", json={"version": case["version"]})
        assert r.status_code == 200, r.text
        case = r.json()
    return case


def _approved_file(ctx, as_user, name: str) -> tuple[int, str]:
    tid, username = _teacher_with_complete_file(ctx, name)
    assert _approve(as_user, _submit(as_user, tid), ROUTE)["status"] == "approved"
    return tid, username


def _rows(ctx, tid: int, set_key: str) -> list[Record]:
    with ctx.sessions() as s:
        return list(s.scalars(select(Record).where(Record.teacher_id == tid, Record.set_key == set_key,
                                                   Record.copy_of_id.is_(None)).order_by(Record.position)))


def test_teacher_adds_a_training_to_an_approved_file_and_it_travels_the_addition_route(ctx, as_user):
    tid, username = _approved_file(ctx, as_user, "培训新增")
    [approved] = _rows(ctx, tid, "training")
    me = as_user(username, entry="teacher")
    page = me.get(f"/forms/teachers/{tid}/sets/training")
    assert page.status_code == 200
    assert 'id="add-record"' in page.text                                     # 增加 is offered
    assert f'href="/review/files/{tid}"' in page.text and "保存后由学校报送审核" in page.text
    assert "审核通过" in page.text and f"/records/{approved.id}/delete" not in page.text  # the approved one: 查看 only

    url = f"/forms/teachers/{tid}/sets/training/new"
    r = post_form(me, url, url, TRAINING)
    assert r.status_code == 303, r.text[-2000:]
    [_, added] = _rows(ctx, tid, "training")
    assert (added.state, added.copy_of_id, added.document["project_name"]) == ("draft", None, "国培计划2024示范项目")
    page = me.get(f"/forms/teachers/{tid}/sets/training").text
    assert "新增，未报送" in page and f"/records/{added.id}/delete" in page   # the addition: editable, deletable

    # the review module sees it as an addition, exactly like one saved through its own API
    school = as_user(f"info_manager@{SCHOOL}")
    assert school.get(f"{API}/files/{tid}").json()["unsubmitted_additions"] == [added.id]
    assert 'id="submit-additions"' not in me.get(f"/review/files/{tid}").text  # teachers only save
    r = post_form(school, f"/review/files/{tid}", f"/review/files/{tid}/additions", {})
    assert r.status_code == 303, r.text[-2000:]
    assert _rows(ctx, tid, "training")[1].state == "pending"
    # the addition route (Jiangxi: school → county): after the school, the county's queue has it
    with ctx.sessions() as s:
        rc = s.scalar(select(ReviewCase).where(ReviewCase.teacher_id == tid, ReviewCase.kind == "addition"))
        assert rc is not None and rc.record_ids == [added.id] and rc.waiting_level == "school"
        case = {"id": rc.id, "version": rc.version}
    q = as_user(f"info_reviewer@{SCHOOL}").get(f"{API}/queue?kind=addition").json()
    assert case["id"] in {i["case"] for i in q["items"]}
    _approve(as_user, case, [SCHOOL])
    county = as_user("info_reviewer@360102").get(f"{API}/queue?kind=addition").json()
    assert case["id"] in {i["case"] for i in county["items"]}

    # under review, the new record is read-only in the forms, with the reason
    page = me.get(f"/forms/teachers/{tid}/sets/training/records/{added.id}").text
    assert 'id="save"' not in page and "这条新增记录已报送，正在审核中" in page
    rec = f"/forms/teachers/{tid}/sets/training/records/{added.id}"
    r = me.post(rec, data={"_csrf_token": csrf_of(page), **TRAINING, "hours": "80"}, follow_redirects=False)
    assert r.status_code == 409 and "W601" in r.text
    assert _rows(ctx, tid, "training")[1].document["hours"] == 72


def test_approved_records_are_read_only_with_the_reason_and_refused_when_posted(ctx, as_user):
    tid, _ = _approved_file(ctx, as_user, "审核锁定")
    school = as_user(f"info_manager@{SCHOOL}")
    [assessment] = _rows(ctx, tid, "assessment")
    url = f"/forms/teachers/{tid}/sets/assessment/records/{assessment.id}"
    page = school.get(url)
    assert page.status_code == 200 and 'id="save"' not in page.text
    assert "已审核通过：修改请由学校发起变更申请" in page.text
    # a post anyway (a page opened before the approval): refused with the reason, what was typed kept
    r = school.post(url, data={"_csrf_token": csrf_of(page.text), "year": "2023", "result": "2",
                               "unit_name": "改过的单位名称", "_fields": "year,result,unit_name",
                               "_version": str(assessment.version)}, follow_redirects=False)
    assert r.status_code == 409 and "W602" in r.text and "申请变更" in r.text and "改过的单位名称" in r.text
    r = school.post(url + "/delete", data={"_csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 409 and "W602" in r.text
    assert [(x.id, x.document) for x in _rows(ctx, tid, "assessment")] == [(assessment.id, assessment.document)]
    # a single-record set: nothing to add, the approved record is read-only
    basic = school.get(f"/forms/teachers/{tid}/sets/basic").text
    assert 'id="save"' not in basic and "已审核通过：修改请由学校发起变更申请" in basic
    assert "Approved: to change it, the school requests a change" in school.get(url + "?lang=en").text
    school.get(url + "?lang=zh")
    # the school adds a 年度考核 through the forms API: an addition; the approved one stays locked
    api = f"/api/v1/teachers/{tid}/sets/assessment"
    listed = school.get(api).json()
    assert listed["may_add"] and listed["file_state"] == "approved" and not listed["records"][0]["editable"]
    made = school.post(api, json={"values": {"year": 2024, "result": "优秀", "unit_name": "东湖区第一小学"}})
    assert made.status_code == 201 and made.json()["state"] == "draft", made.text
    locked = school.http.put(f"{api}/records/{assessment.id}", json={"values": {"result": "2"}})
    assert locked.status_code == 409 and locked.json()["code"] == "W602"
    assert school.get(f"{API}/files/{tid}").json()["unsubmitted_additions"] == [made.json()["id"]]
    # the unsubmitted addition may be deleted again
    assert school.delete(f"{api}/records/{made.json()['id']}").json()["code"] == "W440"  # no version: 428
    gone = school.delete(f"{api}/records/{made.json()['id']}", headers={"If-Match": made.headers["ETag"]})
    assert gone.status_code == 200 and school.get(f"{API}/files/{tid}").json()["unsubmitted_additions"] == []


def test_a_file_waiting_for_review_takes_no_addition(ctx, as_user):
    tid, username = _teacher_with_complete_file(ctx, "待审新增")
    _submit(as_user, tid)
    me = as_user(username, entry="teacher")
    page = me.get(f"/forms/teachers/{tid}/sets/training")
    assert page.status_code == 200 and 'id="add-record"' not in page.text
    assert "已报送，正在审核中" in page.text
    assert me.get(f"/forms/teachers/{tid}/sets/training/new").status_code == 409
    r = me.post(f"/forms/teachers/{tid}/sets/training/new", data={"_csrf_token": csrf_of(page.text), **TRAINING},
                follow_redirects=False)
    assert r.status_code == 409 and "W601" in r.text and "国培计划2024示范项目" in r.text  # what was typed is kept
    school = as_user(f"info_manager@{SCHOOL}")
    r = school.post(f"/api/v1/teachers/{tid}/sets/assessment", json={"values": {"year": 2024, "result": "1"}})
    assert r.status_code == 409 and r.json()["code"] == "W601"
    assert len(_rows(ctx, tid, "training")) == 1 and len(_rows(ctx, tid, "assessment")) == 1
    with ctx.sessions() as s:
        assert s.get(Teacher, tid).state == "pending"
