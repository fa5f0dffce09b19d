"""Data-first import cases: each ``cases/*.yaml`` describes rows, the mode, and what must happen.

A case: ``sheets`` (rows keyed by column label), optional ``before`` (an import that must succeed
first), ``headers`` (columns to drop, add or rename), ``mode``, ``dry_run``, ``all_or_nothing``,
``unit``, ``school_type``; ``before.state``: the review state of the files before the import;
``expect``: rows, imported, written, ``unchanged`` (teachers whose rows all match the record), the exact list of errors as
``sheet!CELL rule`` (or ``sheet rule`` for a whole-sheet problem) and the teachers' files after.
The workbooks are real .xlsx files written with openpyxl from the generated template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl.utils import get_column_letter

from engine.emit.excel_template import emit_excel_template, normalise_header
from tests.excel.excel_helpers import files, fill
from tests.excel.conftest import SCHOOL
from web.excel.limits import Limits
from web.excel.service import import_workbook

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def _workbook(cat: Any, spec: dict[str, Any], path: Path) -> Path:
    wb = emit_excel_template(cat, spec.get("school_type", "primary"))
    for title, change in (spec.get("headers") or {}).items():
        ws = wb[title]
        for label, new in (change.get("rename") or {}).items():
            cell = next(c for c in ws[1] if normalise_header(c.value).split("(")[0] == normalise_header(label))
            cell.value = new
    fill(cat, spec.get("school_type", "primary"), spec.get("sheets") or {}, path, template=wb)
    # drop and add columns after filling, as a person editing the sheet would
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for title, change in (spec.get("headers") or {}).items():
        ws = wb[title]
        for label in change.get("drop") or []:
            idx = next(c.column for c in ws[1] if normalise_header(c.value).split("(")[0] == normalise_header(label))
            ws.delete_cols(idx)
        for label in change.get("add") or []:
            ws.cell(1, ws.max_column + 1, label)
    wb.save(path)
    return path


def _errors(result: Any) -> list[str]:
    out = []
    for p in result.problems:
        if p.severity != "error":
            continue
        out.append(f"{p.sheet}!{p.column}{p.row} {p.rule}" if p.row and p.column else f"{p.sheet} {p.rule}")
    return sorted(out)


def _set_state(sessions: Any, before: dict[str, Any]) -> None:
    """``before.state``: the review state the files are in when the case's import runs (as the
    review would leave them: the teacher and their records)."""
    if not before.get("state"):
        return
    from sqlalchemy import update

    from web.db.models import Record, Teacher

    with sessions() as db, db.begin():
        db.execute(update(Teacher).values(state=before["state"]))
        db.execute(update(Record).values(state=before["state"]))


@pytest.mark.parametrize("fast_rows", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path, cat: Any, sessions: Any, tmp_path: Path, fast_rows: bool) -> None:
    """Every case twice: rows that pass their own checks take engine.fastrow, or every row the
    plain path; the outcome (errors, counts, files) must be the same."""
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    if spec.get("before"):
        before = spec["before"]
        path = _workbook(cat, before, tmp_path / "before.xlsx")
        outcome = import_workbook(sessions, cat, path, before.get("unit", SCHOOL), limits=Limits(),
                                  fast_rows=fast_rows)
        assert outcome.result.written, [p.message_zh for p in outcome.result.problems]
        _set_state(sessions, before)
    path = _workbook(cat, spec, tmp_path / "import.xlsx")
    snapshot = files(sessions)
    outcome = import_workbook(sessions, cat, path, spec.get("unit", SCHOOL), mode=spec.get("mode", "append"),
                              dry_run=spec.get("dry_run", False), all_or_nothing=spec.get("all_or_nothing", True),
                              limits=Limits(), fast_rows=fast_rows)
    result, expect = outcome.result, spec["expect"]
    assert _errors(result) == sorted(expect["errors"]), [p.message_zh for p in result.problems]
    assert result.rows == expect["rows"]
    assert result.imported == expect["imported"]
    assert result.written == expect["written"]
    if "unchanged" in expect:
        assert result.teachers_unchanged == expect["unchanged"] and result.teachers_updated == 0
    after = files(sessions)
    if not expect["written"]:
        assert after == snapshot, "a refused or dry-run import changed the database"
    for id_number, want in (expect.get("teachers") or {}).items():
        assert id_number in after, f"{id_number} not on file"
        got = after[id_number]["sets"]
        for key, value in (want.get("basic") or {}).items():
            assert got["basic"][0].get(key) == value, key
        for set_key, n in (want.get("counts") or {}).items():
            assert len(got.get(set_key, [])) == n, set_key
        for set_key in ("education", "training"):
            for i, fields in enumerate(want.get(set_key) or []):
                for key, value in fields.items():
                    assert got[set_key][i].get(key) == value, (set_key, i, key)
    if "teachers" in expect and expect["teachers"] == {}:
        assert after == snapshot


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fast_rows_change_nothing_a_person_sees(case: Path, cat: Any, sessions: Any, tmp_path: Path) -> None:
    """The same file checked with and without engine.fastrow (dry runs): the same report, word
    for word and in the same order, and the same counts."""
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    if spec.get("before"):
        before = spec["before"]
        path = _workbook(cat, before, tmp_path / "before.xlsx")
        assert import_workbook(sessions, cat, path, before.get("unit", SCHOOL), limits=Limits()).result.written
        _set_state(sessions, before)
    path = _workbook(cat, spec, tmp_path / "import.xlsx")
    outcomes = [import_workbook(sessions, cat, path, spec.get("unit", SCHOOL), mode=spec.get("mode", "append"),
                                dry_run=True, all_or_nothing=spec.get("all_or_nothing", True), limits=Limits(),
                                fast_rows=fast).result.as_json("en") for fast in (True, False)]
    assert outcomes[0] == outcomes[1]


def test_letters_follow_the_sheet(cat: Any) -> None:
    """The columns the cases name are where the template puts them (guards the cases themselves)."""
    ws = emit_excel_template(cat, "primary")["基本信息"]
    assert [normalise_header(ws[f"{get_column_letter(i)}1"].value) for i in (6, 7, 8)] == [
        "身份证件号", "出生日期(yyyy-MM-dd)", "民族"]
