"""Self-study claims on the pages: the teacher files a claim from 我的学分 with a real JPG, the
school sees it on /credits/claims/ (the home page's to-do count links there) and returns it with a
reason, the teacher corrects it on 我的学分 (the file kept), the school approves, the county
confirms; the teacher's page then shows the credits and the claim as confirmed."""

from __future__ import annotations

from tests.web.conftest import csrf_of

from modules.credits.tests.test_claims import jpg_bytes


def test_claim_through_the_pages(as_user, world):
    tid = world.teachers["3601030001"][1]
    teacher = as_user(world.teacher_usernames[tid], entry="teacher")
    mine = teacher.get("/credits/")
    assert mine.status_code == 200 and mine.text.count('id="claim-form"') == 1
    title = mine.text.split("<title>")[1].split("</title>")[0]
    assert "我的学分" in title and "<" not in title  # the claims section once sat in the title block as well
    form = {"_csrf_token": csrf_of(mine.text), "title": "网络自学《儿童游戏观察》", "start": "2025-04-01",
            "end": "2025-04-30", "hours": "20", "description": "完成观察记录"}
    r = teacher.post("/credits/claims/", data=form, files={"file": ("观察.jpg", jpg_bytes(), "image/jpeg")},
                     follow_redirects=True)
    assert r.status_code == 200 and "网络自学《儿童游戏观察》" in r.text and "待学校审核" in r.text
    bad = teacher.post("/credits/claims/", data=form, files={"file": ("x.pdf", b"GIF89a....", "application/pdf")})
    assert bad.status_code == 415 and "W652" in bad.text

    school = as_user("info_reviewer@3601030001")
    assert 'href="/credits/claims/"' in school.get("/admin/").text
    page = school.get("/credits/claims/")
    assert page.status_code == 200 and "网络自学《儿童游戏观察》" in page.text
    cid = int(page.text.split('action="/credits/claims/')[1].split("/review")[0])
    r = school.post(f"/credits/claims/{cid}/review", data={"_csrf_token": csrf_of(page.text), "decision": "return",
                                                           "reason": "请补充观察记录"})
    assert r.status_code == 200 and "已退回" in r.text

    mine = teacher.get("/credits/")
    assert "请补充观察记录" in mine.text and f'action="/credits/claims/{cid}"' in mine.text
    r = teacher.post(f"/credits/claims/{cid}", data={"_csrf_token": csrf_of(mine.text), "hours": "40"},
                     follow_redirects=True)
    assert r.status_code == 200 and "待学校审核" in r.text and "观察.jpg" in r.text  # the file kept

    page = school.get("/credits/claims/")
    school.post(f"/credits/claims/{cid}/review", data={"_csrf_token": csrf_of(page.text), "decision": "approve"})
    county = as_user("info_reviewer@360103")
    page = county.get("/credits/claims/")
    assert f'action="/credits/claims/{cid}/confirm"' in page.text
    r = county.post(f"/credits/claims/{cid}/confirm", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "已确认" in r.text
    assert "已确认" in teacher.get("/credits/").text
