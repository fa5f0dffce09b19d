"""Results by Excel: the generated template of a project (身份证件号, 姓名, 学时, 是否合格, 成绩) and its
upload. The rows go through the same checks as the API's (results.check_rows: all rows or none,
dry run); with any problem nothing is saved and the uploaded workbook comes back with each
problem written into its row (a 问题 column, the cell marked and commented)."""

from __future__ import annotations

import dataclasses
import io
import tempfile
from pathlib import Path
from typing import Any

import python_calamine as pc
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from engine.emit.xlsx_writer import workbook_bytes
from modules.credits import results as R
from modules.credits import words as Wd
from web.errors import Refusal
from web.excel.limits import Limits
from web.excel.problems import BadFile
from web.excel.safety import MB, check_file, check_size
from web.principal import Principal

HEADERS = ("身份证件号", "姓名", "学时", "是否合格", "成绩")
HEADERS_EN = ("ID number", "Name", "Hours", "Passed", "Score")
COLUMN = {"id_number": 1, "name": 2, "hours": 3, "passed": 4, "score": 5}
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_UNZIPPED_MB = 64
NO_SHEET = ("工作簿中没有工作表（请使用项目的成绩模板）", "the workbook has no worksheet (use the project's results template)")
RED = PatternFill("solid", fgColor="FFC7CE")


def template(db: Session, me: Principal, project_id: int) -> bytes:
    project = R.project_for_submitter(db, me, project_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws["A1"].comment = Comment(f"培训项目：{project.name}（{project.hours} 学时）。每位学员一行；"
                               "身份证件号按文本填写，姓名可不填（填写时须与身份证件号一致）。", "tmis")
    for col in "AB":  # text columns stay text: an ID number typed here never becomes 3.6E+17
        ws.column_dimensions[col].number_format = "@"
    dv = DataValidation(type="list", formula1='"合格,不合格"', allow_blank=False)
    ws.add_data_validation(dv)
    dv.add("D2:D10000")
    for col, width in zip("ABCDE", (22, 12, 8, 10, 8)):
        ws.column_dimensions[col].width = width
    return workbook_bytes(wb)  # the one writer (engine/emit/xlsx_writer.py): no cell a spreadsheet would evaluate


def _bad(detail: str, detail_en: str) -> Refusal:
    return Refusal(Wd.W_BAD_BODY, detail=detail, detail_en=detail_en)


def _limits() -> Limits:
    """The app's import limits (TMIS_IMPORT_*), no looser than this upload's own: 10 MB, 100 000
    rows, 64 MB once unzipped (a results sheet of 100 000 rows is about 25 MB of XML)."""
    env = Limits.from_env()
    return dataclasses.replace(env, max_file_mb=min(env.max_file_mb, MAX_BYTES // MB),
                               max_rows=min(env.max_rows, MAX_ROWS),
                               max_uncompressed_mb=min(env.max_uncompressed_mb, MAX_UNZIPPED_MB))


UPLOADED = ("上传的文件", "the uploaded file")


def display_name(filename: str | None) -> str | None:
    """The name of the file as the user sent it (its last path part, at most 80 characters), or
    None when the upload named none."""
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:80] or None


def _checked(content: bytes, limits: Limits, filename: str | None = None) -> None:
    """web.excel.safety's checks (not an xlsx, damaged, encrypted, a zip bomb, declared size)
    before anything is parsed; each refusal is W552 with the check's own words, naming the file
    as it was sent (or "the uploaded file")."""
    shown = display_name(filename) or UPLOADED[0]
    with tempfile.TemporaryDirectory(prefix="tmis-credits-") as tmp:
        path = Path(tmp) / "results.xlsx"
        path.write_bytes(content)
        try:
            sizes = check_file(path, limits, shown)
            if not sizes:
                raise _bad(NO_SHEET[0], NO_SHEET[1])
            check_size(sizes[0].name, sizes[0].rows, sizes[0].columns, limits)
        except BadFile as exc:
            first = exc.problems[0]
            en = first.message_en if display_name(filename) else first.message_en.replace(UPLOADED[0], UPLOADED[1])
            raise _bad(first.message_zh, en) from None


def _cell(value: Any) -> Any:
    """calamine's value as openpyxl gave it: whole numbers as int, empty cells as None."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None if value == "" else value


def _read_rows(content: bytes, limits: Limits) -> tuple[list[dict[str, Any]], list[int]]:
    """The data rows of the first worksheet, read by calamine (the app's reader, web/excel/reader.py)
    and refused past the row limit, whatever the file declares; with each row's own sheet row.
    An empty row is skipped, never the end: the rows after it are read too (as the teacher import
    does, web/excel/pipeline.py)."""
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(content))
        visible = [m for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
        if not visible:
            raise _bad(NO_SHEET[0], NO_SHEET[1])
        sheet = wb.get_sheet_by_name(visible[0].name)
    except Refusal:
        raise
    except Exception as exc:  # a damaged or foreign file: say so, never a 500
        raise _bad("无法读取该工作簿", f"the workbook cannot be read ({type(exc).__name__})") from exc
    if sheet.height - 1 > limits.max_rows:
        raise _bad(f"最多 {limits.max_rows} 行成绩", f"at most {limits.max_rows} result rows")
    lines = iter(sheet.to_python(skip_empty_area=False))
    first = next(lines, [])
    header = [str(v or "").strip() for v in first][:len(HEADERS)]
    if tuple(header) != HEADERS:
        raise _bad("第 1 行须为模板的列：" + "、".join(HEADERS),
                   "row 1 must hold the template's columns: " + ", ".join(HEADERS))
    rows: list[dict[str, Any]] = []
    at: list[int] = []
    for n, line in enumerate(lines, start=2):
        values = tuple(_cell(v) for v in line[:len(HEADERS)]) + (None,) * max(0, len(HEADERS) - len(line))
        if all(v in (None, "") for v in values):
            continue
        idn, name, hours, passed, score = values
        rows.append({"id_number": idn, "name": name, "hours": hours, "passed": passed, "score": score})
        at.append(n)
    return rows, at


def on_sheet(problem: Any, at: list[int]) -> Any:
    """A row problem counted over the rows read (from 2) as the sheet's own row, and so is the row
    it names as the first of two (``first``): the sheet may hold empty rows between them."""
    args = dict(problem.args)
    if isinstance(args.get("first"), int) and 2 <= args["first"] < len(at) + 2:
        args["first"] = at[args["first"] - 2]
    return dataclasses.replace(problem, row=at[problem.row - 2], args=args)


def upload(db: Session, me: Principal, project_id: int, content: bytes, *, dry_run: bool = False,
           filename: str | None = None) -> tuple[dict[str, Any] | None, bytes | None]:
    """(summary, None) when saved (or a clean dry run); (None, the annotated workbook) otherwise.
    ``filename``: the name the file was sent under, for the messages about the file."""
    summary, report, _ = upload_report(db, me, project_id, content, dry_run=dry_run, filename=filename)
    return summary, report


def note_text(label: str, message: str, hint: str) -> str:
    """One problem as the workbook's 问题 column says it: "<column>：<what is wrong>。<how to fix>"
    (the column named once, even when the message begins with it; no brackets inside brackets)."""
    what = message.rstrip("。. ")
    if not what.startswith(label):
        what = f"{label}：{what}"
    return f"{what}。{hint}" if hint else f"{what}。"


def upload_report(db: Session, me: Principal, project_id: int, content: bytes, *, dry_run: bool = False,
                  filename: str | None = None) -> tuple[dict[str, Any] | None, bytes | None, list[tuple[int, str, str]]]:
    """As ``upload``, with the problems for a page: each problem's row, column (label, label_en),
    message and hint in both languages — what the workbook's 问题 column says."""
    R.project_for_submitter(db, me, project_id)
    limits = _limits()
    _checked(content, limits, filename)
    rows, at = _read_rows(content, limits)
    if not rows:
        raise _bad("工作簿中没有成绩行", "the workbook has no result rows")
    try:
        return R.submit_results(db, me, project_id, rows, dry_run=dry_run, first_row=2), None, []
    except R.RowsRefused as refused:
        refused.problems = [on_sheet(p, at) for p in refused.problems]
        wb = load_workbook(io.BytesIO(content))  # checked and bounded above; loaded in full only to write the problems back
        ws = wb.worksheets[0]
        note = len(HEADERS) + 1
        ws.cell(row=1, column=note, value="问题")
        messages: dict[int, list[str]] = {}
        listed = []
        for p in refused.problems:
            j = p.as_json()
            row = p.row  # the sheet's own row: the first data row is row 2
            label, label_en = HEADERS[COLUMN[p.column] - 1], HEADERS_EN[COLUMN[p.column] - 1]
            messages.setdefault(row, []).append(note_text(label, j["message"], j["hint"]))
            listed.append({**j, "row": row, "label": label, "label_en": label_en})
            cell = ws.cell(row=row, column=COLUMN[p.column])
            cell.fill = RED
            cell.comment = Comment(j["message"], "tmis")
        for row, texts in messages.items():
            ws.cell(row=row, column=note, value="；".join(texts))
        return None, workbook_bytes(wb), listed  # the one writer: a typed '=…' comes back as text, not a formula
