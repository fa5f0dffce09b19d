"""A new user's walk through re-registration on the demo (walk findings 5, 6, 13, 14):

- a teacher sees its own registration on 我的注册 (/registration/mine): the cycle, the conditions
  not met in words, its applications with their state and, once done, the outcome and reason;
- a reviewer's reason beside a masked 师德 condition is masked for the viewers who see the
  condition masked (school-viewer, county-viewer), and the reviewers are warned under the field;
- the application page's status message comes from a fixed set (?msg=<key>), never the address's
  text, and reads English in English mode; the pages in English read English."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from modules.registration.tests.test_demo import PASSWORD, demo  # noqa: F401  (the fixture)
from tests.web.conftest import Client, post_form
from web.db.models import Account, Teacher

HAN = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")   # Chinese and full-width punctuation


def _content(html: str) -> str:
    """The page's own content (the header and menu are the shell's)."""
    m = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1) if m else html)


@pytest.fixture(scope="module")
def walk(demo):  # noqa: F811
    """The demo's application decided by the county (合格 / 暂缓注册 / 不予注册 with reasons)
    and completed by the city; the three teachers' ids and ID numbers (their usernames)."""
    county = Client(demo, "county-reviewer", PASSWORD)
    bid = county.get("/api/v1/registration/batches?queue=mine").json()[0]["id"]
    teachers = county.get(f"/api/v1/registration/batches/{bid}").json()["teachers"]
    ok, short, barred = (t["teacher_id"] for t in teachers)
    with demo.state.ctx.sessions() as db:
        usernames = dict(db.execute(select(Teacher.id, Teacher.id_number).where(Teacher.id.in_([ok, short, barred]))).all())
        # the demo's teachers change their initial password first: as if they had
        db.execute(update(Account).where(Account.teacher_id.in_([ok, short, barred])).values(must_change_password=False))
        db.commit()
    return {"app": demo, "batch": bid, "ok": ok, "short": short, "barred": barred, "usernames": usernames}


def _teacher(walk, tid) -> Client:
    return Client(walk["app"], walk["usernames"][tid], PASSWORD, entry="teacher")


def test_a_teacher_sees_its_own_registration_before_and_after_the_review(walk):
    app, bid = walk["app"], walk["batch"]
    barred = _teacher(walk, walk["barred"])
    # the registration menu entry leads a teacher to its own page, not to W201
    r = barred.get("/registration", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/registration/mine"
    page = barred.get("/registration/mine")
    assert page.status_code == 200, page.text[:300]
    assert 'href="/registration/mine"' in barred.get("/teacher/").text          # 我的注册 in the teacher's menu
    own = barred.get(f"/api/v1/teachers/{walk['barred']}/registration").json()
    assert own["eligible"] is False and own["cycle_end"] in page.text
    assert "尚未达到注册条件" in page.text and "受到处分：降低岗位等级" in page.text   # its own record: not masked
    row = re.search(rf'<tr id="application-{bid}">(.*?)</tr>', page.text, re.S).group(1)
    assert "待县级教育行政部门初审" in row and "审核中" in row
    # another teacher's registration is not the teacher's to read
    assert barred.get(f"/api/v1/teachers/{walk['short']}/registration").status_code == 404
    # a wrong as-of date: the page again with the message, not an error page
    bad = barred.get("/registration/mine?as_of=2026-02-30")
    assert bad.status_code == 422 and "W570" in bad.text and 'id="my-cycle"' in bad.text
    # staff have the list, not this page
    assert Client(app, "school-manager", PASSWORD).get("/registration/mine").status_code == 403

    form = Client(app, "county-reviewer", PASSWORD).get(f"/registration/batches/{bid}").text
    assert 'id="reason-hint"' in form and "不要写处分的种类" in form      # the warning under the reasons
    _decide(walk)

    short = _teacher(walk, walk["short"])
    page = short.get("/registration/mine").text
    row = re.search(rf'<tr id="application-{bid}">(.*?)</tr>', page, re.S).group(1)
    assert "已办结" in row and "暂缓注册" in row and "本周期学分不足，补足后再申请" in row
    assert "本周期学分 96/120" in page                                            # the unmet condition in words
    en = short.get("/registration/mine?lang=en").text
    row = re.search(rf'<tr id="application-{bid}">(.*?)</tr>', en, re.S).group(1)
    assert "Completed" in row and "Registration deferred" in row
    text = _content(en).replace("本周期学分不足，补足后再申请", "")   # the reviewer's words are the reviewer's
    assert not HAN.search(text), text[max(0, HAN.search(text).start() - 200):][:400]
    # the barred teacher reads its own outcome and reason: its own data
    page = barred.get("/registration/mine").text
    assert "不予注册" in page and "师德处分期内" in page


def test_a_reason_beside_a_masked_ethics_condition_is_masked_for_viewers(walk):
    _decide(walk)
    app, bid = walk["app"], walk["batch"]
    url = f"/registration/batches/{bid}"
    for viewer in ("school-viewer", "county-viewer"):
        c = Client(app, viewer, PASSWORD)
        page = c.get(url).text
        assert "存在不符合注册条件的师德记录" in page, viewer         # the condition, masked
        assert "师德处分期内" not in page and "理由涉及师德记录" in page, viewer
        assert "本周期学分不足，补足后再申请" in page, viewer          # a reason beside no masked item stays
        seen = {t["teacher_id"]: t for t in c.get(f"/api/v1/registration/batches/{bid}").json()["teachers"]}
        assert seen[walk["barred"]]["reason"] == "***" and seen[walk["barred"]]["reason_masked"] is True
        assert seen[walk["short"]]["reason_masked"] is False
    # readers with personal.read see it as written
    for reader in ("county-reviewer", "school-manager"):
        assert "师德处分期内" in Client(app, reader, PASSWORD).get(url).text, reader


def _decide(walk) -> None:
    """The county decides on the page (合格; 暂缓注册 and 不予注册 with reasons) and the city completes."""
    app, bid = walk["app"], walk["batch"]
    county = Client(app, "county-reviewer", PASSWORD)
    url = f"/registration/batches/{bid}"
    if county.get(f"/api/v1/registration/batches/{bid}").json()["state"] == "completed":
        return
    r = post_form(county, url, f"{url}/decide", {
        f"decision-{walk['ok']}": "qualified", f"reason-{walk['ok']}": "",
        f"decision-{walk['short']}": "deferred", f"reason-{walk['short']}": "本周期学分不足，补足后再申请",
        f"decision-{walk['barred']}": "refused", f"reason-{walk['barred']}": "师德处分期内", "forward": "1"})
    assert r.status_code == 303, r.text[:500]
    r = Client(app, "city-reviewer", PASSWORD).post(f"/api/v1/registration/batches/{bid}/forward", json={})
    assert r.status_code == 200 and r.json()["state"] == "completed", r.text


def test_the_status_message_is_one_of_the_pages_own_in_either_language(walk):
    app, bid = walk["app"], walk["batch"]
    c = Client(app, "school-manager", PASSWORD)
    url = f"/registration/batches/{bid}"
    page = c.get(url + "?msg=请拨打400-123-4567核实").text
    assert "400-123-4567" not in page and "alert-ok" not in page
    assert "400-123-4567" not in c.get("/registration?msg=请拨打400-123-4567核实").text
    assert "已提交注册申请" in c.get(url + "?msg=applied").text
    en = c.get(url + "?msg=saved&lang=en").text
    assert "Decisions saved" in en and "结论已保存" not in en
    zh = c.get(url + "?msg=forwarded&lang=zh").text   # the completed application says so
    assert "已办结：结论已写入教师资格" in zh


def test_the_registration_list_in_english_reads_english(walk):
    """The application's state on the list (待县级教育行政部门初审) was Chinese in English mode."""
    app = walk["app"]
    c = Client(app, "school-manager", PASSWORD)
    r = c.post("/api/v1/registration/batches", json={"teacher_ids": [walk["short"]]})   # 暂缓注册: still due
    assert r.status_code == 201, r.text
    listed = c.get("/registration?lang=en").text
    listed = listed.split('id="batches"')[1]                      # the list of applications
    row = re.search(rf'<a href="/registration/batches/{r.json()["id"]}">[^<]*</a>([^<]*)', listed).group(1)
    assert "Pending" in row and not HAN.search(row), row
    names = {t["name"] for t in c.get(f"/api/v1/registration/batches/{r.json()['id']}").json()["teachers"]}
    with app.state.ctx.sessions() as db:
        from web.db.models import Unit
        names |= set(db.scalars(select(Unit.name)))
        names |= set(db.scalars(select(Teacher.name).where(Teacher.unit_id == db.scalar(
            select(Unit.id).where(Unit.code == "3601020001")))))
    for url in ("/registration?lang=en", f"/registration/batches/{r.json()['id']}?lang=en",
                f"/registration/batches/{walk['batch']}?lang=en"):
        text = _content(c.get(url).text)
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        text = text.replace("本周期学分不足，补足后再申请", "").replace("师德处分期内", "")   # the reviewers' words
        assert not HAN.search(text), (url, HAN.search(text), text[max(0, HAN.search(text).start() - 200):][:400])


def test_a_teacher_registered_early_reads_the_next_cycle_not_unmet_conditions(walk):
    """Registered 合格 before the old cycle's end, the new cycle starts the day after it: on 我的注册
    the teacher read "尚未达到注册条件 / 本周期学分 0/120" for a cycle that had not begun. The page
    names it as the next cycle, from its first day, with nothing due before then, in either language."""
    _decide(walk)
    ok = _teacher(walk, walk["ok"])
    own = ok.get(f"/api/v1/teachers/{walk['ok']}/registration").json()
    page = ok.get("/registration/mine").text
    today = re.search(r'name="as_of" value="([0-9-]+)"', page).group(1)
    assert own["cycle_start"] > today, own                  # the demo's 张丽丽: registered early
    cycle = re.search(r'<section class="card" id="my-cycle">(.*?)</section>', page, re.S).group(1)
    assert "下一注册周期" in cycle and f"新的注册周期自 {own['cycle_start']} 开始" in cycle
    assert "尚未达到注册条件" not in cycle and "本周期学分" not in cycle
    row = re.search(rf'<tr id="application-{walk["batch"]}">(.*?)</tr>', page, re.S).group(1)
    assert "注册合格" in row
    en = ok.get("/registration/mine?lang=en").text
    assert f"Your next cycle starts on {own['cycle_start']}" in en and "do not meet the conditions" not in en
    # a day inside the old cycle, before the registration: the old cycle, as it was
    before = ok.get(f"/registration/mine?as_of={today[:4]}-01-01&lang=zh").text
    cyc = re.search(r"<section class=\"card\" id=\"my-cycle\">(.*?)</section>", before, re.S).group(1)
    assert "下一注册周期" not in cyc and "当前注册周期" in cyc, re.sub(r"<[^>]+>", " ", cyc)
