"""What the pages say waits for their reader is what the reader can do (walk2 findings 8 and 12):

- 培训项目 tells a reviewer to use a row's 「查看并确认成绩」 only when some row has it; a reader
  with nothing to confirm reads that nothing waits for them and how to see a project's results;
- an institution's home counts what waits for it (rows sent back to submit again; ended projects
  with no result yet), not its projects, and shows no count when nothing waits."""

from __future__ import annotations

import re

from modules.credits.tests.test_api import _project, _row, institution  # noqa: F401  (the fixture)

CONFIRM_HINT = "在其行内「查看并确认成绩」"


def _todos(html: str) -> dict[str, str]:
    found = re.findall(r'<li id="todo-([\w-]+)"><a href="([^"]+)"><span class="count">(\d+)</span> ([^<]+)</a>', html)
    return {key: (int(n), text.strip(), href) for key, href, n, text in found}


def test_the_confirm_hint_only_for_a_reader_with_a_row_to_confirm(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360202")
    p = _project(as_user("info_manager@36"), name="省级项目（确认提示）", level="province", hours=20, institution_id=inst_id)
    tid = world.teachers["3602020001"][1]
    assert as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results",
                                   json={"rows": [_row(world, tid, 20)]}).status_code == 200
    province = as_user("info_reviewer@36").get("/credits/projects/").text
    assert CONFIRM_HINT in province and "查看并确认成绩</a>" in _row_of(province, p["id"])
    # the county's and the school's managers see the waiting row but have no button there: the hint
    # is there only when some row has one (the world is shared: another test may have left one)
    for who in ("info_manager@360202", "info_manager@3602020001", "info_reviewer@360202"):
        page = as_user(who).get("/credits/projects/").text
        assert "查看并确认成绩</a>" not in _row_of(page, p["id"]), who
        button = "查看并确认成绩</a>" in page
        assert (CONFIRM_HINT in page) == button and ("目前没有等您确认的成绩" in page) == (not button), who
        assert 'id="confirm"' in page, who                       # the menu entry's anchor still lands
    school = as_user("info_manager@3602020001").get("/credits/projects/").text   # a school confirms no province project
    assert CONFIRM_HINT not in school and "目前没有等您确认的成绩" in school
    en = as_user("info_manager@3602020001").get("/credits/projects/?lang=en").text
    assert "No results are waiting for your confirmation" in en and "Review-and-confirm" not in en


def _row_of(html: str, project_id: int) -> str:
    start = html.index(f'<tr id="project-{project_id}">')
    return html[start:html.index("</tr>", start)]


def test_an_institutions_home_counts_what_waits_for_it(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360103")
    county, reviewer, inst = as_user("info_manager@360103"), as_user("info_reviewer@360103"), as_user(inst_user)
    assert 'id="home-todos"' not in inst.get("/admin/").text            # no project: nothing waits
    ended = _project(county, name="已结束未交成绩的项目", institution_id=inst_id)   # 2024-07-01 — 2024-07-10
    sent_back = _project(county, name="有退回行的项目", institution_id=inst_id)
    waiting = _project(county, name="成绩待确认的项目", institution_id=inst_id)
    a, b, c = world.teachers["3601030001"]
    assert inst.post(f"/api/v1/training/projects/{sent_back['id']}/results",
                     json={"rows": [_row(world, a, 24), _row(world, b, 24)]}).status_code == 200
    assert inst.post(f"/api/v1/training/projects/{waiting['id']}/results", json={"rows": [_row(world, c, 24)]}).status_code == 200
    rid = next(r["id"] for r in reviewer.get(f"/api/v1/training/projects/{sent_back['id']}/results").json()["results"])
    r = reviewer.post(f"/api/v1/training/projects/{sent_back['id']}/results/{rid}/reject", json={"reason": "学时与签到表不符"})
    assert r.status_code == 200, r.text
    todos = _todos(inst.get("/admin/").text)
    assert todos["credits-rejected"] == (1, "被退回、待改正后重新提交的成绩", f"/credits/projects/{sent_back['id']}")
    assert todos["credits-unsent"][:2] == (1, "已结束、尚未提交成绩的培训项目")
    assert f"project-{ended['id']}" in todos["credits-unsent"][2]
    assert not any("培训项目" == t[1].split("：")[-1] for t in todos.values())   # no longer the number of projects
    listed = inst.get("/credits/projects/").text                       # the sent-back row is found from the list
    assert "已退回 1" in listed.split(f'id="project-{sent_back["id"]}"')[1].split("</tr>")[0]
    en = _todos(inst.get("/admin/?lang=en").text)
    assert en["credits-rejected"][1] == "Results sent back, to correct and submit again"
    # once resubmitted and the ended project's results sent, nothing waits
    assert inst.post(f"/api/v1/training/projects/{sent_back['id']}/results",
                     json={"rows": [_row(world, a, 24), _row(world, b, 24)]}).status_code == 200
    assert inst.post(f"/api/v1/training/projects/{ended['id']}/results", json={"rows": [_row(world, c, 24)]}).status_code == 200
    assert 'id="home-todos"' not in inst.get("/admin/").text
