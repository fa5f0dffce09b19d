"""What the pages say waits for their reader is what the reader can do (walk2 finding 8): 培训项目
tells a reviewer to use a row's 「查看并确认成绩」 only when some row has it; a reader with nothing to
confirm reads that nothing waits for them and how to see a project's results."""

from __future__ import annotations

from modules.credits.tests.test_api import _project, _row, institution  # noqa: F401  (the fixture)

CONFIRM_HINT = "在其行内「查看并确认成绩」"


def test_the_confirm_hint_only_for_a_reader_with_a_row_to_confirm(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@36"), name="省级项目（确认提示）", level="province", hours=20, institution_id=inst_id)
    tid = world.teachers["3601020002"][0]
    assert as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results",
                                   json={"rows": [_row(world, tid, 20)]}).status_code == 200
    province = as_user("info_reviewer@36").get("/credits/projects/").text
    assert CONFIRM_HINT in province and "查看并确认成绩</a>" in province
    # the county's and the school's managers see the waiting row but have no button: no hint of one
    for who in ("info_manager@360102", "info_manager@3601020002", "info_reviewer@360102"):
        page = as_user(who).get("/credits/projects/").text
        assert "查看并确认成绩</a>" not in page, who
        assert CONFIRM_HINT not in page and "目前没有等您确认的成绩" in page, who
        assert 'id="confirm"' in page, who                       # the menu entry's anchor still lands
    en = as_user("info_manager@360102").get("/credits/projects/?lang=en").text
    assert "No results are waiting for your confirmation" in en and "Review-and-confirm" not in en

