"""The dashboards in a real browser (issue 16; Playwright with Debian's chromium, the app served by
uvicorn): a province viewer opens 统计分析 from the menu, sees the charts drawn (with their "as of"
line), drills down twice by clicking a unit (province → city → county), exports a table whose
workbook holds the page's numbers, opens the print view and a cell's teacher list (its count, ID
numbers masked); on a 390 px phone the page does not scroll sideways and a
click on a unit's bar in the chart drills down too. No script error, no CSP violation."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from modules.statistics.tests.conftest import DEMO_PASSWORD
from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    from tests.web.conftest import require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _sign_in(page, base: str, username: str) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.set_default_timeout(20_000)
    page.goto(f"{base}/admin/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#shell-menu")
    return problems


def _charts_drawn(page) -> None:
    page.wait_for_function("document.querySelectorAll('[data-chart]').length > 0 && "
                           "document.querySelectorAll('[data-chart]').length === "
                           "document.querySelectorAll('[data-drawn]').length")


def test_open_drill_down_twice_and_export(demo, browser, tmp_path):
    with serve(demo) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        problems = _sign_in(page, base, "province-viewer")
        page.click("#nav-stats_dashboard")
        page.wait_for_url(re.compile(r"/statistics/units/36$"))
        _charts_drawn(page)
        assert page.locator("#stats-asof").inner_text().startswith("数据截至 ")
        assert page.locator("#card-gender .stats-asof").inner_text().startswith("数据截至 ")
        assert page.locator("#card-gender canvas").count() == 1  # ECharts drew it
        province_total = int(page.locator("#head-total b").inner_text().replace(",", ""))

        page.click("#units-below a.drill >> nth=0")  # 南昌市
        page.wait_for_url(re.compile(r"/statistics/units/3601$"))
        _charts_drawn(page)
        city_total = int(page.locator("#head-total b").inner_text().replace(",", ""))
        assert 0 < city_total < province_total
        assert page.locator(".stats-trail a").first.inner_text() == "江西省"

        page.click("#units-below a.drill >> nth=0")  # 东湖区
        page.wait_for_url(re.compile(r"/statistics/units/360102$"))
        _charts_drawn(page)
        county_total = int(page.locator("#head-total b").inner_text().replace(",", ""))
        assert 0 < county_total <= city_total
        shown = {row.get_attribute("data-dims"): int(row.get_attribute("data-count"))
                 for row in page.locator("#table-gender tbody tr[data-count]").all()}

        with page.expect_download() as info:
            page.click("#export-gender")
        download = info.value
        assert download.suggested_filename.endswith(".xlsx") and "性别" in download.suggested_filename
        path = tmp_path / "gender.xlsx"
        download.save_as(path)
        rows = list(load_workbook(path).active.iter_rows(values_only=True))
        counts = [r[1] for r in rows if r and r[0] in ("男", "女")]
        assert sorted(counts) == sorted(shown.values())
        assert next(r for r in rows if r and r[0] == "合计")[1] == county_total

        page.click("#to-print")  # the print view: every table, charts as SVG for paper
        page.wait_for_url(re.compile(r"/statistics/units/360102/print$"))
        _charts_drawn(page)
        assert page.locator("section svg").count() == page.locator("[data-chart]").count() > 0
        assert page.locator(".head p").inner_text().startswith("数据截至 ")

        # a cell of the county's table opens the teachers it counts (drill to individuals)
        page.goto(f"{base}/statistics/units/360102")
        row = page.locator("#table-gender tbody tr[data-count]:has(a.to-list)").first
        count = int(row.get_attribute("data-count"))
        row.locator("a.to-list").click()
        page.wait_for_url(re.compile(r"/statistics/units/360102/teachers\?cell=gender"))
        assert int(page.locator("#cell-count").get_attribute("data-count")) == count
        assert page.locator("#cell-teachers tbody tr[data-teacher]").count() == count
        assert all("*" in c for c in page.locator("#cell-teachers tbody tr td:nth-child(2)").all_inner_texts())
        assert problems == [], problems
        page.close()


def test_on_a_phone_the_page_fits_and_a_bar_drills_down(demo, browser):
    with serve(demo) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        problems = _sign_in(page, base, "city-viewer")
        page.goto(f"{base}/statistics/units/3601")
        _charts_drawn(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#chart-drill-box").scroll_into_view_if_needed()
        box = page.locator("#chart-drill-box").bounding_box()  # in the viewport now
        assert box and box["width"] <= 390
        # the middle of the first unit's bar, where ECharts drew it
        x, y = page.eval_on_selector("#chart-drill-box", """el => {
            const c = echarts.getInstanceByDom(el), o = c.getOption();
            const total = o.series.reduce((a, s) => a + (s.data[0] || 0), 0);
            return c.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [total / 2, 0]); }""")
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_url(re.compile(r"/statistics/units/3601\d\d$"))
        _charts_drawn(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{base}/statistics/units/3601/crosstab?row=education&col=gender")
        _charts_drawn(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert problems == [], problems
        page.close()
