"""The error report: a copy of the user's own workbook with every wrong cell highlighted, the
message as the cell's comment, and a sheet ``错误清单`` listing every problem.

The user fixes the cells and uploads the same file again: the importer skips ``错误清单`` and a
new report first clears the marks of the previous one (cells whose comment is by ``AUTHOR``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from engine.emit.xlsx_writer import save_workbook
from web.excel.problems import ImportProblem
from web.excel.reader import ERROR_SHEET

AUTHOR = "tmis-check"
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
NO_FILL = PatternFill(fill_type=None)
HEADERS = ("工作表 Sheet", "行 Row", "列 Column", "表头 Header", "规则 Rule", "级别 Severity", "说明", "Message",
           "如何修改", "How to fix")
# the severity as a clerk reads it (the list's 级别 column): words, not the engine's keys
SEVERITY = {"error": "错误", "warning": "警告"}


def _clear_previous(wb: openpyxl.Workbook) -> None:
    if ERROR_SHEET in wb.sheetnames:
        del wb[ERROR_SHEET]
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.comment is not None and cell.comment.author == AUTHOR:
                        cell.comment = None
                        cell.fill = NO_FILL


def _hint(text: str) -> str:
    return f" → {text}" if text else ""


def write_report(source: Path, problems: Iterable[ImportProblem], out: Path, *, extra: int = 0) -> Path:
    """Annotate a copy of ``source`` (the uploaded workbook) and save it as ``out``."""
    problems = list(problems)
    try:
        wb = openpyxl.load_workbook(source)
    except Exception:  # the upload itself could not be opened: the report is the error sheet alone
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
    _clear_previous(wb)
    by_cell: dict[tuple[str, str], list[ImportProblem]] = defaultdict(list)
    for p in problems:
        if p.sheet and p.sheet in wb.sheetnames:
            ref = f"{p.column or 'A'}{p.row or 1}"
            by_cell[(p.sheet, ref)].append(p)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        errors = any(p.severity == "error" for p in found)
        cell.fill = ERROR_FILL if errors else WARNING_FILL
        # the message first, the rule id after it for support (it never stands in for the message)
        text = "\n".join(f"{p.message_zh}{_hint(p.hint_zh)}\n{p.message_en}{_hint(p.hint_en)}\n（{p.rule}）"
                         for p in found)
        cell.comment = Comment(text[:30000], AUTHOR, width=320, height=40 + 40 * min(len(found), 8))
    ws = wb.create_sheet(ERROR_SHEET, 0)
    ws.append(HEADERS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for p in problems:
        ws.append([p.sheet, p.row, p.column, p.header, p.rule, SEVERITY.get(p.severity, p.severity), p.message_zh, p.message_en,
                   p.hint_zh or None, p.hint_en or None])
    if extra:
        ws.append([None, None, None, None, None, None, f"另有 {extra} 个问题未列出", f"{extra} more problems not listed"])
    if not problems:
        ws.append([None, None, None, None, None, None, "没有发现问题", "No problems found"])
    for letter, width in zip("ABCDEFGHIJ", (14, 8, 8, 22, 26, 9, 60, 60, 40, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    # the user's own sheets come back as they were uploaded; what the system wrote is neutralised
    save_workbook(wb, out, keep=[n for n in wb.sheetnames if n != ERROR_SHEET])
    return out
