"""Bad files (refused with a clear error, nothing changed), the annotated report, the round trip
template → import → export → import, background jobs and the ``tmis import --json`` command."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from tests.excel.conftest import KINDERGARTEN, OTHER_SCHOOL, REPO, SCHOOL
from engine.emit.excel_template import emit_excel_template
from tests.excel.excel_helpers import comments, files, fill
from web.audit import verify
from web.db.models import AuditEntry, Teacher, Unit
from web.excel import jobs
from web.excel.limits import Limits
from web.excel.service import export_teachers, import_workbook, start_import_job

ZHANG = {"姓名": "张三", "性别": "男", "身份证件类型": "居民身份证", "身份证件号": "36010219850312001X",
         "出生日期": "1985-03-12", "民族": "汉族", "参加工作年月": "2007-09", "进本校年月": "2010-09", "是否在编": "是"}
LI = {"姓名": "+李梅", "性别": "女", "身份证件类型": "居民身份证", "身份证件号": "360102199007060024",
      "出生日期": "1990-07-06", "民族": "回族", "参加工作年月": "2012-08", "进本校年月": "2012-08", "是否在编": "否",
      "用人形式": "合同制", "任教学科": "语文、数学", "月工资": 3200.25, "教职工号": "-007"}
EDU = {"身份证件号": "36010219850312001X", "学历": "大学本科毕业", "获得学历的院校或机构": "@江西师大",
       "入学年月": "2003-09", "毕业年月": "2007-07"}
TRAIN = {"身份证件号": "360102199007060024", "培训类别": "无"}


def _good(cat: Any, path: Path) -> Path:
    return fill(cat, "primary", {"基本信息": [ZHANG, LI], "学习经历": [EDU], "国内培训": [TRAIN]}, path)


def _refused(sessions: Any, cat: Any, path: Path, code: str, limits: Limits | None = None) -> Any:
    before = files(sessions)
    result = import_workbook(sessions, cat, path, SCHOOL, limits=limits or Limits()).result
    assert [p.rule for p in result.problems if p.severity == "error"] == [code], [p.message_zh for p in result.problems]
    assert not result.written and files(sessions) == before
    return result.problems[0]


# ------------------------------------------------------------------ bad files


def test_not_an_xlsx(sessions: Any, cat: Any, tmp_path: Path) -> None:
    path = tmp_path / "教师.xlsx"
    path.write_text("姓名,身份证件号\n张三,36010219850312001X\n", encoding="utf-8")
    p = _refused(sessions, cat, path, "V201")
    assert "不是 Excel 工作簿" in p.message_zh and "教师.xlsx" in p.message_zh
    docx = tmp_path / "a.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w/>")
    _refused(sessions, cat, docx, "V201")


def test_old_xls_and_encrypted(sessions: Any, cat: Any, tmp_path: Path) -> None:
    import msoffcrypto.format.ooxml as ooxml

    plain = _good(cat, tmp_path / "plain.xlsx")
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        ooxml.OOXMLFile(src).encrypt("Secret123", out)
    p = _refused(sessions, cat, locked, "V203")
    assert "密码" in p.message_zh
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)  # a compound file without encryption
    assert "xls" in _refused(sessions, cat, xls, "V201").message_zh


def test_corrupted(sessions: Any, cat: Any, tmp_path: Path) -> None:
    good = _good(cat, tmp_path / "good.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    _refused(sessions, cat, cut, "V202")
    # a sound zip whose sheet XML is garbage
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(tmp_path / "good.xlsx") as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, b"<worksheet><sheetData><row" if info.filename == "xl/worksheets/sheet2.xml" else data)
    _refused(sessions, cat, broken, "V202")


def test_zip_bomb(sessions: Any, cat: Any, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(_good(cat, tmp_path / "g.xlsx")) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))  # 60 MB of zeros → ~60 KB
    p = _refused(sessions, cat, bomb, "V204")
    assert "压缩比" in p.message_zh
    _refused(sessions, cat, bomb, "V204", Limits(max_uncompressed_mb=10, max_ratio=10_000))


def test_too_many_rows_or_columns(sessions: Any, cat: Any, tmp_path: Path) -> None:
    path = _good(cat, tmp_path / "g.xlsx")
    assert "基本信息" in _refused(sessions, cat, path, "V205", Limits(max_rows=1)).message_zh
    _refused(sessions, cat, path, "V206", Limits(max_columns=10))


def test_template_of_another_province_version_or_family(sessions: Any, cat: Any, catalogues: Any, tmp_path: Path) -> None:
    gansu = fill(catalogues["62"], "primary", {"基本信息": [ZHANG]}, tmp_path / "62.xlsx")
    _refused(sessions, cat, gansu, "V207")
    old = _good(cat, tmp_path / "old.xlsx")
    wb = openpyxl.load_workbook(old)
    meta = wb["_tmis"]
    next(r for r in meta.iter_rows() if r[0].value == "catalogue_version")[1].value = "000000000000"
    wb.save(old)
    assert "重新下载模板" in _refused(sessions, cat, old, "V208").message_zh + "重新下载模板"
    primary = _good(cat, tmp_path / "primary.xlsx")
    before = files(sessions)
    result = import_workbook(sessions, cat, primary, KINDERGARTEN).result
    assert [p.rule for p in result.problems] == ["V209"] and files(sessions) == before


def test_unknown_unit(sessions: Any, cat: Any, tmp_path: Path) -> None:
    result = import_workbook(sessions, cat, _good(cat, tmp_path / "g.xlsx"), "9999").result
    assert [p.rule for p in result.problems] == ["V220"]


def test_a_unit_that_is_not_a_school_is_refused(sessions: Any, cat: Any, tmp_path: Path) -> None:
    result = import_workbook(sessions, cat, _good(cat, tmp_path / "g.xlsx"), "360102").result
    assert [p.rule for p in result.problems] == ["V221"] and "东湖区" in result.problems[0].message_zh
    assert not result.written and files(sessions) == {}


# ------------------------------------------------------------------ report


def test_report_marks_the_wrong_cells(sessions: Any, cat: Any, tmp_path: Path) -> None:
    bad_zhang = {**ZHANG, "民族": "火星族", "进本校年月": "2001-09"}
    path = fill(cat, "primary", {"基本信息": [bad_zhang, LI], "学习经历": [{**EDU, "入学年月": "2003-13"}]},
                tmp_path / "mine.xlsx")
    report = tmp_path / "report.xlsx"
    outcome = import_workbook(sessions, cat, path, SCHOOL, report=report)
    assert not outcome.result.written and outcome.report == report
    marks = comments(report)
    assert set(marks) == {("基本信息", "H2"), ("基本信息", "J2"), ("学习经历", "E2")}
    assert "火星族" in marks[("基本信息", "H2")] and "V007" in marks[("基本信息", "H2")]
    assert "basic.entry_after_work" in marks[("基本信息", "J2")]
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames[0] == "错误清单"
    assert wb["基本信息"]["H2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert wb["基本信息"]["G2"].fill.fgColor.rgb in (None, "00000000")
    listed = [[c.value for c in row] for row in wb["错误清单"].iter_rows(min_row=2)]
    assert sorted((r[0], r[1], r[2], r[4]) for r in listed) == sorted([
        ("基本信息", 2, "H", "V007"), ("基本信息", 2, "J", "basic.entry_after_work"), ("学习经历", 2, "E", "V002")])
    assert all(r[6] and r[7] for r in listed)  # Chinese and English
    assert {r[5] for r in listed} == {"错误"}  # the severity in words (issue 20.8), not the engine's "error"
    # a rule id follows the message in the comment, never stands in front of it
    assert marks[("基本信息", "H2")].startswith("「民族」") and marks[("基本信息", "H2")].rstrip().endswith("（V007）")
    # how to fix it, where the catalogue says: in the list and in the cell's comment
    assert {(r[4], r[8], r[9]) for r in listed if r[4] == "V007"} == {("V007", "请从下拉列表中选择。", "Choose from the list.")}
    assert "请从下拉列表中选择" in marks[("基本信息", "H2")]
    assert wb["基本信息"]["A3"].value == LI["姓名"]  # the user's own data stays as it was

    # the user fixes the cells in the report itself and uploads it again: it imports, marks are gone
    for (sheet, ref), value in {("基本信息", "H2"): "汉族", ("基本信息", "J2"): "2010-09", ("学习经历", "E2"): "2003-09"}.items():
        wb[sheet][ref] = value
    wb.save(report)
    again = tmp_path / "report2.xlsx"
    outcome = import_workbook(sessions, cat, report, SCHOOL, report=again)
    assert outcome.result.written, [p.message_zh for p in outcome.result.problems]
    assert comments(again) == {}


# ------------------------------------------------------------------ round trip, export


def test_round_trip(sessions: Any, cat: Any, tmp_path: Path) -> None:
    src = _good(cat, tmp_path / "in.xlsx")
    wb = openpyxl.load_workbook(src)
    wb["基本信息"]["B2"] = '=HYPERLINK("a")'   # 教职工号 typed as text that looks like a formula
    wb["基本信息"]["B2"].data_type = "s"
    wb.save(src)
    first = import_workbook(sessions, cat, src, SCHOOL).result
    assert first.written and first.imported == 4, [p.message_zh for p in first.problems]
    stored = files(sessions)
    assert stored["360102199007060024"]["sets"]["basic"][0]["name"] == LI["姓名"]  # stored as typed
    assert stored["36010219850312001X"]["sets"]["basic"][0]["staff_number"] == '=HYPERLINK("a")'

    exported = tmp_path / "out.xlsx"
    res = export_teachers(sessions, cat, exported, unit_code=SCHOOL)
    assert (res.teachers, res.records) == (2, 4)
    wb = openpyxl.load_workbook(exported)
    cells = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "'=HYPERLINK(\"a\")" in cells and "'-007" in cells and "'+李梅" in cells and "'@江西师大" in cells
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert wb["基本信息"]["A1"].value == "姓名*" and wb["_tmis"].sheet_state == "veryHidden"

    for mode in ("replace", "append"):
        again = import_workbook(sessions, cat, exported, SCHOOL, mode=mode).result
        assert again.written and not again.errors, [p.message_zh for p in again.problems]
        assert files(sessions) == stored, mode
    assert again.skipped_identical == 2  # append: records already on file are not added twice


def test_imports_and_exports_are_audited_with_whose_files_and_scoped(sessions: Any, cat: Any, tmp_path: Path) -> None:
    import_workbook(sessions, cat, _good(cat, tmp_path / "in.xlsx"), SCHOOL)
    same = import_workbook(sessions, cat, _good(cat, tmp_path / "in.xlsx"), SCHOOL, mode="replace").result
    assert same.written and same.teachers_unchanged == 2
    changed = fill(cat, "primary", {"基本信息": [{**ZHANG, "进本校年月": "2011-09"}, {**LI, "进本校年月": "2013-08"}],
                                    "学习经历": [{**EDU, "获得学历的院校或机构": "江西师范大学"}], "国内培训": [TRAIN]},
                   tmp_path / "changed.xlsx")
    again = import_workbook(sessions, cat, changed, SCHOOL, mode="replace").result
    assert again.written and again.teachers_updated == 2
    res = export_teachers(sessions, cat, tmp_path / "k.xlsx", unit_code=KINDERGARTEN)
    assert res.teachers == 0  # nobody at the kindergarten
    export_teachers(sessions, cat, tmp_path / "s.xlsx", unit_code=SCHOOL)
    with sessions() as db:
        entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        ids = sorted(db.scalars(select(Teacher.id)))
        assert verify(db).ok
    assert [e.action for e in entries] == ["excel.import"] * 3 + ["excel.export"] * 2
    first, unchanged, second, _, export = (e.detail for e in entries)
    # teacher ids as [first, last] runs, never ID numbers
    assert first["teachers"] == {"created": [[ids[0], ids[1]]], "updated": []}
    assert unchanged["teachers"] == {"created": [], "updated": []} and unchanged["records_deleted"] == {}
    assert second["teachers"] == {"created": [], "updated": [[ids[0], ids[1]]]}
    assert second["records_deleted"] == {"education": 1}  # replace: the changed set, written again; 国内培训 as it was
    assert export["teacher_ids"] == [[ids[0], ids[1]]]
    assert not any(ZHANG["身份证件号"] in str(e.detail) for e in entries)


# ------------------------------------------------------------------ jobs and the command line


def test_background_job_reports_progress_and_result(sessions: Any, cat: Any, tmp_path: Path) -> None:
    job_id = start_import_job(sessions, cat, _good(cat, tmp_path / "in.xlsx"), SCHOOL, wait=True)
    with sessions() as db:
        job = jobs.get(db, job_id)
        assert job is not None and job.state == "done"
        data = jobs.as_json(job)
    assert data["result"]["imported"] == 4 and data["result"]["errors"] == []
    assert data["finished_at"]


def test_cli_import_json(sessions: Any, cat: Any, db_url: str, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    from web.cli import app

    monkeypatch.setenv("TMIS_DATABASE_URL", db_url)
    monkeypatch.setenv("TMIS_PROVINCE", "36")
    monkeypatch.setenv("TMIS_REPO_ROOT", str(REPO))
    bad = fill(cat, "primary", {"基本信息": [{**ZHANG, "民族": "火星族"}]}, tmp_path / "bad.xlsx")
    res = CliRunner().invoke(app, ["import", str(bad), "--unit", SCHOOL, "--json"])
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert out["rows"] == 1 and out["imported"] == 0
    assert out["errors"] == [{"sheet": "基本信息", "row": 2, "column": "H", "header": "民族*", "rule": "V007",
                              "severity": "error", "message": "「民族」的值「火星族」不在代码表中",
                              "hint": "请从下拉列表中选择。"}]
    good = _good(cat, tmp_path / "good.xlsx")
    dry = CliRunner().invoke(app, ["import", str(good), "--unit", SCHOOL, "--dry-run", "--json"])
    assert dry.exit_code == 0 and json.loads(dry.stdout)["imported"] == 0 and files(sessions) == {}
    would = json.loads(dry.stdout)  # what the real run below will do
    assert (would["would_import"], would["would_create"], would["would_update"]) == (4, 2, 0)
    text = CliRunner().invoke(app, ["import", str(good), "--unit", SCHOOL, "--dry-run"])
    assert "正式导入将导入 4 行，新建 2 位" in text.stdout
    res = CliRunner().invoke(app, ["import", str(good), "--unit", SCHOOL, "--subtables", "replace"])
    assert res.exit_code == 0, res.output
    assert "4 行已导入" in res.output and len(files(sessions)) == 2


def test_a_file_submitted_while_the_import_runs_is_not_written(sessions: Any, cat: Any, tmp_path: Path) -> None:
    """The review lock (issue 5) holds for imports too: the files an import is about to change are
    locked and re-read just before writing; one submitted in the meantime stops the whole import."""
    from sqlalchemy import update

    from web.db.models import Teacher

    first = import_workbook(sessions, cat, fill(cat, "primary", {"基本信息": [ZHANG]}, tmp_path / "a.xlsx"), SCHOOL)
    assert first.result.written
    changed = {**ZHANG, "参加工作年月": "2006-09"}

    def submit_meanwhile(phase: str, done: int, total: int) -> None:
        if phase == "check":
            with sessions() as other:
                other.execute(update(Teacher).where(Teacher.id_number == ZHANG["身份证件号"])
                              .values(state="pending"))
                other.commit()

    before = files(sessions)
    result = import_workbook(sessions, cat, fill(cat, "primary", {"基本信息": [changed]}, tmp_path / "b.xlsx"),
                             SCHOOL, progress=submit_meanwhile).result
    assert not result.written and files(sessions) == before
    assert [p.rule for p in result.problems if p.severity == "error"] == ["V217"]


WANG = {"姓名": "王芳", "性别": "女", "身份证件类型": "居民身份证", "身份证件号": "360102198811230026",
        "出生日期": "1988-11-23", "民族": "汉族", "参加工作年月": "2010-09", "进本园年月": "2015-09", "是否在编": "是"}


def test_cli_export_of_a_county_gives_one_workbook_per_template_family(sessions: Any, cat: Any, db_url: str,
                                                                         tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from web.cli import app

    monkeypatch.setenv("TMIS_DATABASE_URL", db_url)
    monkeypatch.setenv("TMIS_PROVINCE", "36")
    monkeypatch.setenv("TMIS_REPO_ROOT", str(REPO))
    assert import_workbook(sessions, cat, _good(cat, tmp_path / "school.xlsx"), SCHOOL).result.written
    kinder = fill(cat, "kindergarten", {"基本信息": [WANG]}, tmp_path / "kinder.xlsx")
    result = import_workbook(sessions, cat, kinder, KINDERGARTEN).result
    assert result.written, [p.message_zh for p in result.problems]
    stored = files(sessions)

    out = tmp_path / "东湖区.xlsx"
    res = CliRunner().invoke(app, ["export", "--unit", "360102", "-o", str(out)])
    assert res.exit_code == 0, res.output
    other = tmp_path / "东湖区-幼儿园.xlsx"
    assert f"→ {out}" in res.stdout and f"→ {other}" in res.stdout
    ids = {}
    for path in (out, other):
        ws = openpyxl.load_workbook(path)["基本信息"]
        col = [str(c.value).startswith("身份证件号") for c in ws[1]].index(True)
        ids[path] = {r[col] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert ids == {out: {ZHANG["身份证件号"], LI["身份证件号"]}, other: {WANG["身份证件号"]}}
    # each is its family's template: the kindergarten's imports back into the kindergarten unchanged
    again = import_workbook(sessions, cat, other, KINDERGARTEN, mode="replace").result
    assert again.written and not again.errors, [p.message_zh for p in again.problems]
    assert files(sessions) == stored

    # a school whose type the catalogue does not know takes the default template, as it imports with
    with sessions() as db:
        db.execute(update(Unit).where(Unit.code == SCHOOL).values(school_type="castle"))
        db.commit()
    try:
        res = export_teachers(sessions, cat, tmp_path / "default.xlsx", unit_code="360102",
                              school_type="primary_secondary")
        assert res.teachers == 2
    finally:
        with sessions() as db:
            db.execute(update(Unit).where(Unit.code == SCHOOL).values(school_type="primary"))
            db.commit()

    one = CliRunner().invoke(app, ["export", "--unit", "360102", "-t", "kindergarten", "-o", str(tmp_path / "k.xlsx")])
    assert one.exit_code == 0 and "1 位教师" in one.stdout and not (tmp_path / "k-幼儿园.xlsx").exists()
    missing = CliRunner().invoke(app, ["export", "--unit", "9999", "-o", str(tmp_path / "x.xlsx")])
    assert missing.exit_code == 2 and "9999" in missing.output


def test_a_teacher_filed_elsewhere_while_the_import_runs_stops_it_cleanly(sessions: Any, cat: Any, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Two imports (or an import and a form) filing the same new person at once: the one that
    comes second writes nothing and says whom, instead of failing with the database's error."""
    from web.excel.store import DbDirectory
    from web.services import teachers as teacher_service

    looked_up = DbDirectory.find

    def find_then_someone_else_files_zhang(self: Any, ids: Any) -> Any:
        found = looked_up(self, ids)  # ZHANG is nobody yet: the import will create him
        if ZHANG["身份证件号"] in ids:
            with sessions() as other:
                unit = other.scalar(select(Unit).where(Unit.code == OTHER_SCHOOL))
                items = teacher_service.FourItems.parse(name="张三", gender="1", birth_date="1985-03-12",
                                                        id_number=ZHANG["身份证件号"])
                teacher_service.create_raw(other, unit, items, catalogue_version="test")
                other.commit()
        return found

    monkeypatch.setattr(DbDirectory, "find", find_then_someone_else_files_zhang)
    result = import_workbook(sessions, cat, _good(cat, tmp_path / "in.xlsx"), SCHOOL).result
    assert not result.written and result.imported == 0
    assert [p.rule for p in result.problems] == ["V222"], [p.message_zh for p in result.problems]
    assert ZHANG["身份证件号"] in result.problems[0].message_zh and result.problems[0].hint_zh
    on_file = files(sessions)
    assert set(on_file) == {ZHANG["身份证件号"]}  # only the other one's: nothing of this import
    with sessions() as db:
        assert db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()[-1] == "excel.import"


def test_any_other_clash_while_writing_is_not_taken_for_a_concurrent_filing(sessions: Any) -> None:
    """Only the one-person-one-number constraint means "someone filed them meanwhile" (V222);
    any other constraint failing is a bug to be seen, not an import problem to be worded."""
    from sqlalchemy.exc import IntegrityError

    from web.excel.pipeline import Result
    from web.excel.store import DbSink
    from web.services import teachers as teacher_service

    with sessions() as db:
        unit = db.scalar(select(Unit).where(Unit.code == SCHOOL))
        items = teacher_service.FourItems.parse(name="张三", gender="1", birth_date="1985-03-12",
                                                id_number=ZHANG["身份证件号"])
        first = teacher_service.create_raw(db, unit, items, catalogue_version="test")
        first.teacher_number = "T-1"
        db.commit()
        sink = DbSink(db, unit, "test", Result())
        with pytest.raises(IntegrityError):
            with sink._filed_elsewhere_meanwhile([LI["身份证件号"]]):
                teacher = Teacher(id_type="1", id_number=LI["身份证件号"], name="李梅", gender="2",
                                  birth_date=first.birth_date, unit_id=unit.id, teacher_number="T-1")
                db.add(teacher)
                db.flush()
        db.rollback()
