"""Resubmitting results (walk finding 1): an institution sends the same participants again, by the
API or the page's upload, two rows and more: the rows still waiting and the rejected ones are
replaced (all of them or none), confirmed rows stay refused. Not marked: runs on SQLite and, in
the PostgreSQL pass, on PostgreSQL (make test-postgres)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from modules.credits.tests.test_api import _project, _row, institution, teacher_name  # noqa: F401
from tests.web.conftest import csrf_of


def _results(client, pid):
    return {r["id_number"]: r for r in client.get(f"/api/v1/training/projects/{pid}/results").json()["results"]}


def test_resubmitting_waiting_and_rejected_rows_replaces_them_all_or_none(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="重新提交的项目", hours=20, institution_id=inst_id)
    inst, county = as_user(inst_user), as_user("info_reviewer@360102")
    a, b, c = world.teachers["3601020002"][:3]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert inst.post(url, json={"rows": [_row(world, a, 20), _row(world, b, 18), _row(world, c, 16)]}).status_code == 200
    again = inst.post(url, json={"rows": [_row(world, a, 19), _row(world, b, 17), _row(world, c, 15)]})
    assert again.status_code == 200, again.text  # was a 500 with two rows or more
    assert again.json()["saved"] == 3
    assert sorted(r["hours"] for r in _results(inst, p["id"]).values()) == ["15.00", "17.00", "19.00"]
    assert len(_results(inst, p["id"])) == 3  # replaced, not added

    ids = {r["name"]: r["id"] for r in county.get(url).json()["results"]}
    assert county.post(f"{url}/{ids[teacher_name(world, b)]}/reject", json={"reason": "学时与签到不符"}).status_code == 200
    fixed = inst.post(url, json={"rows": [_row(world, b, 12), _row(world, c, 14)]})  # one rejected, one waiting
    assert fixed.status_code == 200, fixed.text
    states = {r["name"]: (r["state"], r["hours"], r["reason"]) for r in county.get(url).json()["results"]}
    assert states[teacher_name(world, b)] == ("submitted", "12.00", None)
    assert states[teacher_name(world, c)] == ("submitted", "14.00", None)

    assert county.post(f"{url}/confirm", json={}).status_code == 200
    d = world.teachers["3601020002"][3] if len(world.teachers["3601020002"]) > 3 else world.teachers["3601020001"][0]
    refused = inst.post(url, json={"rows": [_row(world, d, 10), _row(world, a, 5), _row(world, b, 5)]})
    assert refused.status_code == 422 and refused.json()["code"] == "W548"
    assert [(x["row"], x["message_en"]) for x in refused.json()["problems"]] == [
        (2, "this teacher's result is already confirmed and cannot change"),
        (3, "this teacher's result is already confirmed and cannot change")]
    after = county.get(url).json()["results"]
    assert len(after) == 3 and {r["state"] for r in after} == {"confirmed"}  # nothing saved, not even the new row
    assert {r["hours"] for r in after} == {"19.00", "12.00", "14.00"}


def test_the_same_workbook_uploaded_twice_on_the_page_and_by_the_api(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="两次上传的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content))
    for tid, hours in zip(world.teachers["3601020001"][:3], (20, 18, 16)):
        wb.active.append([world.teacher_usernames[tid], teacher_name(world, tid), hours, "合格", None])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    page = inst.get("/credits/projects/")
    url, token = f"/credits/projects/{p['id']}/upload", {"_csrf_token": csrf_of(page.text)}
    for _ in range(2):
        r = inst.post(url, data=token, files={"file": ("成绩.xlsx", data, "application/octet-stream")})
        assert r.status_code == 200 and "已提交 3 行成绩" in r.text, r.text[-2000:]
    api = f"/api/v1/training/projects/{p['id']}/results/upload"
    for _ in range(2):
        r = inst.post(api, headers={"x-csrftoken": "1"}, files={"data": ("成绩.xlsx", data, "application/octet-stream")})
        assert r.status_code == 200 and r.json()["saved"] == 3, r.text
    assert len(_results(inst, p["id"])) == 3
