"""The shell in a real browser on a phone-sized screen (390 px): each role signs in through its
login page and its menu holds exactly the entries it may open (tests/web/test_shell.py checks each
entry's page answers), grouped under the shell's sections, without sideways scrolling; a menu
link leads to its page."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD
from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser

CASES = {"transfers", "rotations", "status_changes", "recheck", "spot_checks", "registration"}  # 教师调动, 交流轮岗, 在职变动, 需核实, 随机抽查, 定期注册: data roles
CREDITS = {"credits.bank", "credits.projects.confirm", "credits.claims"}  # 学分银行 (teacher.read), 培训成绩确认, 自主研修审核 (record.review)
STATS = {"stats_dashboard", "stats_crosstab", "stats_trends", "stats_report"}  # 统计分析 › 统计概览, 交叉表, 趋势, 分析报告: stats.read
EXPECTED = {
    "info_manager@3601020001": ({"teachers", "review_submit", "review_queue", "review_progress", "excel_import",
                                 "excel_export", "status_change", *CASES, *STATS, *CREDITS},
                                ["教师信息管理", "审核", "数据导入导出", "业务管理", "统计分析"]),
    "info_viewer@3601020001": ({"teachers", "review_progress", *CASES, *STATS, "credits.bank"},
                               ["教师信息管理", "审核", "业务管理", "统计分析"]),
    "info_reviewer@360102": ({"teachers", "review_queue", "review_progress", "excel_export", *CASES, *STATS,
                              *CREDITS, "credits.carry_over"},  # 结转学分: an authority's reviewer
                             ["教师信息管理", "审核", "数据导入导出", "业务管理", "统计分析"]),
    "system_admin@36": ({"accounts", "units", "audit", "credits.institutions"}, ["系统管理"]),  # 培训机构账号
    "teacher": ({"my_file", "credits.mine", "registration.mine"}, ["首页", "教师信息管理"]),  # 我的学分, 我的注册 under 首页
}


@pytest.fixture(scope="module")
def phone():
    from tests.web.conftest import require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_each_role_sees_exactly_its_menu_on_a_phone(app, world, phone):
    teacher = world.teacher_usernames[world.teachers["3601020001"][0]]
    with serve(app) as base:
        for who, (keys, sections) in EXPECTED.items():
            page = phone.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(15_000)
            entry = "teacher" if who == "teacher" else "admin"
            page.goto(f"{base}/{entry}/login")
            page.fill("#username", teacher if who == "teacher" else who)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_selector("#shell-menu")
            shown = {i.removeprefix("nav-") for i in page.eval_on_selector_all(
                "#shell-menu a", "els => els.map(e => e.id)")}
            assert shown == keys, who
            heads = page.eval_on_selector_all("#shell-menu .shellhead", "els => els.map(e => e.textContent)")
            assert heads == sections, who
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, who
            first = sorted(keys)[0]
            href = page.get_attribute(f"[id=\"nav-{first}\"]", "href")
            page.click(f"[id=\"nav-{first}\"]")
            page.wait_for_load_state()
            assert page.url.split("#")[0].rstrip("/").endswith(href.split("#")[0].rstrip("/")) or who == "teacher", who
            page.close()
