"""Excel exports of the dashboards' tables (openpyxl): a standard table, the units one level down,
or a cross table, as the API answers it — the same rows, the same numbers (shares as numbers
formatted as percentages), a title block saying which unit and which data ("as of"), and a total
row. Written through the app's one workbook writer (engine/emit/xlsx_writer.py: text a spreadsheet
would evaluate is neutralised). Every export is audited (``stats.export``) by the page that
serves it; the file is named in Chinese (or English) after the unit, the table and the data's date."""

from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from engine.emit.xlsx_writer import workbook_bytes
from modules.statistics.charts import as_of_line, as_of_text, measure_keys, text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="E8EEF6")
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _words(lang: str) -> dict[str, str]:
    en = lang == "en"
    return {"total": "Total" if en else "合计", "unit": "Unit" if en else "单位",
            "teachers": "Teachers" if en else "人数", "filters": "Filters" if en else "筛选条件",
            "rows": "Rows" if en else "行", "cols": "Columns" if en else "列"}


def _sheet(wb: Workbook, title: str) -> Any:
    ws = wb.active
    ws.title = (BAD_TITLE.sub("_", title) or "Sheet")[:31]
    return ws


def _title_block(ws: Any, title: str, unit: Mapping[str, Any], as_of: Any, lang: str, filters: str = "") -> None:
    w = _words(lang)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"{w['unit']}: {text(unit.get('name'), lang)}（{unit.get('code', '')}）"])
    ws.append([as_of_line(as_of, lang)])
    if filters:
        ws.append([f"{w['filters']}: {filters}"])
    ws.append([])


def _header(ws: Any, cells: list[str]) -> None:
    ws.append(cells)
    for cell in ws[ws.max_row]:
        cell.font = HEAD
        cell.fill = FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws: Any, first: int = 18, rest: int = 12, n: int = 0) -> None:
    for i in range(1, max(n, ws.max_column) + 1):
        ws.column_dimensions[get_column_letter(i)].width = first if i == 1 else rest


def _measure_cell(ws: Any, row: int, col: int, key: str) -> None:
    if key == "share":
        ws.cell(row=row, column=col).number_format = "0.0%"
    elif key == "avg_age":
        ws.cell(row=row, column=col).number_format = "0.0"


def table_workbook(result: Mapping[str, Any], lang: str, filters: str = "") -> bytes:
    """One standard table: a column per dimension (the code's label), a column per measure."""
    dims = result.get("dims", [])
    measures = result.get("measures") or [{"key": "count", "label": _words(lang)["teachers"]}]
    keys = measure_keys(result)
    title = text((result.get("table") or {}).get("label"), lang)
    wb = Workbook()
    ws = _sheet(wb, title)
    _title_block(ws, title, result.get("unit") or {}, result.get("as_of"), lang, filters)
    _header(ws, [text(d.get("label"), lang) for d in dims] + [text(m.get("label"), lang) for m in measures])
    for row in result.get("rows", []):
        labels = row.get("labels") or {}
        ws.append([text(labels.get(d["key"], (row.get("dims") or {}).get(d["key"], "")), lang) for d in dims]
                  + [row.get(k) for k in keys])
        for j, k in enumerate(keys):
            _measure_cell(ws, ws.max_row, len(dims) + 1 + j, k)
    total = [_words(lang)["total"]] + [""] * (len(dims) - 1)
    total += [result.get("total", 0) if k == "count" else (1.0 if k == "share" and result.get("total") else None)
              for k in keys]
    ws.append(total)
    for j, k in enumerate(keys):
        _measure_cell(ws, ws.max_row, len(dims) + 1 + j, k)
    for cell in ws[ws.max_row]:
        cell.font = HEAD
    _widths(ws)
    return workbook_bytes(wb)


def children_workbook(parent: Mapping[str, Any], title: str, rows: list[tuple[Mapping[str, Any], Mapping[str, Any]]],
                      lang: str) -> bytes:
    """The units one level down: a row per unit with its head count (the drill-down's table)."""
    w = _words(lang)
    wb = Workbook()
    ws = _sheet(wb, title)
    as_of = next((res.get("as_of") for _, res in rows if res.get("as_of")), None)
    _title_block(ws, title, parent, as_of, lang)
    _header(ws, [w["unit"], "代码" if lang != "en" else "Code", w["teachers"]])
    for unit, res in rows:
        ws.append([text(unit.get("name"), lang), unit.get("code", ""), int(res.get("total") or 0)])
    ws.append([w["total"], "", sum(int(res.get("total") or 0) for _, res in rows)])
    for cell in ws[ws.max_row]:
        cell.font = HEAD
    _widths(ws, 24, 14)
    return workbook_bytes(wb)


def crosstab_workbook(ct: Mapping[str, Any], title: str, unit: Mapping[str, Any], lang: str, filters: str = "") -> bytes:
    """A cross table: the row dimension down, the column dimension across, totals on both sides."""
    w = _words(lang)
    wb = Workbook()
    ws = _sheet(wb, title)
    _title_block(ws, title, unit, ct.get("as_of"), lang, filters)
    _header(ws, [f"{ct['row_dim_label']} \\ {ct['col_dim_label']}", *ct["col_labels"], w["total"]])
    for label, cells, total in zip(ct["row_labels"], ct["cells"], ct["row_totals"]):
        ws.append([label, *cells, total])
    ws.append([w["total"], *ct["col_totals"], ct["total"]])
    for cell in ws[ws.max_row]:
        cell.font = HEAD
    _widths(ws, 20, 12)
    return workbook_bytes(wb)


def filename(*parts: str) -> str:
    """"江西省-教师年龄结构-2026-12-03.xlsx": the unit, the table, the data's date."""
    stem = "-".join(BAD_NAME.sub("_", p).strip() for p in parts if p)
    return (stem[:120] or "statistics") + ".xlsx"


def date_part(as_of: Any, lang: str) -> str:
    return as_of_text(as_of, lang).split(" ")[0]


def disposition(name: str, fallback: str) -> str:
    """An attachment named in Chinese (RFC 6266/5987), with an ASCII name for old clients."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
