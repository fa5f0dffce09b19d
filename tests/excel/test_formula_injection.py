"""No workbook the system writes holds a live formula made of someone's data (issue 14, finding 6).

Every writer saves through engine/emit/xlsx_writer.py; the first test fails when a module of the
system calls ``.save(`` on a workbook itself (so a new export is either written through the one
writer or noticed here). Then each export and generated workbook, filled with text that a
spreadsheet would evaluate, is opened again and checked cell by cell:

- EXPORTS: the teacher-accounts export (initial passwords; API and 管理端 page), the teachers'
  data export (tests/excel/test_web.py also checks its values), an import's error report;
- GENERATED: templates and sample sheets (the import template, the teacher-account and unit
  samples, the status-change template), which hold no one's data but go through the same writer.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.web.conftest import *  # noqa: F401,F403  (fixtures: db_url, settings, app, ctx, world, as_user …)
from tests.web.conftest import new_id_number
from engine import idnumber

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "engine" / "emit" / "xlsx_writer.py"
HOSTILE = '=HYPERLINK("x.cn")'  # 18 characters: a name the four items accept
LEADING = ("=", "+", "-", "@", "\t", "\r")

EXPORTS = ["teacher accounts (API)", "teacher accounts (管理端)", "teachers' data", "import error report"]
GENERATED = ["import template", "teacher-account sample", "unit sample", "status-change template"]


def inert(content: bytes | Path) -> list[str]:
    """Cells that hold a formula or text a spreadsheet would evaluate: none expected."""
    wb = openpyxl.load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in LEADING):
                    bad.append(f"{ws.title}!{cell.coordinate}={cell.value!r}")
    return bad


def test_every_workbook_is_saved_through_the_one_writer() -> None:
    offenders = []
    for area in ("web", "engine", "modules"):
        for path in (ROOT / area).rglob("*.py"):
            if "tests" in path.relative_to(ROOT).parts:  # a module's tests build input files as users do
                continue
            text = path.read_text(encoding="utf-8")
            if path == WRITER or "openpyxl" not in text:
                continue
            for n, line in enumerate(text.splitlines(), start=1):
                if re.search(r"\.save\(", line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == [], "save workbooks with engine.emit.xlsx_writer.save_workbook/workbook_bytes"


@pytest.fixture(scope="module")
def hostile_teacher(app, world) -> str:
    from tests.web.conftest import Client

    admin = Client(app, "system_admin@3601020001")
    idn = new_id_number("360102")
    r = admin.post("/api/v1/teacher-accounts", json={"unit_code": "3601020001", "name": HOSTILE, "gender": "1",
                                                     "birth_date": idnumber.birth_date(idn), "id_number": idn})
    assert r.status_code in (200, 201), r.text
    return idn


@pytest.mark.parametrize("which", EXPORTS)
def test_each_export_writes_hostile_text_as_text(which: str, as_user, hostile_teacher, world, tmp_path) -> None:
    admin = as_user("system_admin@3601020001")
    if which == "teacher accounts (API)":
        r = admin.get("/api/v1/teacher-accounts/export", params={"unit": "3601020001"})
        content = r.content
    elif which == "teacher accounts (管理端)":
        r = admin.get("/admin/teacher-accounts/export", params={"unit": "3601020001"})
        content = r.content
    elif which == "teachers' data":
        r = as_user("info_manager@3601020001").post("/api/v1/exports", json={"unit": "3601020001", "sets": ["basic"]})
        content = r.content
    else:
        from web.excel.problems import ImportProblem
        from web.excel.report import write_report

        upload = tmp_path / "upload.xlsx"
        wb = openpyxl.Workbook()
        wb.active.title = "基本信息"
        wb.active.append(["姓名"])
        wb.active.append(["张三"])
        wb.save(upload)  # the user's own file (a test writes it; the system does not)
        problem = ImportProblem(sheet="基本信息", row=2, column="A", header=HOSTILE, rule="V001", severity="error",
                                message_zh=HOSTILE, message_en="+1 " + HOSTILE, hint_zh="-x", hint_en="@x")
        out = write_report(upload, [problem], tmp_path / "report.xlsx")
        content = out.read_bytes()
        r = None
    assert r is None or r.status_code == 200, r.text[:300]
    assert inert(content) == []
    texts = {c.value for ws in openpyxl.load_workbook(io.BytesIO(content)).worksheets
             for row in ws.iter_rows() for c in row}
    assert "'" + HOSTILE in texts  # the name is there, as text


@pytest.mark.parametrize("which", GENERATED)
def test_each_generated_workbook_is_inert(which: str, ctx) -> None:
    from engine.emit.excel_template import template_bytes
    from modules.status_change import batch
    from web.admin import samples

    content: Any = {
        "import template": lambda: template_bytes(ctx.catalogue, "primary"),
        "teacher-account sample": samples.teacher_accounts,
        "unit sample": samples.units,
        "status-change template": lambda: batch.template_bytes(ctx.catalogue),
    }[which]()
    assert inert(content) == []


def test_an_initial_password_never_starts_like_a_formula() -> None:
    """The accounts export holds initial passwords: one starting with @, + or = would be written
    with the writer's apostrophe and read back wrong."""
    from web.security.passwords import random_password

    assert not [p for p in (random_password() for _ in range(3000)) if p[:1] in LEADING]
