"""Contract (issue 18, "what must show"): every data error code (V…) of the catalogue that a record or
an import can produce has a data-case folder, tests/engine/data_errors/<CODE>/, holding what a person
would hand in and what must be reported for it:

- ``input.yaml`` (or ``input.xlsx``, ``input.bin``: a file as uploaded) — for ``how: validate`` a
  record or a list of records as ``tmis validate`` reads them (keys: field key or label); for
  ``how: completeness`` a whole file (set → record or records) as 完整性检测 checks it; for
  ``how: import`` a workbook: ``sheets`` (rows keyed by column label, written into the generated
  template), and ``headers``, ``extra_sheets``, ``template`` (province, school type or version of the
  template used), ``unit``, ``limits``, ``before`` (an import that runs first, with the files' review
  ``state`` after it), as tests/excel/test_import_cases.py reads them;
- ``expected.yaml`` — ``how`` (and ``set`` for validate) and ``problems``: every problem reported,
  errors and warnings alike, as ``[index] field: CODE`` (validate), ``set[index] field: CODE`` or
  ``set: CODE`` (completeness), ``sheet!CELL: CODE``, ``sheet: CODE`` or ``file: CODE`` (import).

Record cases run through the real validator (``tmis validate``, ``Catalogue.check_file``) on the
small catalogue tests/engine/data_errors/_repo (laid over tests/engine/base); import cases through
the real import (``web.excel.service.import_workbook``) on the Excel tests' catalogue and database.
The folders live with the definition-error folders (tests/engine/errors/); the test lives here
because an import needs the Excel tests' database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from engine.catalogue import check_repo
from engine.errors import CATALOGUE
from tests.excel.conftest import SCHOOL
from tests.excel.excel_helpers import files
from tests.excel.test_import_cases import _set_state, _workbook
from web.excel.limits import Limits
from web.excel.service import import_workbook

ROOT = Path(__file__).resolve().parent.parent / "engine"
CASES = ROOT / "data_errors"
FOLDERS = sorted(d for d in CASES.iterdir() if d.is_dir() and not d.name.startswith("_"))

# V codes no record or import can produce, and why
EXEMPT = {
    "V100": "rule violations carry the rule's own id as their code (engine/errors.py); V100 is only the "
            "message template they are rendered with — see V101 and the rule cases of tests/engine/cases/",
    "V217": "a race: a file is submitted for review while the import that changes it runs; no input alone "
            "produces it — tests/excel/test_files_and_reports.py::"
            "test_a_file_submitted_while_the_import_runs_is_not_written makes it happen (a file already under "
            "review or approved when the import starts is V331 / V330, with folders)",
    "V222": "a race: another import or entry files the same teacher while this import is writing; no input "
            "alone produces it — tests/excel/test_files_and_reports.py::"
            "test_a_teacher_filed_elsewhere_while_the_import_runs_stops_it_cleanly makes it happen",
}


def test_every_data_error_code_has_a_case_folder() -> None:
    codes = sorted(c for c in CATALOGUE if c.startswith("V"))
    missing = [c for c in codes if c not in EXEMPT and not (CASES / c / "expected.yaml").is_file()]
    assert missing == [], f"V codes without a data-case folder under {CASES}: {missing}"
    assert [d.name for d in FOLDERS if d.name not in CATALOGUE] == []
    assert [c for c in EXEMPT if (CASES / c).is_dir()] == []  # an exempt code needs no folder


# ------------------------------------------------------------------ record cases

@pytest.fixture(scope="module")
def record_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("data_errors_repo")
    shutil.copytree(ROOT / "base", repo, dirs_exist_ok=True)
    shutil.copytree(CASES / "_repo", repo, dirs_exist_ok=True)
    return repo


def _validate(repo: Path, folder: Path, expected: dict[str, Any]) -> list[str]:
    from web.cli import app

    out = CliRunner().invoke(app, ["validate", str(folder / "input.yaml"), "--province", "national", "--set",
                                   expected["set"], "--root", str(repo), "--lang", "zh"])
    assert out.exit_code in (0, 1), out.output
    return [f"[{v['index']}] {v['field']}: {v['rule']}" for v in json.loads(out.stdout)]


def _completeness(repo: Path, folder: Path) -> list[str]:
    catalogues, problems = check_repo(repo, [])
    assert problems == []
    cat = catalogues["national"]
    found = cat.check_file("primary", yaml.safe_load((folder / "input.yaml").read_text(encoding="utf-8")))
    return [f"{v.set}[{v.index}] {v.field}: {v.code}" if v.field else f"{v.set}: {v.code}" for v in found]


# ------------------------------------------------------------------ import cases

def _upload(cat: Any, catalogues: Any, spec: dict[str, Any], folder: Path, path: Path) -> Path:
    """The file the case uploads: its own (input.xlsx / input.bin) or a workbook from the template."""
    for name in ("input.xlsx", "input.bin"):
        if (folder / name).is_file():
            return folder / name
    template = spec.get("template") or {}
    base = catalogues[template.get("province", "36")]
    _workbook(base, {**spec, "school_type": template.get("school_type", spec.get("school_type", "primary"))}, path)
    if template.get("version") or spec.get("extra_sheets"):
        wb = openpyxl.load_workbook(path)
        if template.get("version"):  # a template downloaded before the catalogue changed
            next(r for r in wb["_tmis"].iter_rows() if r[0].value == "catalogue_version")[1].value = template["version"]
        for title in spec.get("extra_sheets") or []:
            wb.create_sheet(title)["A1"] = "备注"
        wb.save(path)
    return path


def _import(cat: Any, catalogues: Any, sessions: Any, folder: Path, tmp_path: Path) -> list[str]:
    spec = yaml.safe_load((folder / "input.yaml").read_text(encoding="utf-8")) if (folder / "input.yaml").is_file() else {}
    spec = spec or {}
    if spec.get("before"):
        before = spec["before"]
        first = _workbook(cat, before, tmp_path / "before.xlsx")
        outcome = import_workbook(sessions, cat, first, before.get("unit", SCHOOL), limits=Limits())
        assert outcome.result.written, [p.message_zh for p in outcome.result.problems]
        _set_state(sessions, before)
    path = _upload(cat, catalogues, spec, folder, tmp_path / "import.xlsx")
    snapshot = files(sessions)
    result = import_workbook(sessions, cat, path, spec.get("unit", SCHOOL), mode=spec.get("mode", "append"),
                             limits=Limits(**(spec.get("limits") or {}))).result
    if any(p.severity == "error" for p in result.problems):
        assert not result.written and files(sessions) == snapshot, "a refused import changed the files"
    out = []
    for p in result.problems:
        where = f"{p.sheet}!{p.column}{p.row}" if p.sheet and p.row and p.column else p.sheet or "file"
        out.append(f"{where}: {p.rule}")
    return out


@pytest.mark.parametrize("folder", FOLDERS, ids=[d.name for d in FOLDERS])
def test_data_error_case(folder: Path, record_repo: Path, cat: Any, catalogues: Any, sessions: Any,
                         tmp_path: Path) -> None:
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    how = expected["how"]
    if how == "validate":
        found = _validate(record_repo, folder, expected)
    elif how == "completeness":
        found = _completeness(record_repo, folder)
    else:
        assert how == "import", how
        found = _import(cat, catalogues, sessions, folder, tmp_path)
    assert sorted(found) == sorted(expected["problems"])
    assert any(p.endswith(f": {folder.name}") for p in expected["problems"])
