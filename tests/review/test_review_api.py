"""The review API and pages through real HTTP: what each user may do, the queue with its filters,
the timeline, additions, change requests with their diff, progress and collection windows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.web.conftest import csrf_of
from web.db.models import Record, Teacher
from web.review.models import ReviewCase

API = "/api/v1/review"


def _approve_all(as_user, case: dict, units: list[str]) -> dict:
    for unit in units:
        r = as_user(f"info_reviewer@{unit}").post(f"{API}/cases/{case['id']}/approve", json={"version": case["version"]})
        assert r.status_code == 200, r.text
        case = r.json()
    return case


def test_may_flags_follow_the_file_along_the_route(as_user, new_teacher):
    tid = new_teacher("3601020001")
    school, county, viewer = as_user("info_manager@3601020001"), as_user("info_reviewer@360102"), \
        as_user("info_viewer@3601020001")
    f = school.get(f"{API}/files/{tid}").json()
    assert (f["state"], f["state_label"]) == ("unsubmitted", "未报送")
    assert f["may_submit"] and f["may_edit"] and not f["may_approve"]
    assert not viewer.get(f"{API}/files/{tid}").json()["may_submit"]
    case = school.post(f"{API}/files/{tid}/submit", json={}).json()
    f = school.get(f"{API}/files/{tid}").json()
    assert f["state_label"] == "待审核（学校）"
    assert not f["may_edit"] and not f["may_submit"] and f["may_approve"]  # the 信息管理员 also reviews at school
    assert not county.get(f"{API}/files/{tid}").json()["may_approve"]       # not yet the county's turn
    case = _approve_all(as_user, case, ["3601020001"])
    assert county.get(f"{API}/files/{tid}").json()["may_approve"]
    assert county.get(f"{API}/files/{tid}?lang=en").json()["state_label"] == "Pending review (county)"


def test_reject_then_resubmit_shows_the_reason_to_school_and_teacher(as_user, new_teacher, world):
    tid = new_teacher("3601020001")
    school = as_user("info_manager@3601020001")
    case = school.post(f"{API}/files/{tid}/submit", json={}).json()
    case = _approve_all(as_user, case, ["3601020001"])
    county = as_user("info_reviewer@360102")
    r = county.post(f"{API}/cases/{case['id']}/reject", json={"reason": "", "version": case["version"]})
    assert r.status_code == 422 and r.json()["code"] == "W608"
    r = county.post(f"{API}/cases/{case['id']}/reject", json={"reason": "工作经历缺少 2015 年的记录", "version": case["version"]})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    f = school.get(f"{API}/files/{tid}").json()
    assert (f["state"], f["returned_reason"]) == ("rejected", "工作经历缺少 2015 年的记录")
    # the teacher sees the reason in the timeline of the own file
    me = as_user(world.teacher_usernames[world.teachers["3601020001"][0]], entry="teacher")
    assert me.get(f"{API}/files/{tid}").status_code == 404  # someone else's file: not even found
    rows = school.get(f"{API}/files/{tid}/timeline").json()
    assert [e["action"] for e in rows] == ["submit", "approve", "reject"]
    assert rows[-1]["reason"] == "工作经历缺少 2015 年的记录" and rows[-1]["actor"] == "info_reviewer@360102"
    assert rows[-1]["level_label"] == "县级" and rows[-1]["unit"] == "东湖区"


def test_teacher_sees_own_reason_but_cannot_submit(as_user, world, ctx, cats):
    tid = world.teachers["3601020002"][0]
    from tests.review.conftest import add_teacher  # noqa: F401  (world teachers are incomplete: fill one)
    from tests.review.filegen import complete_file
    with ctx.sessions() as s:
        t = s.get(Teacher, tid)
        file = complete_file(cats["36"], t.unit.school_type, t.name, t.id_number)
        basic = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
        basic.document = file["basic"]
        for key, value in file.items():
            if key != "basic":
                for i, doc in enumerate(value if isinstance(value, list) else [value]):
                    s.add(Record(teacher_id=tid, set_key=key, position=i, document=doc, catalogue_version="t"))
        s.commit()
    me = as_user(world.teacher_usernames[tid], entry="teacher")
    r = me.post(f"{API}/files/{tid}/submit", json={})
    assert r.status_code == 403 and r.json()["code"] == "W609"
    school = as_user("info_entry@3601020002")
    case = school.post(f"{API}/files/{tid}/submit", json={}).json()
    as_user("info_reviewer@3601020002").post(f"{API}/cases/{case['id']}/reject", json={"reason": "照片不合格"})
    f = me.get(f"{API}/files/{tid}").json()
    assert f["returned_reason"] == "照片不合格" and not f["may_submit"] and f["may_edit"]
    page = me.get(f"/review/files/{tid}")
    assert page.status_code == 200 and "照片不合格" in page.text and "审核未通过" in page.text
    assert 'id="submit"' not in page.text  # no 报送 button for the teacher
    assert f'/review/files/{tid}' in me.get("/teacher/").text


def test_stale_version_is_409_with_who_acted_first(as_user, new_teacher):
    tid = new_teacher("3601020001")
    case = as_user("info_manager@3601020001").post(f"{API}/files/{tid}/submit", json={}).json()
    a, b = as_user("info_reviewer@3601020001"), as_user("info_manager@3601020001")
    assert a.post(f"{API}/cases/{case['id']}/approve", json={"version": case["version"]}).status_code == 200
    r = b.post(f"{API}/cases/{case['id']}/reject", json={"reason": "信息有误", "version": case["version"]})
    body = r.json()
    assert r.status_code == 409 and body["code"] == "W607"
    assert "info_reviewer@3601020001" in body["message"] and "Someone else acted first" in body["message_en"]


def test_queue_filters_by_unit_kind_and_age(as_user, new_teacher, ctx):
    ids = [new_teacher("3601020001"), new_teacher("3601020002"), new_teacher("3601030001")]
    for tid in ids:
        school = as_user(f"info_manager@{_school_of(ctx, tid)}")
        case = school.post(f"{API}/files/{tid}/submit", json={}).json()
        _approve_all(as_user, case, [_school_of(ctx, tid)])
    city = as_user("info_reviewer@3601")
    county = as_user("info_reviewer@360102")
    mine = {i["teacher_id"] for i in county.get(f"{API}/queue?limit=200").json()["items"]}
    assert {ids[0], ids[1]} <= mine and ids[2] not in mine  # 西湖区 is not 东湖区's
    assert not {ids[0], ids[1], ids[2]} & {i["teacher_id"] for i in city.get(f"{API}/queue?limit=200").json()["items"]}
    only = county.get(f"{API}/queue?unit=3601020002&limit=200").json()["items"]
    assert ids[1] in {i["teacher_id"] for i in only} and ids[0] not in {i["teacher_id"] for i in only}
    assert county.get(f"{API}/queue?kind=change").json()["items"] == []
    # age: move one case 10 days back
    with ctx.sessions() as s:
        c = s.scalar(select(ReviewCase).where(ReviewCase.teacher_id == ids[0], ReviewCase.status == "pending"))
        c.waiting_since = c.waiting_since - timedelta(days=10)
        s.commit()
    old = {i["teacher_id"] for i in county.get(f"{API}/queue?min_days=7&limit=200").json()["items"]}
    assert ids[0] in old and ids[1] not in old
    assert ids[0] not in {i["teacher_id"] for i in county.get(f"{API}/queue?max_days=7&limit=200").json()["items"]}
    # out of scope unit filter: not found
    assert county.get(f"{API}/queue?unit=3602020001").status_code == 404


def _school_of(ctx, tid: int) -> str:
    with ctx.sessions() as s:
        return s.get(Teacher, tid).unit.code


def _approved_teacher(as_user, new_teacher) -> int:
    tid = new_teacher("3601020001")
    case = as_user("info_manager@3601020001").post(f"{API}/files/{tid}/submit", json={}).json()
    case = _approve_all(as_user, case, ["3601020001", "360102", "3601", "36"])
    assert case["status"] == "approved"
    return tid


def test_addition_goes_through_the_addition_route(as_user, new_teacher, ctx):
    tid = _approved_teacher(as_user, new_teacher)
    school = as_user("info_manager@3601020001")
    work = {"start_month": "2016-09", "unit_name": "东湖区第三小学", "unit_nature": None}
    with ctx.sessions() as s:
        first = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "work"))
        work = dict(first.document)
    r = school.post(f"{API}/files/{tid}/records", json={"set": "work", "values": work})
    assert r.status_code == 200, r.text
    added = r.json()
    assert added["state"] == "draft"
    # an approved record cannot be saved directly
    with ctx.sessions() as s:
        basic = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
    r = school.post(f"{API}/files/{tid}/records", json={"set": "basic", "values": basic.document, "record_id": basic.id})
    assert r.status_code == 409 and r.json()["code"] == "W602"
    f = school.get(f"{API}/files/{tid}").json()
    assert f["unsubmitted_additions"] == [added["id"]] and f["may_submit"] and f["may_add"]
    case = school.post(f"{API}/files/{tid}/additions/submit", json={}).json()
    assert (case["kind"], case["level"], case["levels"]) == ("addition", "school", ["school", "county"])
    case = _approve_all(as_user, case, ["3601020001", "360102"])
    assert case["status"] == "approved"
    with ctx.sessions() as s:
        assert s.get(Record, added["id"]).state == "approved"


def test_change_request_copy_diff_reject_keeps_original_then_approve_replaces(as_user, new_teacher, ctx):
    tid = _approved_teacher(as_user, new_teacher)
    school = as_user("info_manager@3601020001")
    with ctx.sessions() as s:
        basic = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
        original = dict(basic.document)
    # only the school requests a change
    assert as_user("info_manager@360102").post(f"{API}/files/{tid}/changes", json={"record_ids": [basic.id]}).json()["code"] == "W614"
    detail = school.post(f"{API}/files/{tid}/changes", json={"record_ids": [basic.id]}).json()
    copy_id = detail["diff"][0]["copy_id"]
    assert detail["diff"][0]["changed"] == []
    assert school.post(f"{API}/files/{tid}/changes", json={"record_ids": [basic.id]}).json()["code"] == "W612"
    edited = {**original, "name": "李四", "marital_status": original.get("marital_status")}
    with ctx.sessions() as s:
        copy_version = s.get(Record, copy_id).version
    r = school.post(f"{API}/files/{tid}/records", json={"set": "basic", "values": edited, "record_id": copy_id})
    assert r.status_code == 428 and r.json()["code"] == "W440"  # a change names the version it was read at
    r = school.post(f"{API}/files/{tid}/records", json={"set": "basic", "values": edited, "record_id": copy_id,
                                                        "version": copy_version})
    assert r.status_code == 200, r.text
    d = school.get(f"{API}/cases/{detail['id']}").json()
    assert d["diff"][0]["changed"] == ["name"]
    name_row = next(x for x in d["diff"][0]["fields"] if x["key"] == "name")
    assert (name_row["before"], name_row["after"], name_row["changed"]) == (original["name"], "李四", True)
    case = school.post(f"{API}/cases/{detail['id']}/submit", json={}).json()
    assert case["levels"] == ["school", "county", "city", "province"]
    # while under review the copy cannot be edited
    r = school.post(f"{API}/files/{tid}/records", json={"set": "basic", "values": edited, "record_id": copy_id})
    assert r.status_code == 409
    case = _approve_all(as_user, case, ["3601020001"])
    r = as_user("info_reviewer@360102").post(f"{API}/cases/{case['id']}/reject",
                                               json={"reason": "改名需附公安机关证明", "version": case["version"]})
    assert r.status_code == 200
    with ctx.sessions() as s:
        assert s.get(Record, basic.id).document["name"] == original["name"]  # untouched
        assert s.get(Teacher, tid).state == "approved"
    # corrected and resubmitted: the copy replaces the original at the last level
    case = school.post(f"{API}/cases/{case['id']}/submit", json={}).json()
    case = _approve_all(as_user, case, ["3601020001", "360102", "3601", "36"])
    assert case["status"] == "approved"
    with ctx.sessions() as s:
        now = s.get(Record, basic.id)
        assert now.document["name"] == "李四" and now.state == "approved"
        assert s.get(Teacher, tid).name == "李四"
        c = s.get(ReviewCase, case["id"])
        assert c.snapshot[str(basic.id)]["before"]["name"] == original["name"]  # history keeps both
        assert s.get(Record, copy_id).state == "applied"
    d = school.get(f"{API}/cases/{case['id']}").json()
    assert d["diff"][0]["changed"] == ["name"]  # the diff still shows what changed


def test_progress_counts_states_per_unit_and_flags_late_units(as_user, new_teacher, ctx):
    tid = new_teacher("3602020001")
    province = as_user("info_manager@36")
    r = province.post(f"{API}/windows", json={"unit_code": "36", "title": "年度更新", "title_en": "Annual update",
                                              "due_on": (date.today() - timedelta(days=1)).isoformat(),
                                              "opens_on": (date.today() - timedelta(days=30)).isoformat()})
    assert r.status_code == 201, r.text
    assert as_user("info_manager@3602020001").post(f"{API}/windows", json={
        "unit_code": "3602020001", "title": "x", "due_on": "2030-01-01"}).status_code == 403
    p = province.get(f"{API}/progress").json()
    rows = {r["unit_code"]: r for r in p["rows"]}
    assert set(rows) == {"3601", "3602"}
    assert rows["3602"]["unsubmitted"] >= 1 and rows["3602"]["late"]
    assert "3602" in p["late_units"]
    case = as_user("info_manager@3602020001").post(f"{API}/files/{tid}/submit", json={}).json()
    p = as_user("info_manager@3602").get(f"{API}/progress").json()
    row = p["rows"][0]
    assert row["unit_code"] == "360202" and row["pending_by_level"]["school"] >= 1
    windows = as_user("info_manager@3602020001").get(f"{API}/windows").json()
    assert windows[0]["title"] == "年度更新" and windows[0]["overdue"]
    assert case["level"] == "school"


def test_pages_render_and_refusals_keep_the_typed_reason(as_user, new_teacher):
    tid = new_teacher("3601020001")
    school = as_user("info_manager@3601020001")
    assert "报送" in school.get(f"/review/files/{tid}").text
    due = (date.today() + timedelta(days=12)).isoformat()
    assert as_user("info_manager@3601").post(f"{API}/windows", json={"unit_code": "3601", "title": "南昌市春季更新",
                                                                      "due_on": due}).status_code == 201
    page = school.get("/review/school")
    assert page.status_code == 200 and "南昌市春季更新" in page.text and "还剩 12 天" in page.text  # the countdown
    assert school.get("/review/progress").status_code == 200
    case = school.post(f"{API}/files/{tid}/submit", json={}).json()
    page = school.get(f"/review/cases/{case['id']}")
    assert page.status_code == 200 and "审核通过" in page.text and "退回" in page.text
    token = csrf_of(page.text)
    r = school.post(f"/review/cases/{case['id']}/reject", data={"reason": "x", "version": str(case["version"]),
                                                                "_csrf_token": token})
    assert r.status_code == 422 and "必须填写原因" in r.text
    r = school.post(f"/review/cases/{case['id']}/reject", data={"reason": "学历不符请核对", "version": "999",
                                                                "_csrf_token": token})
    assert r.status_code == 409 and "学历不符请核对" in r.text  # nothing typed is lost
    q = as_user("info_reviewer@3601020001").get("/review/queue")
    assert q.status_code == 200 and f'data-case="{case["id"]}"' in q.text


def test_the_forms_api_respects_the_review_lock(as_user, new_teacher, ctx):
    """Saving through the forms' API (issue 4) goes through ensure_editable: W601 while under
    review, W602 once approved; 审核未通过 is editable again."""
    tid = new_teacher("3601020001")
    school = as_user("info_manager@3601020001")
    with ctx.sessions() as s:
        contact = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "contact"))
        values = dict(contact.document)
    url = f"/api/v1/teachers/{tid}/sets/contact/"
    etag = school.get(url).headers["ETag"]
    r = school.http.put(url, json=values, headers={"If-Match": etag})
    assert r.status_code == 200
    etag = r.headers["ETag"]
    case = school.post(f"{API}/files/{tid}/submit", json={}).json()
    r = school.http.put(url, json=values, headers={"If-Match": etag})
    assert r.status_code == 409 and r.json()["code"] == "W601"
    assert "审核" in r.json()["message"] and "review" in r.json()["message_en"]
    as_user("info_reviewer@3601020001").post(f"{API}/cases/{case['id']}/reject", json={"reason": "请补充邮箱"})
    r = school.http.put(url, json=values, headers={"If-Match": etag})
    assert r.status_code == 200  # 审核未通过: editable
    etag = r.headers["ETag"]
    case = school.post(f"{API}/files/{tid}/submit", json={}).json()
    _approve_all(as_user, case, ["3601020001", "360102", "3601", "36"])
    r = school.http.put(url, json=values, headers={"If-Match": etag})
    assert r.status_code == 409 and r.json()["code"] == "W602"


def test_teacher_adds_a_training_record_to_an_approved_file_and_the_school_submits_it(as_user, new_teacher, ctx, world):
    tid = _approved_teacher(as_user, new_teacher)
    from web.db.models import Account, Grant
    from tests.web.conftest import PASSWORD
    with ctx.sessions() as s:  # a self-service account for this teacher
        t = s.get(Teacher, tid)
        acc = Account(username=t.id_number, real_name=t.name, unit_id=t.unit_id, kind="teacher", teacher_id=tid,
                      password_hash=ctx.hasher.hash(PASSWORD), must_change_password=False, failed_attempts=0,
                      enabled=True)
        s.add(acc)
        s.flush()
        s.add(Grant(account_id=acc.id, unit_id=t.unit_id, role_key="teacher"))
        training = dict(s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "training")).document)
        username = t.id_number
        s.commit()
    me = as_user(username, entry="teacher")
    r = me.post(f"{API}/files/{tid}/records", json={"set": "training", "values": training})
    assert r.status_code == 200, r.text
    # a set the school fills is not the teacher's to add to
    r = me.post(f"{API}/files/{tid}/records", json={"set": "salary", "values": {}})
    assert r.status_code == 403
    assert me.post(f"{API}/files/{tid}/additions/submit", json={}).json()["code"] == "W609"
    case = as_user("info_entry@3601020001").post(f"{API}/files/{tid}/additions/submit", json={}).json()
    assert case["kind"] == "addition" and case["status"] == "pending"
    q = as_user("info_reviewer@3601020001").get(f"{API}/queue?kind=addition").json()
    assert case["id"] in {i["case"] for i in q["items"]}


def test_pages_in_english(as_user, new_teacher):
    tid = new_teacher("3601020001")
    case = as_user("info_manager@3601020001").post(f"{API}/files/{tid}/submit", json={}).json()
    reviewer = as_user("info_reviewer@3601020001")
    r = reviewer.get("/review/queue?lang=en")
    assert r.status_code == 200 and "Waiting for my review" in r.text and "First submission" in r.text
    r = reviewer.get(f"/review/cases/{case['id']}?lang=en")
    assert "Approve" in r.text and "Send back" in r.text and "Pending review (school)" in r.text
