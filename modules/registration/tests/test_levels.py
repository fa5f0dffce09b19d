"""Each level's decision stays readable (walk2 finding 2): when the city reviews (审定) after the
county's 初审, its page shows the county's conclusion and reason in a 初审意见 column beside the
city's own fields (pre-filled from it, and saying so); once the city changed a conclusion, the
county's is still on the application's page, on the API and on the teacher's 我的注册, each
level named; reasons beside a masked 师德 condition stay masked for viewers."""

from __future__ import annotations

import re

from modules.registration.tests.test_demo import PASSWORD, demo  # noqa: F401  (the fixture)
from modules.registration.tests.test_demo_walk import _teacher, walk  # noqa: F401  (the fixture)
from tests.web.conftest import Client, post_form


def _row(page: str, tid: int) -> str:
    return re.search(rf'<tr id="teacher-{tid}">(.*?)</tr>', page, re.S).group(1)


def _cell(row: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.search(r'<td class="levels">(.*?)</td>', row, re.S).group(1))


def test_the_city_sees_the_county_conclusions_and_each_level_stays_readable(walk):  # noqa: F811
    app, bid, short, barred = walk["app"], walk["batch"], walk["short"], walk["barred"]
    url = f"/registration/batches/{bid}"
    county = Client(app, "county-reviewer", PASSWORD)
    assert 'id="levels-heading"' not in county.get(url).text       # nothing decided below the county
    r = post_form(county, url, f"{url}/decide", {
        f"decision-{walk['ok']}": "qualified", f"reason-{walk['ok']}": "",
        f"decision-{short}": "deferred", f"reason-{short}": "本周期学分不足，补足后再申请",
        f"decision-{barred}": "refused", f"reason-{barred}": "师德处分期内", "forward": "1"})
    assert r.status_code == 303, r.text[:500]

    city = Client(app, "city-reviewer", PASSWORD)
    page = city.get(url).text
    assert re.search(r'<th id="levels-heading">初审意见</th>', page) and "本级结论" in page
    row = _row(page, short)
    assert "暂缓注册" in _cell(row) and "本周期学分不足，补足后再申请" in _cell(row)
    assert "已预填初审意见，可修改" in row                             # the select starts from the county's
    en = city.get(url + "?lang=en").text
    assert "First review&#39;s decision" in en or "First review's decision" in en
    assert "Registration deferred" in _cell(_row(en, short)) and "Your decision" in en
    # the city changes the county's 暂缓注册 into 不予注册 and completes
    r = post_form(city, url, f"{url}/decide", {
        f"decision-{walk['ok']}": "qualified", f"reason-{walk['ok']}": "",
        f"decision-{short}": "refused", f"reason-{short}": "连续两年年度考核不合格",
        f"decision-{barred}": "refused", f"reason-{barred}": "师德处分期内", "forward": "1"})
    assert r.status_code == 303, r.text[:500]

    # the application's page: the county's conclusion has not gone, each level named
    for reader in ("school-manager", "county-reviewer", "city-reviewer"):
        page = Client(app, reader, PASSWORD).get(url).text
        assert "各级审核意见" in page, reader
        cell = _cell(_row(page, short))
        assert "初审" in cell and "暂缓注册" in cell and "本周期学分不足，补足后再申请" in cell, (reader, cell)
        assert "审定" in cell and "不予注册" in cell and "连续两年年度考核不合格" in cell, (reader, cell)
        assert cell.index("暂缓注册") < cell.index("不予注册")               # the route's order
    api = Client(app, "school-manager", PASSWORD).get(f"/api/v1/registration/batches/{bid}").json()
    levels = {t["teacher_id"]: t["levels"] for t in api["teachers"]}[short]
    assert [(lv["step"], lv["decision"], lv["reason"]) for lv in levels] == [
        ("county_review", "deferred", "本周期学分不足，补足后再申请"), ("city_decides", "refused", "连续两年年度考核不合格")]
    # a viewer without personal.read: the reasons beside the masked 师德 condition stay masked at every level
    viewer = Client(app, "school-viewer", PASSWORD)
    page = viewer.get(url).text
    assert "师德处分期内" not in page and "理由涉及师德记录" in _row(page, barred)
    assert "本周期学分不足，补足后再申请" in _row(page, short)
    seen = {t["teacher_id"]: t for t in viewer.get(f"/api/v1/registration/batches/{bid}").json()["teachers"]}
    assert all(lv["reason"] == "***" and lv["reason_masked"] for lv in seen[barred]["levels"])
    # the teacher reads both levels on 我的注册, in either language
    mine = _teacher(walk, short).get("/registration/mine").text
    row = re.search(rf'<tr id="application-{bid}">(.*?)</tr>', mine, re.S).group(1)
    cell = _cell(row)
    assert "县级教育行政部门初审" in cell and "暂缓注册" in cell and "本周期学分不足，补足后再申请" in cell
    assert "地市级教育行政部门审定" in cell and "不予注册" in cell and "连续两年年度考核不合格" in cell
    en = _teacher(walk, short).get("/registration/mine?lang=en").text
    cell = _cell(re.search(rf'<tr id="application-{bid}">(.*?)</tr>', en, re.S).group(1))
    assert "County authority reviews" in cell and "Registration deferred" in cell and "City authority decides" in cell
