"""Reading a workbook with python-calamine: metadata, sheet → set, header → field key, rows.

calamine loads one sheet at a time into a compact Rust range and hands rows over one by one; the
importer never holds more than one sheet's cells plus the canonical records it keeps.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import python_calamine as pc
from openpyxl.utils import get_column_letter

from engine import errors as E
from engine.emit.excel_template import (CODES_SHEET, INSTRUCTIONS_SHEET, LINK_ID, LINK_NAME, MAIN_SET, META_SHEET,
                                        ColumnMap, column_map, normalise_header, sheet_keys)
from engine.validate import SetValidator
from web.excel.limits import Limits
from web.excel.problems import BadFile, ImportProblem, problem
from web.excel.safety import check_size

ERROR_SHEET = "错误清单"  # the sheet the report adds; skipped when a corrected report is uploaded
SKIP_SHEETS = {META_SHEET, CODES_SHEET, INSTRUCTIONS_SHEET, ERROR_SHEET}
CALAMINE_ERRORS = (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError)


def open_workbook(path: Path, display_name: str) -> pc.CalamineWorkbook:
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise BadFile([problem(E.V_XLSX_ENCRYPTED, {"file": display_name})]) from None
    except CALAMINE_ERRORS as exc:
        raise BadFile([problem(E.V_XLSX_CORRUPT, {"file": display_name, "detail": str(exc)[:120]})]) from None


def load_sheet(wb: pc.CalamineWorkbook, title: str, display_name: str) -> pc.CalamineSheet:
    try:
        return wb.get_sheet_by_name(title)
    except CALAMINE_ERRORS as exc:
        raise BadFile([problem(E.V_XLSX_CORRUPT, {"file": display_name, "detail": f"{title}: {str(exc)[:120]}"})]) from None


def read_meta(wb: pc.CalamineWorkbook, display_name: str = "") -> dict[str, str]:
    if META_SHEET not in wb.sheet_names:
        return {}
    out: dict[str, str] = {}
    for row in load_sheet(wb, META_SHEET, display_name).iter_rows():
        if len(row) >= 2 and row[0] != "":
            out[str(row[0])] = str(row[1])
    return out


@dataclass
class SheetPlan:
    """How to read one set's sheet: which column holds which field."""

    title: str
    set_key: str
    validator: SetValidator
    cmap: ColumnMap
    many: bool
    start_row: int = 0                                  # 0-based row of the header
    start_col: int = 0
    columns: list[tuple[int, str]] = field(default_factory=list)   # (index in row, key)
    where: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (letter, header)
    keys: tuple[str, ...] = ()                          # field keys, in the order records are stored

    def letter(self, key: str) -> tuple[str | None, str | None]:
        return self.where.get(key, (None, None))


def match_headers(plan: SheetPlan, header: list[Any]) -> list[ImportProblem]:
    """Fill ``plan.columns`` from the header row; report unknown, duplicate and missing columns."""
    problems: list[ImportProblem] = []
    seen: dict[str, str] = {}
    for j, text in enumerate(header):
        if text is None or str(text).strip() == "":
            continue
        letter = get_column_letter(plan.start_col + j + 1)
        key = plan.cmap.key_of(text)
        if key is None:
            choices = [plan.cmap.labels[k] for k in plan.cmap.labels]
            problems.append(problem(E.V_XLSX_UNKNOWN_COLUMN, {
                "sheet": plan.title, "letter": letter, "column": str(text).strip(),
                **E.suggestion(normalise_header(text), [normalise_header(c) for c in choices])},
                sheet=plan.title, row=plan.start_row + 1, column=letter, header=str(text).strip()))
            continue
        if key in seen:
            problems.append(problem(E.V_XLSX_DUPLICATE_COLUMN, {
                "sheet": plan.title, "column": plan.cmap.labels[key], "first": seen[key], "letter": letter},
                sheet=plan.title, row=plan.start_row + 1, column=letter, header=str(text).strip()))
            continue
        seen[key] = letter
        plan.columns.append((j, key))
        plan.where[key] = (letter, str(text).strip())
    for key in plan.cmap.required:
        if key not in seen:
            problems.append(problem(E.V_XLSX_MISSING_COLUMN, {"sheet": plan.title, "column": plan.cmap.labels[key]},
                                    sheet=plan.title))
    plan.keys = tuple(k for _, k in plan.columns if k not in (LINK_ID, LINK_NAME))
    return problems


def plan_sheets(wb: pc.CalamineWorkbook, cat: Any, family: str, meta: dict[str, str],
                ) -> tuple[list[pc.SheetMetadata], dict[str, str], list[ImportProblem]]:
    """Which sheet holds which set (from the template's metadata, else by sheet name)."""
    by_name = sheet_keys(cat, family)
    allowed = set(cat.set_keys(family))
    out: dict[str, str] = {}
    problems: list[ImportProblem] = []
    for sm in wb.sheets_metadata:
        if sm.name in SKIP_SHEETS:
            continue
        key = meta.get(f"sheet:{sm.name}") or by_name.get(normalise_header(sm.name))
        if key is None or key not in allowed:
            if sm.visible != pc.SheetVisibleEnum.Visible:
                continue
            names = "、".join(cat.view(k, family).spec.label.zh for k in cat.set_keys(family))
            problems.append(problem(E.V_XLSX_UNKNOWN_SHEET, {"sheet": sm.name, "allowed": names},
                                    sheet=sm.name, severity="warning"))
            continue
        if key in out.values():
            continue
        out[sm.name] = key
    return wb.sheets_metadata, out, problems


def sheet_rows(sheet: pc.CalamineSheet, title: str, limits: Limits) -> tuple[int, int, int, Iterator[list[Any]]]:
    """(first row, first column, data rows, iterator over rows from the header on)."""
    check_size(title, sheet.height, sheet.width, limits)
    start_row, start_col = sheet.start or (0, 0)
    return start_row, start_col, max(sheet.height - 1, 0), iter(sheet.iter_rows())


def loaded_sheets(wb: pc.CalamineWorkbook, titles: list[str], xml_bytes: dict[str, int], limits: Limits,
                  display_name: str = "", *, alongside: Sequence[str] = (),
                  second: Callable[[], pc.CalamineWorkbook] | None = None,
                  ) -> Iterator[tuple[str, pc.CalamineSheet]]:
    """The sheets: first those of ``alongside``, then the others of ``titles`` in order.

    calamine parses a sheet without holding the GIL. The first of ``titles`` (基本信息, the
    largest) starts parsing at once; while it does, the ``alongside`` sheets are parsed from a
    ``second`` handle on the file (a handle parses one sheet at a time) and read, so neither
    core waits. After that, while one sheet is read the next is parsed, if it is small enough
    (its XML up to ``limits.prefetch_mb``) for two sheets to sit in memory at once."""
    small = limits.prefetch_mb * 1024 * 1024
    rest = [t for t in titles if t not in alongside]
    with ThreadPoolExecutor(1, thread_name_prefix="import-sheets") as pool:
        pending = pool.submit(load_sheet, wb, rest[0], display_name) if rest else None
        if alongside and second is not None:
            yield from _one_by_one(second, list(alongside), display_name)
        for number, title in enumerate(rest):
            assert pending is not None
            loaded = [pending.result()]  # neither this frame nor the future keeps the sheet
            following = rest[number + 1] if number + 1 < len(rest) else None
            pending = None
            if following is not None and xml_bytes.get(following, small + 1) <= small:
                pending = pool.submit(load_sheet, wb, following, display_name)
            yield title, loaded.pop()
            if following is not None and pending is None:
                pending = pool.submit(load_sheet, wb, following, display_name)


def _one_by_one(book_of: Callable[[], pc.CalamineWorkbook], titles: list[str],
                display_name: str) -> Iterator[tuple[str, pc.CalamineSheet]]:
    """Sheets of a handle opened (and closed) here, the next parsed while one is read."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="import-sheets-alongside")
    book = None
    try:
        book = pool.submit(book_of).result()
        pending = pool.submit(load_sheet, book, titles[0], display_name)
        for number, title in enumerate(titles):
            loaded = [pending.result()]
            if number + 1 < len(titles):
                pending = pool.submit(load_sheet, book, titles[number + 1], display_name)
            yield title, loaded.pop()
    finally:
        pool.shutdown(wait=True)  # a sheet still being parsed holds the handle: close it after
        if book is not None:
            book.close()


def alongside_main(titles: list[str], xml_bytes: dict[str, int]) -> list[str]:
    """The sheets read while the first of ``titles`` (基本信息) is parsed: the smallest first, as
    long as together they are at most half its size (parsing and reading them then takes less
    time than parsing it, and their cells add at most half as much again to its own)."""
    if len(titles) < 2 or titles[0] not in xml_bytes:
        return []
    room = xml_bytes[titles[0]] // 2
    out: list[str] = []
    for title in sorted(titles[1:], key=lambda t: xml_bytes.get(t, room + 1)):
        size = xml_bytes.get(title, room + 1)
        if size > room:
            break
        room -= size
        out.append(title)
    return out


def new_plan(cat: Any, family: str, title: str, set_key: str) -> SheetPlan:
    view = cat.view(set_key, family)
    return SheetPlan(title=title, set_key=set_key, validator=cat.validator(set_key, family),
                     cmap=column_map(view), many=set_key != MAIN_SET)  # every sheet but 基本信息 links rows by ID
