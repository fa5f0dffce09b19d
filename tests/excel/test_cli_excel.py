"""``tmis template``, ``tmis import`` and ``tmis export`` refuse user mistakes with a clear message in
Chinese and English (exit 2, no traceback, nothing done) and list import problems readably."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.excel.conftest import REPO, SCHOOL
from tests.excel.excel_helpers import files, fill
from web.db.models import AuditEntry
from web.excel.limits import BadLimit, Limits

ZHANG = {"姓名": "张三", "性别": "男", "身份证件类型": "居民身份证", "身份证件号": "36010219850312001X",
         "出生日期": "1985-03-12", "民族": "汉族", "参加工作年月": "2007-09", "进本校年月": "2010-09", "是否在编": "是"}

Invoke = Callable[..., Any]


@pytest.fixture()
def tmis(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run ``tmis <args>`` against the test database and the fixture catalogue (province 36)."""
    from web.cli import app

    monkeypatch.setenv("TMIS_DATABASE_URL", db_url)
    monkeypatch.setenv("TMIS_PROVINCE", "36")
    monkeypatch.setenv("TMIS_REPO_ROOT", str(REPO))

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(app, list(args))
    return invoke


def _refused(res: Any) -> str:
    """The output of a command that refused with a message in both languages and no traceback."""
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "错误：" in res.output and "Error: " in res.output
    return str(res.output)


def _audited(sessions: Any) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# ------------------------------------------------------------------ 1. output folders


def test_output_in_a_missing_folder_is_refused_before_any_work(sessions: Any, cat: Any, tmis: Invoke,
                                                               tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    out = _refused(tmis("template", "-p", "36", "-o", str(missing / "x.xlsx")))
    assert f"文件夹 {missing} 不存在" in out and f"mkdir -p {missing}" in out and "choose another path" in out

    good = fill(cat, "primary", {"基本信息": [ZHANG]}, tmp_path / "good.xlsx")
    out = _refused(tmis("import", str(good), "--unit", SCHOOL, "--report", str(missing / "r.xlsx")))
    assert "--report" in out and str(missing) in out
    # refused before the import: nobody written, not even an audit entry of a refused import
    assert files(sessions) == {} and _audited(sessions) == 0

    out = _refused(tmis("export", "--unit", SCHOOL, "-o", str(missing / "x.xlsx")))
    assert str(missing) in out and _audited(sessions) == 0
    assert not missing.exists()


def test_output_that_is_a_folder_or_under_a_file_is_refused(tmis: Invoke, tmp_path: Path) -> None:
    out = _refused(tmis("template", "-p", "36", "-o", str(tmp_path)))
    assert "是一个文件夹" in out and "add a file name" in out
    plain = tmp_path / "notes.txt"
    plain.write_text("x")
    out = _refused(tmis("export", "--unit", SCHOOL, "-o", str(plain / "x.xlsx")))
    assert f"{plain} 不是文件夹" in out and f"{plain} is not a folder" in out


def test_output_without_the_xlsx_ending_and_an_unknown_language_are_refused(sessions: Any, cat: Any, tmis: Invoke,
                                                                              tmp_path: Path) -> None:
    out = _refused(tmis("export", "--unit", SCHOOL, "-o", str(tmp_path / "c")))
    assert f"例如 {tmp_path / 'c.xlsx'}" in out and "must end in .xlsx" in out and not (tmp_path / "c").exists()
    good = fill(cat, "primary", {"基本信息": [ZHANG]}, tmp_path / "good.xlsx")
    out = _refused(tmis("import", str(good), "--unit", SCHOOL, "--lang", "fr"))
    assert "--lang must be zh or en" in out and files(sessions) == {}


def test_output_in_a_read_only_folder_is_refused(tmis: Invoke, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root may write anywhere: deny it as a user is denied
        real = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != locked and real(path, mode, **kw))
    try:
        out = _refused(tmis("template", "-p", "36", "-o", str(locked / "x.xlsx")))
        assert "无法写入" in out and "cannot be written" in out and str(locked) in out
        assert not (locked / "x.xlsx").exists()
    finally:
        locked.chmod(0o755)


# ------------------------------------------------------------------ 2. TMIS_IMPORT_* settings


def test_a_bad_import_limit_names_the_variable_and_what_it_should_be(sessions: Any, cat: Any, tmis: Invoke,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMIS_IMPORT_MAX_ROWS", "abc")
    good = fill(cat, "primary", {"基本信息": [ZHANG]}, tmp_path / "good.xlsx")
    out = _refused(tmis("import", str(good), "--unit", SCHOOL))
    assert "TMIS_IMPORT_MAX_ROWS 的值「abc」无效" in out and "不小于 0 的整数" in out
    assert "TMIS_IMPORT_MAX_ROWS has the invalid value 'abc'" in out and "whole number ≥ 0" in out
    assert files(sessions) == {} and _audited(sessions) == 0


@pytest.mark.parametrize("name, value", [("TMIS_IMPORT_MAX_MB", "-1"), ("TMIS_IMPORT_KEEP_DAYS", "1.5"),
                                         ("TMIS_IMPORT_MAX_ERRORS", "many")])
def test_every_import_limit_is_checked(name: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from web.excel import web

    monkeypatch.setenv(name, value)
    with pytest.raises(BadLimit) as err:
        Limits.from_env()
    assert name in err.value.zh and f"「{value}」" in err.value.zh and name in err.value.en
    # what the web calls when it starts (the upload size limit) fails with the same message
    with pytest.raises(ValueError, match=name):
        web.max_body()


def test_good_import_limits_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMIS_IMPORT_MAX_ROWS", " 12 ")
    monkeypatch.setenv("TMIS_IMPORT_MAX_MB", "0")
    monkeypatch.setenv("TMIS_IMPORT_KEEP_DAYS", "")
    limits = Limits.from_env()
    assert (limits.max_rows, limits.max_file_mb, limits.keep_days) == (12, 0, Limits.keep_days)


# ------------------------------------------------------------------ 3. --sets


def test_unknown_sets_are_refused_with_the_known_ones(sessions: Any, tmis: Invoke, tmp_path: Path) -> None:
    out = _refused(tmis("template", "-p", "36", "--sets", "basic,bogus", "-o", str(tmp_path / "t.xlsx")))
    assert "没有信息集「bogus」" in out and "no set 'bogus'" in out
    assert "basic（基本信息）、education（学习经历）" in out and "Known sets: basic (Basic information)" in out
    assert not (tmp_path / "t.xlsx").exists()

    out = _refused(tmis("template", "-p", "36", "--sets", "educaton", "-o", str(tmp_path / "t.xlsx")))
    assert "是否想写「education」" in out and "did you mean 'education'" in out

    out = _refused(tmis("export", "--unit", SCHOOL, "--sets", "bogus", "-o", str(tmp_path / "x.xlsx")))
    assert "没有信息集「bogus」" in out and "education" in out
    assert not (tmp_path / "x.xlsx").exists() and _audited(sessions) == 0

    ok = tmis("template", "-p", "36", "--sets", "basic, education", "-o", str(tmp_path / "t.xlsx"))
    assert ok.exit_code == 0, ok.output
    sheets = openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames
    assert {"基本信息", "学习经历"} <= set(sheets) and "国内培训" not in sheets


# ------------------------------------------------------------------ 4. unknown province


def test_an_unknown_province_is_named_with_the_known_ones(tmis: Invoke, tmp_path: Path) -> None:
    out = _refused(tmis("template", "-p", "99", "-o", str(tmp_path / "t.xlsx")))
    assert "没有省份「99」" in out and "已有的省份：36、62" in out
    assert "no province '99'" in out and "Known provinces: 36, 62" in out
    assert "tmis check" not in out and not (tmp_path / "t.xlsx").exists()


# ------------------------------------------------------------------ 5. import problems as text


def test_import_lists_each_problem_where_it_is_with_its_fix(sessions: Any, cat: Any, tmis: Invoke,
                                                           tmp_path: Path) -> None:
    bad = fill(cat, "primary", {"基本信息": [{**ZHANG, "民族": "火星族"}]}, tmp_path / "bad.xlsx")
    res = tmis("import", str(bad), "--unit", SCHOOL)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    i = lines.index("工作表「基本信息」,第【2】行,第【H】列（民族*）: V007 「民族」的值「火星族」不在代码表中")
    assert lines[i + 1] == "  → 请从下拉列表中选择。"
    res = tmis("import", str(bad), "--unit", SCHOOL, "--lang", "en")
    lines = res.stdout.splitlines()
    i = lines.index("sheet '基本信息', row 2, column H (民族*): V007 Ethnic group: '火星族' is not in the code list")
    assert lines[i + 1] == "  → Choose from the list."

    csv = tmp_path / "教师.xlsx"
    csv.write_text("姓名,身份证件号\n张三,36010219850312001X\n", encoding="utf-8")
    for lang, fix in (("zh", "  → 请下载导入模板"), ("en", "  → Download the template")):
        res = tmis("import", str(csv), "--unit", SCHOOL, "--lang", lang)
        assert res.exit_code == 1
        lines = res.stdout.splitlines()
        # a problem of the whole file has no sheet or row: no stray "：" or "row -" in front
        assert lines[0].startswith("V201 ") and "教师.xlsx" in lines[0], lines
        assert lines[1].startswith(fix), lines
