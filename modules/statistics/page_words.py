"""The dashboards' own refusals (W490–W499, in web/errors.py's catalogue): what a page of
modules/statistics/pages.py asks of its query before the service answers (the service's refusals,
W475–W489, are in modules/statistics/words.py)."""

from __future__ import annotations

from web.errors import _e

W_NO_TABLE = _e("W490", 422, "请选择要导出的统计表", "Choose the statistics table to export",
                "在统计页面每张表下方点「导出 Excel」；地址中需要 table=<统计表>，可用的统计表：{allowed}",
                "Use 'Export to Excel' under a table on the dashboard; the address needs table=<table>, one of: {allowed}")
W_NO_AXES = _e("W491", 422, "请选择交叉表的行维度和列维度", "Choose the row and the column dimension of the cross table",
               "在「交叉表」页面选择行和列后点「生成」，再导出；可用的维度：{allowed}",
               "Choose the rows and the columns on the cross-table page, build it, then export; dimensions: {allowed}")
