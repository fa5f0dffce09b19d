"""教师用户管理 in a real browser: a school's system administrator signs in, opens the page from
the home menu, creates a teacher account from the four items, sees the initial password once,
and exports the account list (Playwright with Debian's chromium; the app served by uvicorn)."""

from __future__ import annotations


import pytest
from openpyxl import load_workbook

from tests.web.conftest import PASSWORD, four_items
from tests.web.test_admin_pages import fresh_school  # noqa: F401  (fixture)
from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser


@pytest.fixture()
def browser_page():
    from tests.web.conftest import require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        pg.set_default_timeout(10_000)
        yield pg
        browser.close()


def test_school_admin_creates_a_teacher_account_and_exports_the_list(app, world, fresh_school, browser_page, tmp_path):
    school = fresh_school()
    items = four_items(school[:6], "林小雨", male=False)
    page = browser_page
    with serve(app) as base:
        page.goto(f"{base}/admin/login")
        page.fill("#username", f"system_admin@{school}")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        page.click("#menu-teacher_accounts")
        assert "教师用户管理" in page.inner_text("h1")

        page.fill("#t-name", items["name"])
        page.select_option("#t-gender", "2")
        page.fill("#t-birth", items["birth_date"])
        page.fill("#t-id", items["id_number"])
        page.click("#new-teacher button[type=submit]")
        issued = page.inner_text("#initial-password").strip()
        assert len(issued) >= 8 and items["id_number"] in page.inner_text("#issued-card")

        page.click("#issued-card a.button")
        row = page.inner_text("#teacher-accounts")
        assert "林小雨" in row and "未修改初始密码" in row and items["id_number"] not in row  # masked

        with page.expect_download() as download:
            page.click("#export")
        target = tmp_path / "accounts.xlsx"
        download.value.save_as(target)
    rows = list(load_workbook(target).active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [("林小雨", items["id_number"], issued)]
