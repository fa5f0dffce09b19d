"""The case pages (/cases/…): a school starts a transfer from the page, each actor finds it in
"waiting for me" and acts on the case page; names everywhere, never ids; a refusal re-draws the
page with the message and what was typed."""

from __future__ import annotations

import re

from tests.web.conftest import post_form
from web.db.models import Teacher


def test_a_transfer_through_the_pages(ctx, world, as_user, approved_teacher):
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        id_number, name = t.id_number, t.name
    school = as_user("info_manager@3601020002")
    r = post_form(school, "/cases/transfers", "/cases/transfers", {"id_number": id_number, "name": "别人"})
    assert r.status_code == 404 and "W783" in r.text and id_number in r.text  # what was typed stays
    r = post_form(school, "/cases/transfers", "/cases/transfers", {"id_number": id_number, "name": name})
    assert r.status_code == 303
    url = r.headers["location"]
    page = school.get(url).text
    assert name in page and "东湖区第一小学" in page and id_number not in page  # masked
    assert "待调入单位主管部门审核" in page and "东湖区" in page
    assert not re.search(r"#\d+", page)
    for unit in ["360102", "3601", "36", "3601020001"]:
        actor = as_user(f"info_reviewer@{unit}")
        assert url.rsplit("/", 1)[1] in actor.get("/cases/transfers").text.split("全部")[0]  # waiting for me
        r = post_form(actor, url, f"{url}/approve", {})
        assert r.status_code == 303, r.text[:400]
    page = school.get(url).text
    assert "已完成" in page
    # in English the history's step column names the steps as the step list above does
    english = school.get(url + "?lang=en").text
    history = english.split('id="transitions"')[1].split("</table>")[0]
    steps = re.findall(r"<tr><td>[^<]*</td><td>[^<]*</td>\s*<td>([^<]*)</td>", history)
    assert [s for s in steps if s] and not [s for s in steps if re.search(r"[\u4e00-\u9fff]", s)], steps
    assert "调入单位主管部门审核" not in english
    assert "Acting unit: " in english or "State: " in english
    r = post_form(as_user("info_reviewer@360102"), "/cases/transfers", f"{url}/approve", {})
    assert r.status_code in (404, 409)


def test_a_return_without_reason_keeps_the_page(ctx, world, as_user, approved_teacher):
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        data = {"id_number": t.id_number, "name": t.name}
    r = post_form(as_user("info_manager@3601020002"), "/cases/transfers", "/cases/transfers", data)
    url = r.headers["location"]
    county = as_user("info_reviewer@360102")
    r = post_form(county, url, f"{url}/return", {"reason": " "})
    assert r.status_code == 422 and "W779" in r.text
    r = post_form(county, url, f"{url}/return", {"reason": "缺少调动审批表"})
    assert r.status_code == 303
    assert "缺少调动审批表" in county.get(url).text and "已退回" in county.get(url).text


def test_a_rotation_and_a_status_change_from_their_pages(ctx, world, as_user, approved_teacher):
    from web.people import clock

    school = as_user("info_manager@3601020001")
    cards = []
    for _ in range(2):
        with ctx.sessions() as db:
            t = db.get(Teacher, approved_teacher("3601020001"))
            cards.append({"id_number": t.id_number, "name": t.name})
    today = clock.today()
    # the ID number as a clerk may type it (full width, a space, a lowercase x) finds the same teacher
    typed = cards[0]["id_number"].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}).replace("X", "x")
    r = post_form(school, "/cases/rotations", "/cases/rotations",
                  {**cards[0], "id_number": typed[:6] + " " + typed[6:], "to_unit": "3601030001", "start": today.isoformat(), "end": today.replace(year=today.year + 1).isoformat()})
    assert r.status_code == 303, r.text[:600]
    page = school.get(r.headers["location"]).text
    assert "待派出单位主管部门确认" in page and "西湖区幼儿园" in page
    r = post_form(school, "/cases/status-changes", "/cases/status-changes",
                  {**cards[1], "change": "absent", "on": today.isoformat()})
    assert r.status_code == 422 and "W792" in r.text and cards[1]["name"] in r.text
    r = post_form(school, "/cases/status-changes", "/cases/status-changes",
                  {**cards[1], "change": "absent", "code": "204", "on": today.isoformat(), "note": "脱产进修"})
    assert r.status_code == 303
    assert "已完成" in school.get(r.headers["location"]).text
