"""Helpers of the Excel tests: fill a real template with openpyxl, read the database back."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import openpyxl
from sqlalchemy import select

from engine.emit.excel_template import emit_excel_template, normalise_header
from web.db.models import Record, Teacher


def fill(cat: Any, school_type: str, sheets: Mapping[str, list[Mapping[str, Any]]], path: Path, *,
         template: Any = None) -> Path:
    """Write rows into the template: each row maps a header (label, without * or format) to a value."""
    wb = template or emit_excel_template(cat, school_type)
    for title, rows in sheets.items():
        ws = wb[title]
        headers = [normalise_header(c.value).split("(")[0] for c in ws[1]]
        for row in rows:
            values: list[Any] = [None] * len(headers)
            for label, value in row.items():
                norm = normalise_header(label)
                assert norm in headers, f"{title}: no column {label!r} in {headers}"
                values[headers.index(norm)] = value
            ws.append(values)
    wb.save(path)
    return path


def files(sessions: Any) -> dict[str, dict[str, Any]]:
    """Every teacher's file: id number → {unit, basic document, set → [documents]}."""
    with sessions() as db:
        teachers = {t.id: t for t in db.scalars(select(Teacher))}
        out: dict[str, dict[str, Any]] = {
            t.id_number: {"unit_id": t.unit_id, "name": t.name, "gender": t.gender,
                          "birth_date": t.birth_date.isoformat(), "sets": {}} for t in teachers.values()}
        for r in db.scalars(select(Record).order_by(Record.teacher_id, Record.set_key, Record.position, Record.id)):
            out[teachers[r.teacher_id].id_number]["sets"].setdefault(r.set_key, []).append(dict(r.document))
    return out


def comments(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == "tmis-check":
                    out[(ws.title, cell.coordinate)] = cell.comment.text
    return out
