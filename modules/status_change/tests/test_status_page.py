"""The status-change module through its hooks: its page (register_routes) is in the menu under
业务管理 of whoever may use it (menu_entries, register_permissions), downloads its template, and
an uploaded sheet is checked (dry run) and applied, all or nothing."""

from __future__ import annotations

import io
import re

import openpyxl

from tests.web.conftest import csrf_of
from modules.status_change import batch
from web.db.models import Teacher
from web.people import clock, roll


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filled(template: bytes, rows: list[list]) -> bytes:
    """The downloaded template with rows typed in from row 2 (as a user fills it)."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb[batch.SHEET]
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_batch_page_applies_a_sheet(ctx, cats, world, as_user, new_teacher):
    tid = new_teacher("3601030001", complete=False)
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        id_number, name = t.id_number, t.name
    county = as_user("info_manager@360103")
    home = county.get("/admin/").text
    assert 'id="nav-status_change" href="/status-changes/batch"' in home and "业务管理" in home
    assert 'href="/status-changes/batch"' not in as_user("info_viewer@360103").get("/admin/").text
    page = county.get("/status-changes/batch/")
    assert page.status_code == 200 and "在职变动" in page.text, page.text[-1500:]
    template = county.get("/status-changes/batch/template.xlsx")
    assert template.status_code == 200
    good = [id_number, name, "退休", None, clock.today(), "到龄"]
    unknown = ["360103199001011234", "没有这个人", "退休", None, clock.today(), None]
    files = {"file": ("退休.xlsx", _filled(template.content, [good, unknown]), XLSX)}
    refused = county.post("/status-changes/batch/", data={"_csrf_token": csrf_of(page.text)}, files=files)
    assert refused.status_code == 422, refused.text
    assert "W765" in refused.text and "第【3】行" in refused.text, re.sub(r"\s+", " ", refused.text.split("<main")[1])[:3000]
    with ctx.sessions() as db:
        assert roll.is_on_roll(db.get(Teacher, tid))  # all or nothing: the good row waited too
    files = {"file": ("退休.xlsx", _filled(template.content, [good]), XLSX)}
    done = county.post("/status-changes/batch/", data={"_csrf_token": csrf_of(page.text)}, files=files)
    assert done.status_code == 200 and "已办理 1 人" in done.text, re.sub(r"\s+", " ", done.text.split("<main")[1])[:2000]
    with ctx.sessions() as db:
        assert not roll.is_on_roll(db.get(Teacher, tid))
