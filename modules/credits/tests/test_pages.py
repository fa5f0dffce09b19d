"""The credit bank's pages: a teacher's 我的学分 with every entry marked as coming from the credit
bank, the printable 学分证明, and a county's 学分银行 page (names, masked ID numbers, sums)."""

from __future__ import annotations

from modules.credits.tests.test_api import _project, _row, institution  # noqa: F401


def test_teacher_sees_own_credits_and_prints_the_transcript(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360103")
    p = _project(as_user("info_manager@360103"), name="西湖区幼儿教师面授", hours=30, institution_id=inst_id,
                 start="2024-05-06", end="2024-05-08")
    tid = world.teachers["3601030001"][0]
    assert as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results",
                                   json={"rows": [_row(world, tid, 30)]}).status_code == 200
    assert as_user("info_reviewer@360103").post(f"/api/v1/training/projects/{p['id']}/results/confirm",
                                                json={}).status_code == 200
    teacher = as_user(world.teacher_usernames[tid], entry="teacher")
    page = teacher.get("/credits/")
    assert page.status_code == 200
    assert "西湖区幼儿教师面授" in page.text and "学分银行" in page.text and "36:2021" in page.text
    printed = teacher.get(f"/credits/teachers/{tid}/transcript")
    assert printed.status_code == 200 and "教师培训学分证明" in printed.text and "西湖区幼儿教师面授" in printed.text
    # another teacher's transcript: not theirs
    other = world.teachers["3601030001"][1]
    assert teacher.get(f"/credits/teachers/{other}/transcript").status_code in (403, 404)
    county = as_user("info_viewer@360103").get("/credits/?year=2024")
    assert county.status_code == 200 and "学分银行" in county.text
    assert world.teacher_usernames[tid] not in county.text  # ID numbers masked


def test_the_institution_has_no_credit_bank_page(as_user, institution):  # noqa: F811
    _, inst_user = institution("360103")
    assert as_user(inst_user).get("/credits/").status_code in (403, 404)
