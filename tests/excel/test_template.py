"""The generated template, opened as a user's Excel would open it (openpyxl), and its column map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from engine.catalogue import check_repo, repo_root
from engine.emit.excel_template import (column_map, emit_excel_template, header_candidates, ordered_sets,
                                        sheet_columns, sheet_title)
from web.cli import app


def _open(cat: Any, school_type: str, tmp_path: Path) -> Any:
    path = tmp_path / f"{school_type}.xlsx"
    emit_excel_template(cat, school_type).save(path)
    return openpyxl.load_workbook(path)


def test_headers_star_required_and_show_formats(cat: Any, tmp_path: Path) -> None:
    wb = _open(cat, "primary", tmp_path)
    headers = [c.value for c in wb["基本信息"][1]]
    assert "出生日期(yyyy-MM-dd)*" in headers
    assert "参加工作年月(yyyy-MM)*" in headers
    assert "姓名*" in headers and "教职工号" in headers          # optional: no star
    assert "用人形式" in headers                                  # conditionally required: no star
    assert "教师卡号" in headers                                  # Jiangxi's own field
    assert [c.value for c in wb["学习经历"][1]][:2] == ["姓名", "身份证件号*"]  # link columns


def test_family_variants_and_provinces(catalogues: Any, tmp_path: Path) -> None:
    kg = [c.value for c in _open(catalogues["36"], "kindergarten", tmp_path)["基本信息"][1]]
    assert "进本园年月(yyyy-MM)*" in kg and "进本校年月(yyyy-MM)*" not in kg
    gs = [c.value for c in _open(catalogues["62"], "primary", tmp_path)["基本信息"][1]]
    assert "教师卡号" not in gs


def test_dropdowns_on_every_code_column_from_the_hidden_sheet(cat: Any, tmp_path: Path) -> None:
    wb = _open(cat, "primary", tmp_path)
    codes = wb["_codes"]
    assert codes.sheet_state == "hidden"
    for title in ("基本信息", "学习经历", "国内培训"):
        ws = wb[title]
        view = cat.view({"基本信息": "basic", "学习经历": "education", "国内培训": "training"}[title], "primary")
        validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
        for i, (key, f) in enumerate(sheet_columns(view), start=1):
            letter = openpyxl.utils.get_column_letter(i)
            if f is None or f.spec.type != "code":
                continue
            dv = validations.get(f"{letter}2")
            assert dv is not None and dv.type == "list", f"{title}!{letter} ({key}) has no dropdown"
            ref = dv.formula1.split("!")[1].replace("$", "")
            listed = [c.value for row in codes[ref] for c in row]
            assert listed == [f.codes.label(c) for c in f.codes.options()]
    # the long list (56 ethnic groups) is there in full, beyond the 255 characters of an inline list
    ethnic = next(dv for dv in wb["基本信息"].data_validations.dataValidation if str(dv.sqref).startswith("H2"))
    ref = ethnic.formula1.split("!")[1].replace("$", "")
    assert len([c for row in codes[ref] for c in row]) >= 56
    # 研究生教育 is a category of a tree whose categories are not selectable: not offered
    labels = [c.value for row in codes.iter_rows() for c in row]
    assert "研究生教育" not in labels and "博士研究生毕业" in labels


def test_help_as_comments_text_columns_as_text(cat: Any, tmp_path: Path) -> None:
    ws = _open(cat, "primary", tmp_path)["基本信息"]
    assert "18位居民身份证号码" in ws["F1"].comment.text
    assert "yyyy-MM-dd" in ws["G1"].comment.text
    assert ws.column_dimensions["F"].number_format == "@"  # an ID number never becomes 3.6E+17


def test_a_conditional_column_says_when_it_is_filled(cat: Any, tmp_path: Path) -> None:
    ws = _open(cat, "primary", tmp_path)["基本信息"]
    header = next(c for c in ws[1] if str(c.value).startswith("用人形式"))
    assert not str(header.value).endswith("*")  # not always required: no star
    assert "「是否在编」为「否」时必填，否则不填" in header.comment.text
    assert "Required when 是否在编 (On the establishment) is 否" in header.comment.text


def test_instructions_and_metadata(cat: Any, tmp_path: Path) -> None:
    wb = _open(cat, "kindergarten", tmp_path)
    assert wb.sheetnames[0] == "填写说明"
    text = "\n".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "带 * 的列为必填项" in text and "Columns marked * are required" in text
    meta = wb["_tmis"]
    assert meta.sheet_state == "veryHidden"
    values = {r[0].value: r[1].value for r in meta.iter_rows()}
    assert values["province"] == "36" and values["family"] == "kindergarten"
    assert values["school_type"] == "kindergarten" and values["catalogue_version"] == cat.version
    assert values["sheet:基本信息"] == "basic"


@pytest.mark.parametrize("written", [
    "出生日期(yyyy-MM-dd)*", "出生日期", "出生日期\n(yyyy-MM-dd) *", " 出生 日期 ", "出生日期（yyyy-MM-dd）＊",
    "Date of birth", "birth_date",
])
def test_column_map_is_tolerant(cat: Any, written: str) -> None:
    assert column_map(cat.view("basic", "primary")).key_of(written) == "birth_date"


def test_header_candidates_keep_labels_that_end_in_brackets() -> None:
    assert header_candidates("海外研修(访学)*") == ["海外研修(访学)", "海外研修"]


def test_every_real_province_and_family_builds_and_maps_back(tmp_path: Path) -> None:
    """The real catalogues (whatever sets they hold today): every header maps to its own key."""
    cats, problems = check_repo(repo_root())
    assert [str(p) for p in problems] == []
    for code, c in cats.items():
        for family in c.families:
            wb = emit_excel_template(c, family)
            for key in ordered_sets(c, family):
                view = c.view(key, family)
                cmap = column_map(view)
                ws = wb[sheet_title(view)]
                for cell, (want, _) in zip(ws[1], sheet_columns(view)):
                    assert cmap.key_of(cell.value) == want, (code, family, key, cell.value)


def test_cli_writes_the_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "t.xlsx"
    root = Path(__file__).parent / "repo"
    res = CliRunner().invoke(app, ["template", "--province", "36", "--school-type", "kindergarten", "-o", str(out),
                                   "--root", str(root)])
    assert res.exit_code == 0, res.output
    assert "进本园年月(yyyy-MM)*" in [c.value for c in openpyxl.load_workbook(out)["基本信息"][1]]
    bad = CliRunner().invoke(app, ["template", "-p", "36", "-t", "kindergarden", "-o", str(out), "--root", str(root)])
    assert bad.exit_code == 2 and "kindergarten" in bad.output
