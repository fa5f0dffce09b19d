"""Small sheets are read while 基本信息 is parsed (web/excel/reader.alongside_main), from a second
handle on the file; the import must come out as if every sheet were read in the workbook's order:
problems listed sheet by sheet, every record written (on PostgreSQL the write-ahead hands the
early sheet over once 基本信息 is read)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from engine import idnumber
from tests.excel.conftest import SCHOOL
from tests.excel.excel_helpers import files, fill
from web.excel.limits import Limits
from web.excel.reader import alongside_main
from web.excel.safety import check_file, shared_strings_bytes
from web.excel.service import import_workbook


def test_the_smallest_sheets_up_to_half_the_main_sheet_are_chosen() -> None:
    sizes = {"基本信息": 100, "学习经历": 80, "国内培训": 30, "联系方式": 10, "工作经历": 15}
    assert alongside_main(list(sizes), sizes) == ["联系方式", "工作经历"]  # 10 + 15; with 30 more, over 50
    assert alongside_main(["基本信息", "学习经历"], {"基本信息": 100, "学习经历": 51}) == []
    assert alongside_main(["基本信息"], {"基本信息": 100}) == []
    assert alongside_main(["基本信息", "国内培训"], {"国内培训": 1}) == []  # the main sheet's size unknown


def _teachers(n: int) -> list[dict[str, Any]]:
    return [{"姓名": f"教师{i:02d}", "性别": "男" if i % 2 else "女", "身份证件类型": "居民身份证",
             "身份证件号": idnumber.make("360102", "1985-03-12", i), "出生日期": "1985-03-12", "民族": "汉族",
             "参加工作年月": "2007-09", "进本校年月": "2010-09", "是否在编": "是"} for i in range(n)]


def _training(teacher: dict[str, Any], hours: Any = 72) -> dict[str, Any]:
    return {"姓名": teacher["姓名"], "身份证件号": teacher["身份证件号"], "培训类别": "省级", "培训年度": 2020,
            "培训项目名称": "国培计划", "培训获得学时": hours}


def _workbook(cat: Any, path: Path, basic: list[dict[str, Any]], training: list[dict[str, Any]]) -> Path:
    fill(cat, "primary", {"基本信息": basic, "国内培训": training}, path)
    sizes = check_file(path, Limits())
    titles = ["基本信息", "学习经历", "国内培训", "联系方式"]  # the sets' sheets, 基本信息 first (as read_file)
    # the file is such that 国内培训 is read alongside: otherwise this test would test nothing
    assert "国内培训" in alongside_main(titles, {s.name: s.xml_bytes for s in sizes})
    return path


def test_problems_are_listed_in_the_workbooks_order(cat: Any, sessions: Any, tmp_path: Path) -> None:
    basic = _teachers(40)
    basic[3]["民族"] = "火星族"
    training = [_training(t) for t in basic[:6]]
    training[4]["培训获得学时"] = "很多"
    path = _workbook(cat, tmp_path / "two_errors.xlsx", basic, training)
    result = import_workbook(sessions, cat, path, SCHOOL, limits=Limits()).result
    errors = [(p.sheet, p.row) for p in result.problems if p.severity == "error"]
    assert errors == [("基本信息", 5), ("国内培训", 6)]  # 国内培训 was read first
    assert not result.written and files(sessions) == {}


def test_a_sheet_read_alongside_is_written_in_full(cat: Any, sessions: Any, tmp_path: Path) -> None:
    basic = _teachers(40)
    training = [_training(t) for t in basic[:6]] + [_training(basic[0], hours=24)]
    path = _workbook(cat, tmp_path / "good.xlsx", basic, training)
    result = import_workbook(sessions, cat, path, SCHOOL, limits=Limits()).result
    assert result.written, [p.message_en for p in result.problems]
    assert (result.rows, result.imported, result.teachers_created) == (47, 47, 40)
    got = files(sessions)
    assert len(got) == 40
    assert [len(got[t["身份证件号"]]["sets"].get("training", [])) for t in basic[:8]] == [2, 1, 1, 1, 1, 1, 0, 0]
    first = got[basic[0]["身份证件号"]]["sets"]["training"]
    assert [d["hours"] for d in first] == [72, 24]  # in the order of the rows


def test_large_shared_strings_keep_to_one_handle(cat: Any, sessions: Any, tmp_path: Path) -> None:
    """A file saved by Excel (or openpyxl) keeps its texts in shared strings, which a second
    handle would parse again: past the prefetch limit nothing is read alongside, and the
    outcome, checked here, is the same."""
    basic = _teachers(40)
    basic[3]["民族"] = "火星族"
    training = [_training(t) for t in basic[:6]]
    training[4]["培训获得学时"] = "很多"
    path = _workbook(cat, tmp_path / "shared.xlsx", basic, training)
    assert shared_strings_bytes(path) == 0  # openpyxl writes texts into the cells
    with zipfile.ZipFile(path, "a") as zf:  # as Excel would: a table of texts (here one no cell uses)
        zf.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns='
                    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                    '<si><t>未用</t></si></sst>')
    assert shared_strings_bytes(path) > 0
    result = import_workbook(sessions, cat, path, SCHOOL, limits=Limits(prefetch_mb=0)).result
    assert [(p.sheet, p.row) for p in result.problems if p.severity == "error"] == [("基本信息", 5), ("国内培训", 6)]


def test_a_broken_sheet_read_alongside_refuses_the_file(cat: Any, sessions: Any, tmp_path: Path) -> None:
    basic = _teachers(40)
    good = _workbook(cat, tmp_path / "good.xlsx", basic, [_training(t) for t in basic[:6]])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            training_sheet = info.filename.startswith("xl/worksheets/") and "国培计划".encode() in data
            dst.writestr(info, b"<worksheet><sheetData><row" if training_sheet else data)
    result = import_workbook(sessions, cat, broken, SCHOOL, limits=Limits()).result
    assert [p.rule for p in result.problems] == ["V202"] and "国内培训" in result.problems[0].message_zh
    assert not result.written and files(sessions) == {}
