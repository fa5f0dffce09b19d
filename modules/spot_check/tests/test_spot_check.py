"""Spot checks (随机抽查, 暂行办法 art. 17) as the users meet them: an authority draws a sample with
a stated seed, verifies each item and publishes a report the units below then see; ID numbers of
the sampled teachers are masked for a viewer without personal.read; every step is audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from modules.spot_check.tests.conftest import COUNTY, OTHER_COUNTY, SCHOOL_A, SCHOOL_B
from tests.web.conftest import post_form
from web.db.models import AuditEntry, Teacher

API = "/api/v1/spot-checks"


def _draw(client, **body):
    return client.post(API + "/", json={"kind": "teacher", "size": 3, "title": "2026 年春季抽查", **body})


def _teachers(check) -> list[str]:
    return [i["teacher"]["name"] + "/" + str(i["teacher"]["id_number"]) for i in check["items"]]


def _audit(ctx, action: str, check_id: int) -> list[AuditEntry]:
    with ctx.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                        AuditEntry.target_id == str(check_id))))


def test_a_county_draws_teachers_reproducibly_from_its_approved_teachers_on_the_roll(ctx, as_user, area):
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    r = _draw(reviewer, seed="20260331")
    assert r.status_code == 201, r.text
    check = r.json()
    # the population: teachers on the roll with an approved file, counted another way
    with ctx.sessions() as db:
        expected = db.scalar(select(func.count()).select_from(Teacher).where(
            Teacher.unit_id.in_([area.units[SCHOOL_A], area.units[SCHOOL_B]]), Teacher.state == "approved",
            Teacher.left_on.is_(None)))
    assert check["population"] == expected == 7
    assert check["seed"] == "20260331" and check["size"] == 3 and len(check["items"]) == 3
    drawn = {i["teacher"]["name"] for i in check["items"]}
    assert "未报送教师" not in drawn and "已离职教师" not in drawn
    assert all(i["unit"]["code"] in (SCHOOL_A, SCHOOL_B) for i in check["items"])
    # the same seed over the same population: the same teachers in the same order
    again = _draw(reviewer, seed="20260331").json()
    assert _teachers(again) == _teachers(check) and again["fingerprint"] == check["fingerprint"]
    # and the check itself says so when drawn again
    assert reviewer.get(f"{API}/{check['id']}?verify=true").json()["reproduced"] == {
        "population_now": 7, "same_population": True, "same_sample": True}
    # the reviewer (personal.read) sees whole ID numbers
    assert all(not i["teacher"]["masked"] and "*" not in i["teacher"]["id_number"] for i in check["items"])
    entry = _audit(ctx, "spot_check.draw", check["id"])
    assert len(entry) == 1 and entry[0].detail["seed"] == "20260331" and entry[0].detail["population"] == 7


def test_without_a_seed_the_system_chooses_one_and_shows_it(as_user, area):
    r = _draw(as_user(f"info_manager@{COUNTY}"), seed="", kind="school", size=2)
    assert r.status_code == 201, r.text
    check = r.json()
    assert re.fullmatch(r"\d{8}", check["seed"]) and check["population"] == 2 and check["kind_label"] == "学校"
    assert {i["unit"]["code"] for i in check["items"]} == {SCHOOL_A, SCHOOL_B}


@pytest.mark.parametrize("body,code,words", [
    ({"size": 0}, "W501", "1 至 7"), ({"size": 8}, "W501", "总体共 7 个"), ({"size": "三"}, "W501", "整数"),
    ({"seed": "a b"}, "W502", "种子"), ({"kind": "class"}, "W500", "school"), ({"title": " "}, "W511", "名称"),
])
def test_wrong_input_is_refused_with_its_code_and_how_to_fix(as_user, area, body, code, words):
    r = _draw(as_user(f"info_reviewer@{COUNTY}"), **body)
    assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert words in r.json()["message"] + r.json()["hint"] and r.json()["message_en"]


def test_an_empty_area_is_refused(ctx, as_user, area):
    r = _draw(as_user(f"info_reviewer@{OTHER_COUNTY}"))
    assert r.status_code == 422 and r.json()["code"] == "W503" and "抽查旁区" in r.json()["message"]


@pytest.mark.parametrize("user", [f"info_viewer@{COUNTY}", f"info_manager@{SCHOOL_A}", f"system_admin@{COUNTY}",
                                  f"info_entry@{'3601020001'}"])
def test_only_an_authoritys_reviewers_may_draw(as_user, area, user):
    r = _draw(as_user(user))
    assert r.status_code == 403 and r.json()["code"] == "W201"


def test_verify_publish_and_the_units_below_see_the_report(ctx, as_user, area):
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    check = _draw(reviewer, seed="verify-1", size=7).json()
    cid, items = check["id"], check["items"]
    # not yet published: the schools do not see it, the county's viewer does (masked)
    assert as_user(f"info_viewer@{SCHOOL_A}").get(f"{API}/{cid}").json()["code"] == "W504"
    viewer = as_user(f"info_viewer@{COUNTY}").get(f"{API}/{cid}").json()
    assert all(i["teacher"]["masked"] and i["teacher"]["id_number"].count("*") == 10 for i in viewer["items"])
    assert {i["teacher"]["name"] for i in viewer["items"]} == {i["teacher"]["name"] for i in items}
    assert all(i["teacher"]["id_number"] not in str(viewer) for i in items)
    # 有误 needs a note; publishing needs every item verified
    first, wrong = items[0]["id"], items[1]["id"]
    r = reviewer.post(f"{API}/{cid}/items/{wrong}", json={"result": "wrong"})
    assert r.status_code == 422 and r.json()["code"] == "W507"
    assert reviewer.post(f"{API}/{cid}/items/{wrong}", json={"result": "maybe"}).json()["code"] == "W506"
    assert reviewer.post(f"{API}/{cid}/items/999999", json={"result": "ok"}).json()["code"] == "W505"
    assert reviewer.post(f"{API}/{cid}/items/{wrong}", json={"result": "wrong", "note": "学历与证书不符"}).status_code == 200
    r = reviewer.post(f"{API}/{cid}/publish", json={})
    assert r.status_code == 422 and r.json()["code"] == "W510" and "6 项" in r.json()["message"]
    # a viewer may not record results
    assert as_user(f"info_viewer@{COUNTY}").post(f"{API}/{cid}/items/{first}", json={"result": "ok"}).status_code == 403
    for i in items[2:] + items[:1]:
        assert reviewer.post(f"{API}/{cid}/items/{i['id']}", json={"result": "ok"}).status_code == 200
    r = reviewer.post(f"{API}/{cid}/publish", json={"summary": "共抽查 7 人，1 人信息有误，请相关学校更正。"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "published" and done["counts"] == {"ok": 6, "wrong": 1, "unchecked": 0}
    assert done["error_rate"] == round(1 / 7, 4)
    # final
    r = reviewer.post(f"{API}/{cid}/items/{first}", json={"result": "wrong", "note": "x"})
    assert r.status_code == 409 and r.json()["code"] == "W509"
    # a school below sees the report with its own teachers only; a school elsewhere does not see it
    school = as_user(f"info_viewer@{SCHOOL_A}").get(f"{API}/{cid}").json()
    assert school["summary"].startswith("共抽查 7 人") and school["whole"] is False
    assert {i["unit"]["code"] for i in school["items"]} == {SCHOOL_A}
    assert len(school["items"]) == sum(1 for i in items if i["unit"]["code"] == SCHOOL_A)
    assert as_user("info_viewer@3601020001").get(f"{API}/{cid}").status_code == 404
    listed = [c["id"] for c in as_user(f"info_viewer@{SCHOOL_B}").get(API + "/").json()["items"]]
    assert cid in listed
    # audited: the draw, each verification, the publication, the reads of the list of teachers
    assert len(_audit(ctx, "spot_check.verify", cid)) == 7  # refused ones are not
    assert len(_audit(ctx, "spot_check.publish", cid)) == 1
    reads = _audit(ctx, "spot_check.read", cid)
    assert any(e.detail["unmasked"] == 0 for e in reads) and any(e.detail["unmasked"] == 7 for e in reads)


def test_the_pages_draw_verify_and_publish(ctx, as_user, area):
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    page = reviewer.get("/spot-checks/")
    assert page.status_code == 200 and 'id="draw-form"' in page.text
    # a wrong size: the form again, with the message and what was typed
    r = post_form(reviewer, "/spot-checks/", "/spot-checks/", {"title": "页面抽查", "kind": "school", "size": "9",
                                                              "seed": "page-1"})
    assert r.status_code == 422 and "W501" in r.text and 'value="page-1"' in r.text
    r = post_form(reviewer, "/spot-checks/", "/spot-checks/", {"title": "页面抽查", "kind": "school", "size": "2",
                                                              "seed": "page-1"})
    assert r.status_code == 303
    url = r.headers["location"]
    page = reviewer.get(url)
    assert 'id="seed">page-1<' in page.text and "抽查一小" in page.text and "抽查二中" in page.text
    ids = re.findall(r'action="(/spot-checks/\d+/items/\d+)"', page.text)
    assert len(ids) == 2
    r = post_form(reviewer, url, ids[0], {"result": "wrong", "note": ""})
    assert r.status_code == 422 and "W507" in r.text
    for action in ids:
        assert post_form(reviewer, url, action, {"result": "ok", "note": ""}).status_code == 303
    r = post_form(reviewer, url, url + "/publish", {"summary": "两校信息均核实无误。"})
    assert r.status_code == 303
    page = reviewer.get(url)
    assert "已通报" in page.text and "两校信息均核实无误。" in page.text and 'id="publish"' not in page.text
    # the school's home page shows the report, linked to the spot checks
    home = as_user(f"info_manager@{SCHOOL_B}").get("/admin/").text
    assert 'id="todo-spot_check-notices"' in home and "随机抽查通报" in home
    assert 'href="/spot-checks/"' in as_user(f"info_viewer@{SCHOOL_B}").get("/admin/").text


def test_the_county_home_page_counts_items_to_verify(as_user, area):
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    _draw(reviewer, seed="home-1", size=2)
    m = re.search(r'id="todo-spot_check-unchecked"><a href="/spot-checks/"><span class="count">(\d+)</span>',
                  reviewer.get("/admin/").text)
    open_items = sum(c["counts"]["unchecked"] for c in reviewer.get(API + "/").json()["items"]
                     if c["unit"]["code"] == COUNTY and c["state"] == "open")
    assert m and int(m.group(1)) == open_items >= 2


def test_a_viewer_page_shows_masked_id_numbers(ctx, as_user, area):
    check = _draw(as_user(f"info_reviewer@{COUNTY}"), seed="mask-1", size=7).json()
    page = as_user(f"info_viewer@{COUNTY}").get(f"/spot-checks/{check['id']}").text
    for i in check["items"]:
        whole = i["teacher"]["id_number"]
        assert whole not in page and f"{whole[:4]}**********{whole[-4:]}" in page
    assert "spot_check.read" in {e.action for e in _audit(ctx, "spot_check.read", check["id"])}


def test_the_demo_has_a_published_report_the_school_sees(tmp_path):
    """``tmis demo``: 东湖区's published spot check reaches its schools' home pages."""
    from tests.web.conftest import Client, fresh_database, make_settings
    from web.app import create_app
    from web.demo import build_demo

    with fresh_database(tmp_path) as url:
        settings = make_settings(url)
        build_demo(settings, password="Demo@2024x", teachers=48, seed=3)
        application = create_app(settings)
        try:
            checks = Client(application, "county-viewer", "Demo@2024x").get(API + "/").json()["items"]
            done = next(c for c in checks if c["seed"] == "20260331")
            assert done["state"] == "published" and done["counts"] == {"ok": 4, "wrong": 1, "unchecked": 0}
            school = Client(application, "school-manager", "Demo@2024x")
            home = school.get("/admin/").text
            assert 'id="todo-spot_check-notices"' in home
            assert any(c["id"] == done["id"] for c in school.get(API + "/").json()["items"])
        finally:
            application.state.ctx.engine.dispose()


def test_an_unverified_item_has_no_result_chosen_and_saving_it_blank_records_nothing(ctx, as_user, area):
    """No default: each unverified item's 核实结果 starts on a blank choice; 保存 without choosing
    is refused (W707, with how to fix) and the item stays 未核实 — nothing counts as verified correct."""
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    r = post_form(reviewer, "/spot-checks/", "/spot-checks/", {"title": "默认值", "kind": "school", "size": "2",
                                                              "seed": "blank-1"})
    url = r.headers["location"]
    page = reviewer.get(url).text
    selects = re.findall(r'<select name="result"[^>]*>(.*?)</select>', page, re.S)
    assert len(selects) == 2
    for options in selects:
        chosen = re.findall(r'<option value="([^"]*)"\s+selected', options)
        assert chosen == [""], options
    action = re.findall(r'action="(/spot-checks/\d+/items/\d+)"', page)[0]
    r = post_form(reviewer, url, action, {"result": "", "note": ""})
    assert r.status_code == 422 and "W707" in r.text and "核实无误" in r.text
    cid = int(url.rstrip("/").split("/")[-1])
    check = reviewer.get(f"{API}/{cid}").json()
    assert all(i["result"] is None for i in check["items"])
    assert "未核实 2" in reviewer.get(url).text


def test_a_sample_size_typed_in_full_width_digits_is_read(as_user, area):
    """抽查数量 typed ２ with a Chinese input method draws 2 (NFKC), on the page and over the API."""
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    r = post_form(reviewer, "/spot-checks/", "/spot-checks/", {"title": "全角数字", "kind": "school", "size": "２",
                                                              "seed": "wide-1"})
    assert r.status_code == 303, r.text[:500]
    assert 'id="size">2<' in reviewer.get(r.headers["location"]).text
    assert _draw(reviewer, kind="school", size="２", seed="wide-2").json()["size"] == 2


def test_the_pages_in_english_use_english_punctuation_around_names(as_user, area):
    """?lang=en: '(name)' and 'Seed: ' — no full-width （） or ： around the labels."""
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    r = post_form(reviewer, "/spot-checks/", "/spot-checks/", {"title": "English", "kind": "school", "size": "1",
                                                              "seed": "en-1"})
    for url in (r.headers["location"] + "?lang=en", "/spot-checks/?lang=en"):
        page = reviewer.get(url).text
        body = page.split('<main class="container">')[1]
        assert not re.search(r"[（）：]", re.sub(r"<blockquote.*?</blockquote>", "", body, flags=re.S)), \
            re.findall(r".{20}[（）：].{20}", body)
    assert "Seed: " in reviewer.get(r.headers["location"] + "?lang=en").text
