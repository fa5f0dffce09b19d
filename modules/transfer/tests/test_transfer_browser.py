"""A transfer across counties in a real browser (Playwright + Debian's chromium, the app served
by uvicorn), from initiation to completion: the receiving school's 信息管理员 starts it from the
page, each actor of 江西's chain signs in through the login page, finds it under 等待我办理 and
approves it; the file then belongs to the receiving school."""

from __future__ import annotations

import pytest

from tests.review.test_review_browser import a_teacher, browser, live, sign_in  # noqa: F401  (fixtures)
from web.db.models import Teacher

pytestmark = pytest.mark.browser


def test_a_transfer_across_counties_in_the_browser(live, browser, cats):  # noqa: F811
    from playwright.sync_api import expect

    base, app = live
    tid = a_teacher(app, cats)
    with app.state.ctx.sessions() as s:
        t = s.get(Teacher, tid)
        id_number, name = t.id_number, t.name

    school = sign_in(browser, base, "info_manager@3601030001")
    school.goto(f"{base}/cases/transfers")
    school.fill("#id_number", id_number)
    school.fill("#name", name)
    school.click("#start-case")
    expect(school.locator("#case-state")).to_contain_text("待调入单位主管部门审核")
    expect(school.locator("#case-card")).to_contain_text("东湖区第一小学")
    expect(school.locator("#case-card")).not_to_contain_text(id_number)  # masked until completion
    case_url = school.url
    school.context.close()

    for unit in ("360103", "3601", "36", "3601020001", "360102"):
        page = sign_in(browser, base, f"info_reviewer@{unit}")
        page.goto(f"{base}/cases/transfers")
        page.locator("#cases-mine tbody tr", has_text=name).get_by_role("link").click()
        page.click("#approve")
        expect(page.locator("#done")).to_have_text("已审核通过")
        page.context.close()

    school = sign_in(browser, base, "info_manager@3601030001")
    school.goto(case_url)
    expect(school.locator("#case-state")).to_contain_text("已完成")
    expect(school.locator("#transitions")).to_contain_text("东湖区")
    school.context.close()
    with app.state.ctx.sessions() as s:
        assert s.get(Teacher, tid).unit.code == "3601030001"
