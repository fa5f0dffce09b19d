"""Teacher accounts from a spreadsheet (issue 14 finding 7, issue 20 point 9): the Excel import's
limits and bad-file refusals, a background job with progress beyond a few rows, and an answer
that summarises (counts, the first rows, a report) instead of listing every row."""

from __future__ import annotations

import io
import itertools
import time
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.web.conftest import add_staff, csrf_of, four_items, post_form
from web.services import account_import
from web.services import units as unit_service

_n = itertools.count(7101)


@pytest.fixture()
def school(ctx, world) -> str:
    code = f"360103{next(_n):04d}"
    with ctx.sessions() as db:
        unit = unit_service.create_unit_raw(db, code=code, name=f"导入测试学校{code[-4:]}", level="school",
                                            parent=unit_service.by_code(db, "360103"), school_type="primary")
        add_staff(db, ctx, f"system_admin@{code}", unit, "system_admin", "校管理员")
        db.commit()
    return code


def _workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生日期", "身份证件号"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _good(school: str, n: int) -> list[list[Any]]:
    out = []
    for i in range(n):
        items = four_items(school[:6], f"导入{i}", male=i % 2 == 0)
        out.append([items["name"], "男" if i % 2 == 0 else "女", items["birth_date"], items["id_number"]])
    return out


def _bad(n: int) -> list[list[Any]]:
    return [[f"错{i}", "男", "1990-01-01", f"12345{i}"] for i in range(n)]


def _upload(client, school: str, content: bytes):
    return client.post(f"/api/v1/teacher-accounts/import?unit={school}",
                       files={"data": ("teachers.xlsx", content, "application/octet-stream")},
                       headers={"x-csrftoken": "1"})


def _wait(client, url: str) -> dict[str, Any]:
    for _ in range(600):
        body = client.get(url).json()
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError("the import job did not end")


@pytest.mark.parametrize("content, words", [
    (b"\x00\x01garbage bytes, not a workbook", "不是 Excel"),
    (b"PK\x03\x04 a zip that is not one", ""),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
])
def test_a_bad_file_is_refused_with_a_catalogue_message(as_user, school, content, words) -> None:
    r = _upload(as_user(f"system_admin@{school}"), school, content)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "W540" and body["message"].startswith("无法读取该文件") and body["message_en"]
    assert words in body["message"] + body["message_en"]


def test_the_import_row_limit_applies(as_user, school, monkeypatch) -> None:
    monkeypatch.setenv("TMIS_IMPORT_MAX_ROWS", "3")
    r = _upload(as_user(f"system_admin@{school}"), school, _workbook(_bad(4)))
    assert r.status_code == 400 and r.json()["code"] == "W540", r.text
    assert "3" in r.json()["message"]


def test_a_larger_import_runs_as_a_job_and_answers_a_summary_with_a_report(as_user, school, monkeypatch) -> None:
    monkeypatch.setenv("TMIS_IMPORT_ACCOUNTS_BACKGROUND_ROWS", "2")
    monkeypatch.setattr(account_import, "LISTED", 2)
    admin = as_user(f"system_admin@{school}")
    r = _upload(admin, school, _workbook(_good(school, 3) + _bad(4)))
    assert r.status_code == 202, r.text
    body = _wait(admin, r.json()["url"])
    assert body["state"] == "done" and body["progress"] == 100
    assert (body["rows"], body["created_count"], body["problem_count"]) == (7, 3, 4)
    assert len(body["created"]) == 2 and len(body["problems"]) == 2 and body["not_listed"] == 2
    assert [p["code"] for p in body["problems"]] == ["W403", "W403"]
    report = admin.get(body["report_url"])
    assert report.status_code == 200 and report.headers["content-type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(report.content))
    listed = [row for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True) if row[1]]
    assert sorted(row[1] for row in listed) == [5, 6, 7, 8]  # every problem, with its row


def test_the_page_shows_the_progress_bar_then_the_summary(as_user, school, monkeypatch) -> None:
    monkeypatch.setenv("TMIS_IMPORT_ACCOUNTS_BACKGROUND_ROWS", "1")
    admin = as_user(f"system_admin@{school}")
    r = post_form(admin, f"/admin/teacher-accounts?unit={school}", "/admin/teacher-accounts/import", {"unit": school},
                  files={"file": ("teachers.xlsx", _workbook(_good(school, 2) + _bad(1)), "application/octet-stream")})
    assert r.status_code == 303, r.text[:500]
    job_page = admin.get(r.headers["location"])
    assert job_page.status_code == 200 and 'id="account-import-status"' in job_page.text
    status_url = r.headers["location"] + "/status"
    for _ in range(600):
        fragment = admin.get(status_url).text
        if 'data-state="done"' in fragment:
            break
        assert "<progress" in fragment
        time.sleep(0.1)
    assert "成功 2 行，问题 1 行" in fragment and 'id="import-report"' in fragment


def test_another_school_s_job_is_not_found(as_user, school, world) -> None:
    admin = as_user(f"system_admin@{school}")
    r = _upload(admin, school, _workbook(_bad(1)))
    assert r.status_code == 200, r.text
    other = as_user("system_admin@3602020001")
    assert other.get(r.json()["url"]).json()["code"] == "W541"
    assert other.get(r.json()["report_url"]).status_code == 404


def test_the_unit_import_applies_the_same_limits(as_user, monkeypatch) -> None:
    from tests.web.conftest import post_form as form

    monkeypatch.setenv("TMIS_IMPORT_MAX_ROWS", "1")
    wb = Workbook()
    wb.active.append(["单位代码", "单位名称", "层级", "上级单位代码", "办学类型", "城乡类型"])
    for i in range(3):
        wb.active.append([f"36010299{i:02d}", f"限制{i}", "学校", "360102", "小学", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = form(as_user("system_admin@360102"), "/admin/units", "/admin/units/import", {"root": "360102"},
             files={"file": ("units.xlsx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 422 and "无法读取该文件" in r.text and "1" in r.text
