"""The pages as a user uses them: the school ticks teachers of its warning list and applies, the
county and the city decide per teacher on the application's page, the last step writes the
outcome; a refused action re-draws the page with its message; the menu entry and the home page's
counts lead there."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from modules.registration.models import RegistrationApplication
from tests.web.conftest import post_form
from modules.registration.tests.test_batch import _qualification, due  # noqa: F401  (the fixture)


def test_apply_from_the_warning_list_and_decide_on_the_pages(ctx, world, as_user, due):  # noqa: F811
    tid = due(failing_year=True, name="页面丁")
    school = as_user("info_manager@3601020001")
    page = school.get("/registration")
    assert page.status_code == 200 and "页面丁" in page.text and 'href="/registration"' in page.text
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": str(tid)})
    assert r.status_code == 303, r.text[:500]
    url = r.headers["location"].split("?")[0]
    bid = int(re.search(r"/batches/(\d+)", url).group(1))
    for _ in range(2):   # the page after the POST and its reload: a GET, so no second application
        assert "已提交注册申请" in school.get(r.headers["location"]).text
    with ctx.sessions() as db:
        assert db.scalar(select(func.count()).select_from(RegistrationApplication)
                         .where(RegistrationApplication.teacher_id == tid)) == 1
    county = as_user("info_reviewer@360102")
    home = county.get("/admin/").text
    assert "待审核的教师资格定期注册申请" in home
    # 暂缓注册 without a reason: the page says why and nothing moves
    r = post_form(county, url, f"/registration/batches/{bid}/decide",
                  {f"decision-{tid}": "deferred", f"reason-{tid}": "", "forward": "1"})
    assert r.status_code == 422 and "W580" in r.text
    r = post_form(county, url, f"/registration/batches/{bid}/decide",
                  {f"decision-{tid}": "deferred", f"reason-{tid}": "2027 年度考核不合格", "forward": "1"})
    assert r.status_code == 303
    city = as_user("info_reviewer@3601")
    assert "2027 年度考核不合格" in city.get(url).text or "年度考核不合格" in city.get(url).text
    r = post_form(city, url, f"/registration/batches/{bid}/decide",
                  {f"decision-{tid}": "deferred", f"reason-{tid}": "年度考核不合格", "forward": "1"})
    assert r.status_code == 303
    assert _qualification(ctx, tid)["periodic_registration_result"] == "2"
    assert "已办结" in school.get(url).text
    # a city sees its list per unit asked for; another county's viewer finds nothing
    city_page = city.get("/registration").text
    assert 'id="warn-choose"' in city_page
    assert "页面丁" not in city_page
    assert "页面丁" in city.get("/registration?unit=3601020001").text   # 暂缓注册: still due, still short
    assert as_user("info_viewer@360103").get("/registration?unit=3601020001").status_code == 404
    # a viewer of another county finds nothing
    assert as_user("info_viewer@360103").get(url).status_code == 404


def test_the_warning_list_scrolls_in_its_box_on_a_phone(ctx, world, as_user, due):  # noqa: F811
    """At 390 px the warning list (7 columns) made the whole page 431 px wide: its .tablewrap box
    was styled only by forms.css and review.css, which this page does not load."""
    due(failing_year=True, name="手机丁")
    school = as_user("info_manager@3601020001")
    page = school.get("/registration").text
    assert 'class="tablewrap"' in page
    css = "".join(school.get(href).text for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page))
    rules = re.findall(r"\.tablewrap\s*\{([^}]*)\}", css)
    assert any("overflow-x:auto" in r.replace(" ", "") for r in rules), rules


def test_applying_with_nobody_ticked_says_to_tick_teachers(ctx, world, as_user, due):  # noqa: F811
    """The page's refusal spoke the API's field name to the school ("在 teacher_ids 中列出…"): a
    person on the page is told to tick teachers in the warning list."""
    due(failing_year=True, name="空申请丁")
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/registration", "/registration/apply", {})
    assert r.status_code == 422 and "W576" in r.text
    assert "在预警名单中勾选要申请注册的教师" in r.text


def test_a_refused_decision_keeps_what_the_reviewer_chose_and_typed(ctx, world, as_user, due):  # noqa: F811
    """暂缓注册 without a reason for one teacher (W580) redrew the page with every choice and reason
    the reviewer had made gone."""
    a, b = due(failing_year=True, name="保留甲"), due(failing_year=True, name="保留乙")
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": [str(a), str(b)]})
    url = r.headers["location"].split("?")[0]
    bid = int(re.search(r"/batches/(\d+)", url).group(1))
    county = as_user("info_reviewer@360102")
    r = post_form(county, url, f"/registration/batches/{bid}/decide",
                  {f"decision-{a}": "deferred", f"reason-{a}": "", f"decision-{b}": "refused", f"reason-{b}": "我打的理由"})
    assert r.status_code == 422 and "W580" in r.text
    assert re.search(rf'name="decision-{a}">.*?<option value="deferred" selected>', r.text, re.S)
    assert re.search(rf'name="decision-{b}">.*?<option value="refused" selected>', r.text, re.S)
    assert f'name="reason-{b}" value="我打的理由"' in r.text
    assert "在该教师的「理由」栏写明理由" in r.text  # the page's column, not the API's field name 'reason'


def test_odd_numbers_and_far_dates_are_refused_not_server_errors(ctx, world, as_user, due):  # noqa: F811
    """Review finding: "²".isdigit() is true but int("²") fails; a date in 9999 has no cycle end. Each is a
    message on the page or a W570, never a 500."""
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": "²"})
    assert r.status_code == 422 and "W576" in r.text
    for url in ("/api/v1/registration/warnings?as_of=9999-12-01", "/registration?as_of=9999-12-01"):
        r = school.get(url)
        assert r.status_code == 422 and "W570" in r.text, url
    tid = due(name="远期丙")
    r = school.get(f"/api/v1/teachers/{tid}/registration?as_of=9999-12-01")
    assert r.status_code == 422 and r.json()["code"] == "W570"


def test_the_forward_button_and_message_say_where_the_application_goes(ctx, world, as_user, due):  # noqa: F811
    """Walk finding: at the county (first of two levels) the button read "保存并提交（最后一级：办结并写入
    教师资格）" yet only forwarded to the city, and after the city's final decision the message said
    "已提交上一级" while the application was 已办结."""
    tid = due(name="按钮丁")
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": str(tid)})
    url = r.headers["location"].split("?")[0]
    bid = int(re.search(r"/batches/(\d+)", url).group(1))
    county = as_user("info_reviewer@360102")
    page = county.get(url).text
    button = re.search(r'id="forward">([^<]*)<', page).group(1)
    assert "最后一级" not in button and "办结" not in button and "南昌市" in button, button
    r = post_form(county, url, f"/registration/batches/{bid}/decide", {f"decision-{tid}": "qualified", f"reason-{tid}": "学时已核实", "forward": "1"})
    assert r.status_code == 303
    msg = county.get(r.headers["location"]).text
    assert "已提交南昌市" in msg and "上一级" not in msg
    city = as_user("info_reviewer@3601")
    button = re.search(r'id="forward">([^<]*)<', city.get(url).text).group(1)
    assert "办结" in button, button
    r = post_form(city, url, f"/registration/batches/{bid}/decide", {f"decision-{tid}": "qualified", f"reason-{tid}": "学时已核实", "forward": "1"})
    assert r.status_code == 303
    page = city.get(r.headers["location"]).text
    assert "已办结" in page and "已提交" not in page


def test_an_application_page_in_english_names_its_state_steps_and_outcomes_in_english(ctx, world, as_user,
                                                                                    due):  # noqa: F811
    """?lang=en: the state (Completed), the workflow's step labels and the decisions (Registration
    deferred) in English — no 已办结, 县级教育行政部门初审 or 暂缓注册 left in those places."""
    tid = due(failing_year=True, name="英文页")
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": str(tid)})
    url = r.headers["location"].split("?")[0]
    bid = int(re.search(r"/batches/(\d+)", url).group(1))
    for who in ("info_reviewer@360102", "info_reviewer@3601"):
        r = post_form(as_user(who), url, f"/registration/batches/{bid}/decide",
                      {f"decision-{tid}": "deferred", f"reason-{tid}": "考核", "forward": "1"})
        assert r.status_code == 303
    zh, en = school.get(url + "?lang=zh").text, school.get(url + "?lang=en").text
    assert "已办结" in zh and "暂缓注册" in zh
    state = re.search(r'<p id="state">([^<]*)</p>', en).group(1)
    steps = re.findall(r'<li class="\w+">([^<(]*)', en)
    assert state and not re.search(r"[\u4e00-\u9fff]", state)
    assert steps and all(s.strip() and not re.search(r"[\u4e00-\u9fff]", s) for s in steps), steps
    assert "暂缓注册" not in en and "Registration deferred" in en
