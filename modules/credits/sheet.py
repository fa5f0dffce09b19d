"""Results by Excel: the generated template of a project (身份证件号, 姓名, 学时, 是否合格, 成绩) and its
upload. The rows go through the same checks as the API's (service.check_rows: all rows or none,
dry run); with any problem nothing is saved and the uploaded workbook comes back with each
problem written into its row (a 问题 column, the cell marked and commented)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from modules.credits import service as S
from modules.credits import words as Wd
from web.errors import Refusal
from web.principal import Principal

HEADERS = ("身份证件号", "姓名", "学时", "是否合格", "成绩")
COLUMN = {"id_number": 1, "name": 2, "hours": 3, "passed": 4, "score": 5}
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
RED = PatternFill("solid", fgColor="FFC7CE")


def template(db: Session, me: Principal, project_id: int) -> bytes:
    project = S.project_for_submitter(db, me, project_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws["A1"].comment = Comment(f"培训项目：{project.name}（{project.hours} 学时）。每位学员一行。", "tmis")
    dv = DataValidation(type="list", formula1='"合格,不合格"', allow_blank=False)
    ws.add_data_validation(dv)
    dv.add("D2:D10000")
    for col, width in zip("ABCDE", (22, 12, 8, 10, 8)):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bad(detail: str, detail_en: str) -> Refusal:
    return Refusal(Wd.W_BAD_BODY, detail=detail, detail_en=detail_en)


def upload(db: Session, me: Principal, project_id: int, content: bytes, *, dry_run: bool = False
           ) -> tuple[dict[str, Any] | None, bytes | None]:
    """(summary, None) when saved (or a clean dry run); (None, the annotated workbook) otherwise."""
    S.project_for_submitter(db, me, project_id)
    if len(content) > MAX_BYTES:
        raise _bad("文件超过 10 MB", "the file is larger than 10 MB")
    if not content.startswith(b"PK"):
        raise _bad("不是 Excel 工作簿（.xlsx）", "not an Excel workbook (.xlsx)")
    try:
        wb = load_workbook(io.BytesIO(content))
    except Exception as exc:  # a damaged or foreign file: say so, never a 500
        raise _bad("无法读取该工作簿", f"the workbook cannot be read ({type(exc).__name__})") from exc
    ws = wb.worksheets[0]
    header = [str(c.value or "").strip() for c in ws[1]][:len(HEADERS)]
    if tuple(header) != HEADERS:
        raise _bad("第 1 行须为模板的列：" + "、".join(HEADERS), "row 1 must hold the template's columns: " + ", ".join(HEADERS))
    if ws.max_row - 1 > MAX_ROWS:
        raise _bad(f"最多 {MAX_ROWS} 行", f"at most {MAX_ROWS} rows")
    rows = []
    for values in ws.iter_rows(min_row=2, max_col=len(HEADERS), values_only=True):
        if all(v in (None, "") for v in values):
            break
        idn, name, hours, passed, score = values
        rows.append({"id_number": idn, "name": name, "hours": hours, "passed": passed, "score": score})
    if not rows:
        raise _bad("工作簿中没有成绩行", "the workbook has no result rows")
    try:
        return S.submit_results(db, me, project_id, rows, dry_run=dry_run), None
    except S.RowsRefused as refused:
        note = len(HEADERS) + 1
        ws.cell(row=1, column=note, value="问题")
        messages: dict[int, list[str]] = {}
        for p in refused.problems:
            j = p.as_json()
            row = p.row + 1  # the sheet's row (rows are counted from the first data row)
            messages.setdefault(row, []).append(f"{HEADERS[COLUMN[p.column] - 1]}：{j['message']}（{j['hint']}）")
            cell = ws.cell(row=row, column=COLUMN[p.column])
            cell.fill = RED
            cell.comment = Comment(j["message"], "tmis")
        for row, texts in messages.items():
            ws.cell(row=row, column=note, value="；".join(texts))
        out = io.BytesIO()
        wb.save(out)
        return None, out.getvalue()
