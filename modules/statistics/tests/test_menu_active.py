"""The shell's menu marks the statistics page the reader is on, and only that one: 统计概览's
/statistics/ is a prefix of every statistics page, so 交叉表 showed two entries marked, and 趋势 and
分析报告 (which lead to /statistics/units/<code>/trends and …/report) showed 统计概览 marked instead
of themselves."""

from __future__ import annotations

import re

import pytest

from modules.statistics.tests.pagetools import clients

ACTIVE = re.compile(r'<a id="nav-([\w.]+)" href="[^"]+" class="active"')


@pytest.fixture(scope="module")
def as_(demo):
    return clients(demo)


@pytest.mark.parametrize("page, key", [("/statistics/", "stats_dashboard"), ("/statistics/crosstab", "stats_crosstab"),
                                       ("/statistics/trends", "stats_trends"), ("/statistics/report", "stats_report"),
                                       ("/statistics/units/3601/trends", "stats_trends")])
def test_the_menu_marks_the_one_page_you_are_on(as_, page, key):
    r = as_("province-viewer").get(page)
    assert r.status_code == 200, r.text
    menu = r.text.split('id="shell-menu"')[1].split("</nav>")[0]
    assert ACTIVE.findall(menu) == [key]
