"""Issue 20, point 1, at the Excel import: an ID number typed with a lowercase x, full-width
digits or spaces is the teacher's one number, on every sheet (SQLite INSERT and PostgreSQL COPY)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.excel.conftest import SCHOOL
from tests.excel.excel_helpers import files, fill
from web.excel.limits import Limits
from web.excel.service import import_workbook

IDN = "36010219900706018X"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def test_an_id_number_however_typed_is_one_teacher(cat: Any, sessions: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    fill(cat, "primary", {
        "基本信息": [{"姓名": "孙小", "性别": "女", "身份证件类型": "居民身份证", "身份证件号": IDN[:-1] + "x",
                  "出生日期": "1990-07-06", "民族": "汉族", "参加工作年月": "2012-08", "进本校年月": "2012-08",
                  "是否在编": "是", "月工资": 4500}],
        "学习经历": [{"身份证件号": " " + IDN.translate(FULL_WIDTH) + " ", "学历": "专科毕业",
                  "获得学历的院校或机构": "南昌师范", "入学年月": "2009-09", "毕业年月": "2012-07"}],
    }, path)
    outcome = import_workbook(sessions, cat, path, SCHOOL, limits=Limits())
    assert outcome.result.written, [p.message_en for p in outcome.result.problems]
    got = files(sessions)
    assert list(got) == [IDN]
    assert got[IDN]["sets"]["basic"][0]["id_number"] == IDN
    assert len(got[IDN]["sets"]["education"]) == 1
