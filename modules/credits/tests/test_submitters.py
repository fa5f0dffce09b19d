"""Who enters a project's results on the page, and who confirms them (walk findings 2 and 3): a
school its approved school-based plan and an authority its project without an institution get the
template and the upload form on the project's page (the list links there), as the institution
does; the account that submitted results never confirms them: a second person does (W630)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from modules.credits.tests.test_api import _project, _row, institution, teacher_name  # noqa: F401
from tests.web.conftest import csrf_of
from tests.web.english_walk import han_left


def _units(ctx) -> set[str]:
    """Names of units and accounts: theirs to write in Chinese."""
    from sqlalchemy import select

    from web.db.models import Account, Unit

    with ctx.sessions() as db:
        return set(db.scalars(select(Unit.name))) | set(db.scalars(select(Account.real_name)))


def _workbook(client, pid, rows) -> bytes:
    wb = load_workbook(io.BytesIO(client.get(f"/api/v1/training/projects/{pid}/results/template.xlsx").content))
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(html: str, pid: int) -> str:
    return html.split(f'id="project-{pid}"')[1].split("</tr>")[0]


def test_a_school_enters_its_approved_plans_results_on_the_projects_page(ctx, as_user, world):
    school = as_user("info_manager@3601020001")
    plan = school.post("/api/v1/training/projects", json=dict(name="校本读书会", level="school", type="school_based",
                                                              hours=12, start="2024-03-01", end="2024-06-30"))
    assert plan.status_code == 201, plan.text
    pid = plan.json()["id"]
    assert "录入成绩" not in _row_of(school.get("/credits/projects/").text, pid)  # not approved yet
    assert 'id="submit"' not in school.get(f"/credits/projects/{pid}").text
    assert as_user("info_reviewer@360102").post(f"/api/v1/training/projects/{pid}/approve",
                                                json={"approve": True}).status_code == 200
    row = _row_of(school.get("/credits/projects/").text, pid)
    assert f'href="/credits/projects/{pid}#submit"' in row and "下载成绩模板" in row
    page = school.get(f"/credits/projects/{pid}")
    assert page.status_code == 200 and 'id="submit"' in page.text
    assert f'action="/credits/projects/{pid}/upload"' in page.text and "results/template.xlsx" in page.text
    a, b = world.teachers["3601020001"][:2]
    data = _workbook(school, pid, [[world.teacher_usernames[a], None, 12, "合格", None],
                                   [world.teacher_usernames[b], teacher_name(world, b), 8, "不合格", 40]])
    done = school.post(f"/credits/projects/{pid}/upload", data={"_csrf_token": csrf_of(page.text), "back": "project"},
                       files={"file": ("读书会.xlsx", data, "application/octet-stream")})
    assert done.status_code == 200 and "已提交 2 行成绩" in done.text and 'id="project-results"' in done.text
    assert done.text.count("待确认</td>") == 2  # the project's page again, its rows waiting
    english = school.get(f"/credits/projects/{pid}?lang=en").text
    assert "Submit results" in english and "Download the results template" in english
    assert han_left(english, {"校本读书会", teacher_name(world, a), teacher_name(world, b)} | _units(ctx)) == []
    # another school's staff neither see the form nor may upload
    other = as_user("info_manager@3601020002")
    assert other.post(f"/credits/projects/{pid}/upload", data={"_csrf_token": csrf_of(other.get("/credits/projects/").text)},
                      files={"file": ("x.xlsx", data, "application/octet-stream")}).status_code == 404
    # the institution-free county project: the county's data staff, not the institution's form
    county = as_user("info_entry@360102")
    own = _project(as_user("info_manager@360102"), name="县里自己办的项目", hours=20)
    assert f'href="/credits/projects/{own["id"]}#submit"' in _row_of(county.get("/credits/projects/").text, own["id"])
    assert 'id="submit"' in county.get(f"/credits/projects/{own['id']}").text
    assert 'id="submit"' not in as_user("info_viewer@360102").get(f"/credits/projects/{own['id']}").text


def test_who_submitted_results_cannot_confirm_them_a_second_person_does(as_user, world):
    manager = as_user("info_manager@360102")  # enters records and reviews: both duties in one role
    p = _project(manager, name="一人包办的项目", hours=20)
    a, b = world.teachers["3601020002"][:2]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert manager.post(url, json={"rows": [_row(world, a, 20), _row(world, b, 16)]}).status_code == 200
    page = manager.get(f"/credits/projects/{p['id']}")
    assert "确认这 2 条成绩" not in page.text and "请本单位另一位审核员确认" in page.text
    own = manager.post(f"{url}/confirm", json={})
    assert own.status_code == 403 and own.json()["code"] == "W630", own.text
    assert "info_manager@360102" in own.json()["message"] and "另一位审核员" in own.json()["hint"]
    assert own.json()["message_en"].startswith("You (") and "another reviewer" in own.json()["hint_en"]
    assert "Some waiting results were submitted by you" in manager.get(f"/credits/projects/{p['id']}?lang=en").text
    refused = manager.post(f"/credits/projects/{p['id']}/confirm", data={"_csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403 and "W630" in refused.text
    assert {r["state"] for r in manager.get(url).json()["results"]} == {"submitted"}  # nothing confirmed
    reviewer = as_user("info_reviewer@360102")
    second = reviewer.get(f"/credits/projects/{p['id']}")
    assert "确认这 2 条成绩" in second.text
    done = reviewer.post(f"{url}/confirm", json={})
    assert done.status_code == 200 and done.json()["confirmed"] == 2, done.text


def test_who_submitted_a_row_cannot_reject_it_either(as_user, world):
    """Reviewing one's own row is refused as confirming it is: W662 over the API, and the page
    offers no 退回 on that row, saying another reviewer reviews it; another reviewer rejects it."""
    manager = as_user("info_manager@360102")
    p = _project(manager, name="自己退回自己的项目", hours=20)
    a = world.teachers["3601020002"][2]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert manager.post(url, json={"rows": [_row(world, a, 20)]}).status_code == 200
    rid = manager.get(url).json()["results"][0]["id"]
    own = manager.post(f"{url}/{rid}/reject", json={"reason": "学时写错了"})
    assert own.status_code == 403 and own.json()["code"] == "W662", own.text
    assert "info_manager@360102" in own.json()["message"] and "重新提交" in own.json()["hint"] and own.json()["hint_en"]
    page = manager.get(f"/credits/projects/{p['id']}").text
    assert f'/results/{rid}/reject"' not in page and "本人提交，由另一位审核员审核" in page
    reviewer = as_user("info_reviewer@360102")
    assert f'/results/{rid}/reject"' in reviewer.get(f"/credits/projects/{p['id']}").text
    r = reviewer.post(f"{url}/{rid}/reject", json={"reason": "学时与签到记录不符"})
    assert r.status_code == 200 and r.json()["state"] == "rejected", r.text
