"""Carried-over credits by Excel (结转学分): a generated template (身份证件号, 姓名, 学分类别, 学分,
学时, 获得日期, 来源) and its upload, by the results' import machinery (sheet.py: the same file
checks and limits, calamine to read, the one writer to answer). The rows go through
carry_over.carry_over (all rows or none, dry run); with any problem nothing is saved and the
uploaded workbook comes back with each problem written into its row (a 问题 column, the cell marked
and commented)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import python_calamine as pc
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from engine.emit.xlsx_writer import workbook_bytes
from modules.credits import carry_over as CO
from modules.credits import carry_words as Cw
from modules.credits import sheet
from modules.credits import words as Wd
from web.errors import Refusal
from web.principal import Principal

HEADERS = ("身份证件号", "姓名", "学分类别", "学分", "学时", "获得日期", "来源")
HEADERS_EN = ("ID number", "Name", "Category", "Credits", "Hours", "Date earned", "Source")
COLUMN = {c: i + 1 for i, c in enumerate(CO.COLUMNS)}
NO_SHEET = ("工作簿中没有工作表（请使用结转学分模板）", "the workbook has no worksheet (use the carried-over credits template)")


def _bad(detail: str, detail_en: str) -> Refusal:
    return Refusal(Cw.W_CARRY_BODY, detail=detail, detail_en=detail_en)


def template(db: Session, me: Principal, root: Path) -> bytes:
    CO.require_carry(db, me)
    cats = CO.categories(root, db, me)
    wb = Workbook()
    ws = wb.active
    ws.title = "结转学分"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws["A1"].comment = Comment("每笔学分一行：本单位所辖学校教师的身份证件号与姓名（须与教师信息一致）。", "tmis")
    ws["C1"].comment = Comment("可选：" + "、".join(v.zh for v in cats.values()), "tmis")
    ws["F1"].comment = Comment("学分证明上的获得日期，如 2024-06-30；不能晚于今天。", "tmis")
    ws["G1"].comment = Comment("学分来自哪里（1–100 字），如 原省继续教育平台、湖南省学分证明 2023-0012。", "tmis")
    names = ",".join(v.zh for v in cats.values())
    if len(names) < 250:  # a list validation holds at most 255 characters
        dv = DataValidation(type="list", formula1=f'"{names}"', allow_blank=False)
        ws.add_data_validation(dv)
        dv.add("C2:C10000")
    for col, width in zip("ABCDEFG", (22, 12, 12, 8, 8, 12, 30)):
        ws.column_dimensions[col].width = width
    return workbook_bytes(wb)


def _read_rows(content: bytes, limits: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The data rows of the first worksheet (calamine, as sheet.py), refused past the row limit; with
    each row's own sheet row (an empty row is skipped, never the end)."""
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(content))
        visible = [m for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
        if not visible:
            raise _bad(*NO_SHEET)
        ws = wb.get_sheet_by_name(visible[0].name)
    except Refusal:
        raise
    except Exception as exc:  # a damaged or foreign file: say so, never a 500
        raise _bad("无法读取该工作簿", f"the workbook cannot be read ({type(exc).__name__})") from exc
    if ws.height - 1 > limits.max_rows:
        raise _bad(f"最多 {limits.max_rows} 行", f"at most {limits.max_rows} rows")
    lines = iter(ws.to_python(skip_empty_area=False))
    header = tuple(str(v or "").strip() for v in next(lines, []))[:len(HEADERS)]
    if header != HEADERS:
        raise _bad("第 1 行须为模板的列：" + "、".join(HEADERS), "row 1 must hold the template's columns: " + ", ".join(HEADERS))
    rows: list[dict[str, Any]] = []
    at: list[int] = []
    for n, line in enumerate(lines, start=2):
        values = tuple(sheet._cell(v) for v in line[:len(HEADERS)]) + (None,) * max(0, len(HEADERS) - len(line))
        if all(v in (None, "") for v in values):
            continue  # an empty row is skipped, never the end (sheet._read_rows)
        rows.append(dict(zip(CO.COLUMNS, values)))
        at.append(n)
    return rows, at


def upload(db: Session, me: Principal, content: bytes, *, root: Path, dry_run: bool = False
           ) -> tuple[dict[str, Any] | None, bytes | None, list[dict[str, Any]]]:
    """(summary, None, []) when saved (or a clean dry run); otherwise (None, the annotated workbook,
    the problems: each with its sheet row, its column's name in both languages and its words)."""
    CO.require_carry(db, me)
    limits = sheet._limits()
    try:
        sheet._checked(content, limits)  # not an xlsx, damaged, encrypted, a zip bomb, its declared size
    except Refusal as refusal:
        if refusal.code != Wd.W_BAD_BODY:
            raise
        raise _bad(refusal.args_.get("detail", ""), refusal.args_.get("detail_en", "")) from None
    rows, at = _read_rows(content, limits)
    if not rows:
        raise _bad("工作簿中没有结转学分行", "the workbook has no rows of credits")
    try:
        return CO.carry_over(db, me, rows, root=root, dry_run=dry_run, first_row=2), None, []
    except CO.CarryRowsRefused as refused:
        refused.problems = [sheet.on_sheet(p, at) for p in refused.problems]
        wb = load_workbook(io.BytesIO(content))  # checked and bounded above; loaded in full only to write the problems back
        ws = wb.worksheets[0]
        note = len(HEADERS) + 1
        ws.cell(row=1, column=note, value="问题")
        messages: dict[int, list[str]] = {}
        for p in refused.problems:
            j = p.as_json()
            messages.setdefault(p.row, []).append(sheet.note_text(HEADERS[COLUMN[p.column] - 1], j["message"], j["hint"]))
            cell = ws.cell(row=p.row, column=COLUMN[p.column])
            cell.fill = sheet.RED
            cell.comment = Comment(j["message"], "tmis")
        for row, texts in messages.items():
            ws.cell(row=row, column=note, value="；".join(texts))
        problems = [{**p.as_json(), "label": HEADERS[COLUMN[p.column] - 1], "label_en": HEADERS_EN[COLUMN[p.column] - 1]}
                    for p in refused.problems]
        return None, workbook_bytes(wb), problems  # the one writer: a typed '=…' comes back as text, not a formula
