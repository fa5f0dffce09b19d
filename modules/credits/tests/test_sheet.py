"""Results by Excel: the institution downloads its project's template, fills it, uploads it; a
wrong row means nothing is saved and the workbook comes back with the problem in that row."""

from __future__ import annotations

import io
from urllib.parse import unquote

from openpyxl import load_workbook

from modules.credits.tests.test_api import _project, institution, teacher_name  # noqa: F401


def _upload(client, pid, wb, **form):
    out = io.BytesIO()
    wb.save(out)
    return client.post(f"/api/v1/training/projects/{pid}/results/upload", headers={"x-csrftoken": "1"},
                       files={"data": ("results.xlsx", out.getvalue(), "application/octet-stream")}, data=form)


def test_template_upload_errors_written_back_then_saved(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="表格提交的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    r = inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx")
    assert r.status_code == 200
    # saved under the project's name: an institution with several projects tells the files apart
    assert unquote(r.headers["content-disposition"].split("filename*=UTF-8''")[1]) == "表格提交的项目-成绩模板.xlsx"
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    a, b = world.teachers["3601020002"][:2]
    ws.append([world.teacher_usernames[a], teacher_name(world, a), 20, "合格", 90])
    ws.append([world.teacher_usernames[b], teacher_name(world, b), 25, "合格", None])  # more hours than the project has
    bad = _upload(inst, p["id"], wb)
    assert bad.status_code == 422
    back = load_workbook(io.BytesIO(bad.content)).active
    assert back.cell(row=1, column=6).value == "问题"
    assert back.cell(row=2, column=6).value is None
    assert "学时" in back.cell(row=3, column=6).value and back.cell(row=3, column=3).comment is not None
    assert inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"] == []
    ws.cell(row=3, column=3, value=18)
    dry = _upload(inst, p["id"], wb, dry_run="true")
    assert dry.status_code == 200 and dry.json()["saved"] == 0
    ok = _upload(inst, p["id"], wb)
    assert ok.status_code == 200 and ok.json()["saved"] == 2
    assert len(inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]) == 2


def test_a_file_that_is_not_a_workbook_is_a_clear_refusal(as_user, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="坏文件", institution_id=inst_id)
    r = as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results/upload", headers={"x-csrftoken": "1"},
                                files={"data": ("x.xlsx", b"not a workbook", "application/octet-stream")})
    assert r.status_code == 422 and r.json()["code"] == "W552"


def test_a_legacy_15_digit_id_number_is_read_as_the_teachers_18_character_number(as_user, world, institution):  # noqa: F811
    """第一代身份证 numbers (15 digits, no century, no check character) still come from old rosters:
    a row with one matches the teacher stored with the 18-character number, in a workbook (where
    Excel keeps 15 digits exactly, as a number) and over the API."""
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="旧身份证号的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    a, b = world.teachers["3601020002"][:2]
    legacy = {t: world.teacher_usernames[t][:6] + world.teacher_usernames[t][8:17] for t in (a, b)}
    assert all(len(n) == 15 for n in legacy.values())
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content))
    wb.active.append([int(legacy[a]), teacher_name(world, a), 20, "合格", None])
    ok = _upload(inst, p["id"], wb)
    assert ok.status_code == 200 and ok.json()["saved"] == 1, ok.text
    r = inst.post(f"/api/v1/training/projects/{p['id']}/results",
                  json={"rows": [{"id_number": legacy[b], "hours": 12, "passed": True}]})
    assert r.status_code == 200, r.text
    county = as_user("info_reviewer@360102")
    names = {row["name"] for row in county.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]}
    assert names == {teacher_name(world, a), teacher_name(world, b)}


def test_the_results_address_takes_the_filled_template_as_an_upload_too(as_user, world, institution):  # noqa: F811
    """POST …/results takes JSON rows or the filled template (multipart, field data or file), as
    …/results/upload does: problems come back written into the workbook, a clean one is saved."""
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="同一地址上传的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    url = f"/api/v1/training/projects/{p['id']}/results"
    wb = load_workbook(io.BytesIO(inst.get(f"{url}/template.xlsx").content))
    a, b = world.teachers["3601020002"][:2]
    wb.active.append([world.teacher_usernames[a], teacher_name(world, a), 20, "合格", 90])
    wb.active.append([world.teacher_usernames[b], teacher_name(world, b), 25, "合格", None])  # too many hours
    out = io.BytesIO()
    wb.save(out)
    bad = inst.post(url, headers={"x-csrftoken": "1"}, files={"file": ("r.xlsx", out.getvalue(), "application/octet-stream")})
    assert bad.status_code == 422 and "学时" in load_workbook(io.BytesIO(bad.content)).active.cell(row=3, column=6).value
    wb.active.cell(row=3, column=3, value=18)
    out = io.BytesIO()
    wb.save(out)
    dry = inst.post(url, headers={"x-csrftoken": "1"}, data={"dry_run": "true"},
                    files={"data": ("r.xlsx", out.getvalue(), "application/octet-stream")})
    assert dry.status_code == 200 and dry.json()["dry_run"] is True and dry.json()["saved"] == 0, dry.text
    ok = inst.post(url, headers={"x-csrftoken": "1"}, files={"data": ("r.xlsx", out.getvalue(), "application/octet-stream")})
    assert ok.status_code == 200 and ok.json()["saved"] == 2, ok.text
    # a body that is neither: a clear refusal, not a server error
    for body, status, code in ((b"not json", 400, "W932"), (b"[1, 2]", 422, "W552"),
                               (b'{"rows": [], "dry_run": "yes"}', 422, "W552"), (b'{"rows": []}', 422, "W552")):
        r = inst.post(url, content=body, headers={"content-type": "application/json", "x-csrftoken": "1"})
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.text)
    assert inst.post(url, headers={"x-csrftoken": "1"}, data={"dry_run": "true"}).json()["code"] == "W552"  # a form, no file
    r = inst.post(url, content=b"\x00\x01", headers={"content-type": "text/plain", "x-csrftoken": "1"})
    assert (r.status_code, r.json()["code"]) == (400, "W932"), r.text


def test_rows_after_an_empty_row_are_read_and_named_by_their_own_row(as_user, world, institution):  # noqa: F811
    """A workbook with an empty row between participants (a row cleared in Excel): every filled
    row is checked and saved, none after the gap silently dropped, and a problem names the row
    the user sees in the sheet, as does "first at row …" for a participant given twice."""
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="中间有空行的成绩", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content))
    ws = wb.active
    a, b, c = world.teachers["3601020002"][:3]
    ws.append([world.teacher_usernames[a], teacher_name(world, a), 20, "合格", 90])  # row 2
    ws.append([None] * 5)                                                             # row 3, cleared
    ws.append([world.teacher_usernames[b], teacher_name(world, b), 25, "合格", None])  # row 4: more hours than 20
    ws.append([world.teacher_usernames[a], teacher_name(world, a), 18, "合格", None])  # row 5: a again
    bad = _upload(inst, p["id"], wb)
    assert bad.status_code == 422
    back = load_workbook(io.BytesIO(bad.content)).active
    assert back.cell(row=3, column=6).value is None
    assert "学时" in back.cell(row=4, column=6).value and back.cell(row=4, column=3).comment is not None
    assert "第 2 行" in back.cell(row=5, column=6).value
    ws.delete_rows(5)
    ws.cell(row=4, column=3, value=16)
    ws.append([None] * 5)
    ws.append([world.teacher_usernames[c], teacher_name(world, c), 12, "不合格", None])  # row 6, after another gap
    ok = _upload(inst, p["id"], wb)
    assert ok.status_code == 200 and ok.json()["saved"] == 3, ok.text
    assert len(inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]) == 3
