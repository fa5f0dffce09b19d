"""Rejecting a school-based plan (校本研修) needs a reason, and the school reads it in the plan's
row (walk finding 23): on the page (/credits/projects/{id}/decide?approve=0, the reason typed
beside 不批准) and over the API (POST /api/v1/training/projects/{id}/approve {"approve": false})."""

from __future__ import annotations

from modules.credits.tests.test_api import _project
from tests.web.conftest import csrf_of


def _row(html: str, pid: int) -> str:
    return html.split(f'<tr id="project-{pid}">')[1].split("</tr>")[0]


def test_a_plan_is_rejected_on_the_page_with_a_reason_the_school_reads(as_user):
    school = as_user("info_manager@3601020001")
    plan = _project(school, level="school", type="school_based", name="校本研修：退回原因页面", hours=16)
    reviewer = as_user("info_reviewer@360102")
    listed = reviewer.get("/credits/projects/")
    assert 'name="reason"' in _row(listed.text, plan["id"])          # the reason box beside 不批准
    token = {"_csrf_token": csrf_of(listed.text)}
    for empty in ({}, {"reason": "   "}):
        r = reviewer.post(f"/credits/projects/{plan['id']}/decide?approve=0", data=token | empty)
        assert r.status_code == 422 and "W720" in r.text and 'id="training-projects"' in r.text   # the page, not an error page
    r = reviewer.post(f"/credits/projects/{plan['id']}/decide?approve=0", data=token | {"reason": "学时安排与研修内容不符"})
    assert r.status_code == 200 and "校本研修计划「校本研修：退回原因页面」：" in r.text
    row = _row(school.get("/credits/projects/").text, plan["id"])
    assert "不批准原因：学时安排与研修内容不符" in row
    en = _row(school.get("/credits/projects/?lang=en").text, plan["id"])
    assert "Reason: 学时安排与研修内容不符" in en and "不批准原因" not in en
    school.get("/credits/projects/?lang=zh")


def test_a_plan_is_rejected_over_the_api_only_with_a_reason(as_user):
    school = as_user("info_manager@3601020001")
    plan = _project(school, level="school", type="school_based", name="校本研修：退回原因接口", hours=16)
    county = as_user("info_reviewer@360102")
    url = f"/api/v1/training/projects/{plan['id']}/approve"
    for body in ({"approve": False}, {"approve": False, "reason": ""}, {"approve": False, "reason": 42}):
        r = county.post(url, json=body)
        assert r.status_code == 422 and r.json()["code"] == "W720", (body, r.text)
    r = county.post(url, json={"approve": False, "reason": "未附研修方案"})
    assert r.status_code == 200 and r.json()["state"] == "rejected" and r.json()["reason"] == "未附研修方案"
    listed = {p["id"]: p for p in school.get("/api/v1/training/projects").json()["projects"]}
    assert listed[plan["id"]]["reason"] == "未附研修方案"


def test_approving_needs_no_reason(as_user):
    school = as_user("info_manager@3601020001")
    plan = _project(school, level="school", type="school_based", name="校本研修：批准无须原因", hours=8)
    r = as_user("info_reviewer@360102").post(f"/api/v1/training/projects/{plan['id']}/approve", json={"approve": True})
    assert r.status_code == 200 and r.json()["state"] == "active" and r.json()["reason"] is None
