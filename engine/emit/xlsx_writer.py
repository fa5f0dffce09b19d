"""The one way the system writes a workbook: no text it writes can run as a formula (issue 14, finding 6).

Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what Excel (and other
spreadsheet programs, on editing or on export to CSV) may evaluate: a teacher named
``=HYPERLINK("http://…","x")`` would become a live link in the sheet that also holds initial
passwords. Such text is written with a leading apostrophe (OWASP's advice); the import removes
it again (web/excel/pipeline.py), so an export reads back exactly.

- :func:`neutralise` a value, :func:`safe_row` a row (write-only sheets, which cannot be walked
  once written, append their rows through it);
- :func:`save_workbook` walks every cell of an ordinary workbook and every comment before saving,
  so a formula can only come from a sheet named in ``keep`` (the uploaded workbook's own sheets
  in an error report: the user's file, given back as it came).

Every writer in web/, engine/ and modules/ saves through here; tests/excel/test_formula_injection.py
fails when a module calls ``.save(`` on a workbook itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Iterable

from openpyxl import Workbook

NEUTRALISED = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would evaluate becomes inert text; anything else is left alone."""
    if isinstance(value, str) and value[:1] in NEUTRALISED:
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


def neutralise_sheet(ws: Any) -> None:
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value[:1] in NEUTRALISED:
                cell.value = "'" + value  # openpyxl types the cell as text again (data_type "s")
            if cell.comment is not None and cell.comment.text[:1] in NEUTRALISED:
                cell.comment.text = "'" + cell.comment.text


def save_workbook(wb: Workbook, out: str | Path | IO[bytes], *, keep: Iterable[str] = ()) -> None:
    """Neutralise every sheet but ``keep`` (ordinary workbooks), then save."""
    kept = set(keep)
    if not getattr(wb, "write_only", False):
        for ws in wb.worksheets:
            if ws.title not in kept:
                neutralise_sheet(ws)
    wb.save(out)


def workbook_bytes(wb: Workbook) -> bytes:
    import io

    buf = io.BytesIO()
    save_workbook(wb, buf)
    return buf.getvalue()
