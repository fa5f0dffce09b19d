"""A results workbook goes through the app's upload checks (web/excel/safety.py) before it is
read: a zip bomb, too many rows, a password-protected file and a workbook without a worksheet are
each a clear W552 refusal, never a 500 and never a full load of the file."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

from modules.credits.sheet import HEADERS
from modules.credits.tests.test_api import _n, _project, institution, teacher_name  # noqa: F401


def _post(client, pid, content):
    return client.post(f"/api/v1/training/projects/{pid}/results/upload", headers={"x-csrftoken": "1"},
                       files={"data": ("results.xlsx", content, "application/octet-stream")})


def _setup(as_user, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name=f"表格安全{next(_n)}", hours=20, institution_id=inst_id)
    return as_user(inst_user), p["id"]


def _saved(wb):
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezipped(content: bytes, member: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


def test_a_workbook_without_a_worksheet_is_w552(as_user, institution):  # noqa: F811
    inst, pid = _setup(as_user, institution)
    wb = Workbook()
    wb.active.append(HEADERS)
    no_sheet = _rezipped(_saved(wb), "xl/workbook.xml", lambda x: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", x))
    r = _post(inst, pid, no_sheet)
    assert r.status_code == 422 and r.json()["code"] == "W552", r.text
    assert "没有工作表" in r.json()["message"]


def test_rows_past_the_limit_are_refused_before_anything_is_checked(as_user, world, institution, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TMIS_IMPORT_MAX_ROWS", "3")  # the app's row limit applies to this upload too
    inst, pid = _setup(as_user, institution)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    tid = world.teachers["3601020002"][0]
    for _ in range(4):
        ws.append([world.teacher_usernames[tid], teacher_name(world, tid), 20, "合格", None])
    r = _post(inst, pid, _saved(wb))
    assert r.status_code == 422 and r.json()["code"] == "W552", r.text
    assert "3" in r.json()["message"]


def test_rows_past_the_limit_are_refused_when_the_file_declares_no_size(as_user, world, institution, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TMIS_IMPORT_MAX_ROWS", "3")
    inst, pid = _setup(as_user, institution)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    tid = world.teachers["3601020002"][0]
    for _ in range(4):
        ws.append([world.teacher_usernames[tid], teacher_name(world, tid), 20, "合格", None])
    no_size = _rezipped(_saved(wb), "xl/worksheets/sheet1.xml", lambda x: re.sub(rb"<dimension [^>]*/>", b"", x))
    assert b"dimension" not in zipfile.ZipFile(io.BytesIO(no_size)).read("xl/worksheets/sheet1.xml")
    r = _post(inst, pid, no_size)
    assert r.status_code == 422 and r.json()["code"] == "W552", r.text
    assert "3" in r.json()["message"]


def test_a_zip_bomb_is_refused_unread(as_user, institution, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TMIS_IMPORT_MAX_UNCOMPRESSED_MB", "1")  # the app's expansion limit applies to this upload too
    inst, pid = _setup(as_user, institution)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws["F1"] = "x" * 30000
    for i in range(60):
        ws.cell(row=2 + i, column=6, value="y" * 30000 + str(i))
    content = _saved(wb)
    assert len(content) < 200_000  # small on the wire, well over 1 MB expanded
    r = _post(inst, pid, content)
    assert r.status_code == 422 and r.json()["code"] == "W552", r.text
    assert "解压" in r.json()["message"]


def test_a_password_protected_file_is_w552(as_user, institution):  # noqa: F811
    inst, pid = _setup(as_user, institution)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512
    r = _post(inst, pid, ole)
    assert r.status_code == 422 and r.json()["code"] == "W552", r.text
    assert "密码" in r.json()["message"]
