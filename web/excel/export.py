"""Export teachers to xlsx in the template's own format, so an export can be edited and imported.

Codes are written as the dropdowns offer them (the label; "code-label" where two items share a
label, so that the code reads back exactly), booleans as 是/否, multi-codes
joined with 、. Text that Excel could take for a formula (starting with =, +, -, @, tab or CR) is
written with a leading apostrophe; the importer removes it again, so the round trip is exact.
Sheets are streamed (openpyxl write-only) from the database, a set at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.emit.excel_template import (LINK_ID, LINK_NAME, emit_excel_template, ordered_sets,
                                        sheet_columns)
from engine.fieldtypes import is_empty
from engine.validate import FieldView
from web.db.models import Record, Teacher, Unit
from engine.emit.xlsx_writer import neutralise, save_workbook


def cell_value(f: FieldView, value: Any) -> Any:
    if is_empty(value):
        return None
    t = f.spec.type
    if t == "code" and f.codes is not None:
        return f.codes.cell_text(str(value))
    if t == "codes" and f.codes is not None:
        return "、".join(f.codes.cell_text(str(v)) for v in value)
    if t == "boolean":
        return "是" if value else "否"
    return neutralise(value)


@dataclass
class ExportResult:
    path: Path
    teachers: int = 0
    records: int = 0
    sets: list[str] = field(default_factory=list)
    teacher_ids: list[int] = field(default_factory=list)  # whose data went out (for the audit)


def family_types(cat: Any, family: str) -> list[str]:
    return [t for t, f in cat.school_types.items() if f == family] + [family]


def write_export(db: Session, cat: Any, teachers: Select, family: str, out: Path, *,
                 sets: list[str] | None = None, school_type: str | None = None) -> ExportResult:
    """``teachers``: a SELECT of Teacher.id (already scoped by the caller)."""
    keys = ordered_sets(cat, family, sets)
    result = ExportResult(out, sets=keys)
    ids = teachers.subquery()
    people = {r.id: (r.name, r.id_number) for r in db.execute(
        select(Teacher.id, Teacher.name, Teacher.id_number).where(Teacher.id.in_(select(ids.c.id))))}
    result.teachers = len(people)
    result.teacher_ids = list(people)

    def rows(set_key: str) -> Iterator[list[Any]]:
        view = cat.view(set_key, family)
        columns = sheet_columns(view)
        stmt = (select(Record.teacher_id, Record.document)
                .where(Record.set_key == set_key, Record.copy_of_id.is_(None), Record.teacher_id.in_(select(ids.c.id)))
                .order_by(Record.teacher_id, Record.position, Record.id)
                .execution_options(yield_per=2000))
        for teacher_id, doc in db.execute(stmt):
            name, id_number = people.get(teacher_id, ("", ""))
            out_row: list[Any] = []
            for key, f in columns:
                if key == LINK_NAME:
                    out_row.append(neutralise(name))
                elif key == LINK_ID:
                    out_row.append(id_number)
                else:
                    assert f is not None
                    out_row.append(cell_value(f, doc.get(key)))
            result.records += 1
            yield out_row

    wb = emit_excel_template(cat, school_type or family, sets=keys, write_only=True, rows=rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, out)
    return result


def teacher_query(cat: Any, family: str | None, *, unit: Unit | None, include_below: bool,
                  teacher_ids: list[int] | None) -> Select:
    """The selected teachers' ids; with ``family``, only those of schools whose template is that
    family's (a workbook has one family's sheets and columns)."""
    from web import scope

    stmt = select(Teacher.id).join(Unit, Unit.id == Teacher.unit_id)
    if unit is not None:
        stmt = stmt.where(Teacher.unit_id.in_(scope.subtree([unit.id])) if include_below else Teacher.unit_id == unit.id)
    if teacher_ids is not None:
        stmt = stmt.where(Teacher.id.in_(teacher_ids))
    if family is None:
        return stmt
    types = family_types(cat, family)
    cond = Unit.school_type.in_(types)
    if family == cat.family_of(None):  # as Catalogue.family_of: no type, or one it does not know
        known = [*cat.school_types, *cat.families]
        cond = cond | Unit.school_type.is_(None) | Unit.school_type.not_in(known)
    return stmt.where(cond)


__all__ = ["ExportResult", "write_export", "teacher_query", "neutralise", "cell_value"]
