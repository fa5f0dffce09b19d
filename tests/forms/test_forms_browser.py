"""The main paths in a real browser: Playwright driving Debian's chromium against the app served by
uvicorn on a free localhost port (SQLite, or PostgreSQL when TMIS_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Fresh#2024ab"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[str, object]]:
    from tests.web.conftest import require_chromium

    require_chromium()
    from tmis_web_conftest import fresh_pg_database, make_settings  # tests/forms/conftest.py loads it

    from web.app import create_app
    from web.db.migrate import upgrade
    from web.forms import sample

    drop = None
    if os.environ.get("TMIS_TEST_DATABASE_URL", "").startswith("postgresql"):
        url, drop = fresh_pg_database(os.environ["TMIS_TEST_DATABASE_URL"])
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'b.sqlite3'}"
    upgrade(url)
    app = create_app(make_settings(url))
    s = sample.seed(app.state.ctx, teachers=3)
    try:
        with serve(app) as base:
            yield base, s
    finally:
        app.state.ctx.engine.dispose()
        if drop:
            drop()


@pytest.fixture()
def page(live):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1366, "height": 900})
        pg.set_default_timeout(10_000)
        yield pg
        browser.close()


def test_teacher_first_login_fills_basic_information_and_education(live, page):
    from playwright.sync_api import expect

    base, s = live
    tid = s.teachers[0]  # created by the school: four items only, must change the password
    page.goto(base + "/teacher/login")
    page.fill("#username", s.usernames[tid])
    page.fill("#password", s.password)
    page.click("main button[type=submit]")
    expect(page).to_have_url(base + "/account/password")
    page.fill("#old_password", s.password)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm_password", NEW_PASSWORD)
    page.click("main button[type=submit]")
    if "/login" in page.url:  # a changed password ends every session: sign in again with it
        page.fill("#username", s.usernames[tid])
        page.fill("#password", NEW_PASSWORD)
        page.click("main button[type=submit]")
    page.click("#my-file")
    expect(page.locator("h2")).to_contain_text("基本信息")

    # the ID number is the school's to correct: text with the reason, no input to type into
    assert page.locator("#f-id_number").count() == 0
    expect(page.locator('[data-key="id_number"] .lock-reason')).to_contain_text("由学校信息管理员修改")

    # a wrong month: the error appears at the field when leaving it
    page.fill("#f-entry_month", "2012-13")
    page.press("#f-entry_month", "Tab")
    expect(page.locator("#msg-f-entry_month .msg-error")).to_be_visible()

    # the rest of what has no default; 是否在编 = 否 brings 用人形式 (shown-when, server round trip)
    page.fill("#f-work_start_month", "2008.9")  # typed the way people type it
    page.fill("#f-entry_month", "2012-09")
    page.select_option("#f-staff_source", "11")
    page.select_option("#f-staff_category", "11")
    page.check("#f-on_establishment-false")
    expect(page.locator("#f-employment_form-1")).to_be_visible()
    page.check("#f-employment_form-1")
    page.select_option("#f-it_ability", "2") if page.locator("select#f-it_ability").count() else page.check("#f-it_ability-2")
    page.click("#save")
    expect(page.locator(".alert-ok, .alert-warn")).to_be_visible()
    expect(page.locator("#f-work_start_month")).to_have_value("2008-09")
    assert page.locator("text=报送").count() == 0 or page.locator("button:has-text('报送')").count() == 0

    # 学习经历: add one record
    page.click(".setnav >> text=学习经历")
    page.click("#add-record")
    page.select_option("#f-edu_level", "21")
    page.fill("#f-institution", "江西师范大学")
    page.fill("#f-major", "汉语言文学")
    page.fill("#f-enrolment_month", "2004-09")
    page.fill("#f-graduation_month", "2008-07")
    page.check("#f-degree_level-0")
    page.check("#f-study_mode-1")
    page.click("#save")
    expect(page.locator("table.records")).to_contain_text("江西师范大学")
    expect(page.locator(".setnav a.active .count")).to_have_text("1")


def test_school_manager_fills_assessment_and_runs_the_completeness_check(live, page):
    from playwright.sync_api import expect

    base, s = live
    tid = s.teachers[1]
    page.goto(base + "/admin/login")
    page.fill("#username", s.manager)
    page.fill("#password", s.password)
    page.click("main button[type=submit]")
    page.goto(base + "/forms/teachers")
    expect(page.locator("#teacher-table")).to_be_visible()
    page.click(f"#teacher-table a[href='/forms/teachers/{tid}/sets/basic']")
    page.click(".setnav >> text=年度考核")
    page.click("#add-record")
    page.fill("#f-year", "2023")
    page.check("#f-result-1") if page.locator("#f-result-1").count() else page.select_option("#f-result", "1")
    page.fill("#f-unit_name", "东湖区示范小学")
    page.click("#save")
    expect(page.locator("table.records")).to_contain_text("优秀")

    page.click("#check-one")
    expect(page.locator("#check-summary")).to_contain_text("已检测 1 名教师")
    card = page.locator(f"#check-{tid}")
    expect(card).to_be_visible()
    # every problem links to the place to fix it; follow the first one
    link = card.locator("a:has-text('去修改')").first
    href = link.get_attribute("href")
    link.click()
    assert page.url.startswith(base + href.split("#")[0])

    # many at once from the list
    page.goto(base + "/forms/teachers")
    for box in page.locator("input[name=teacher]").all():
        box.check()
    page.click("#check-selected")
    expect(page.locator("#check-summary")).to_contain_text(f"已检测 {len(s.teachers)} 名教师")
