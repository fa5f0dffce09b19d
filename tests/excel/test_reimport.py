"""Issue 20, point 2: an ordinary school exports its teachers and imports the file again.

Through the pages a school uses (教师信息管理 → 导出选中教师 → 数据导入), on demo-like data: teachers
filled by the demo's own generator (web.demo.fill_records), one whose file is approved through
the whole review route, one waiting for review, and two who have an account and nothing else
yet (made through the teacher-account API). SQLite by default, PostgreSQL with
``TMIS_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import io
import random
import re
import time
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from engine import idnumber
from tests.review.filegen import complete_file
from tests.web.conftest import *  # noqa: F401,F403  (fixtures: db_url, settings, app, ctx, world, as_user …)
from tests.web.conftest import Client, csrf_of, four_items, new_id_number
from web.db.models import Record, Teacher

SCHOOL = "3601020001"  # the world's 东湖区第一小学 (route: school → 360102 → 3601 → 36)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REVIEW = "/api/v1/review"


def _add(ctx: Any, name: str, sets: dict[str, list[dict[str, Any]]], idn: str) -> int:
    from web.services import teachers as teacher_service
    from web.services import units as unit_service

    with ctx.sessions() as db:
        unit = unit_service.by_code(db, SCHOOL)
        items = teacher_service.FourItems.parse(name=name, gender=idnumber.gender(idn),
                                                birth_date=idnumber.birth_date(idn), id_number=idn)
        teacher = teacher_service.create_raw(db, unit, items, catalogue_version=ctx.catalogue.version)
        basic = db.scalar(select(Record).where(Record.teacher_id == teacher.id, Record.set_key == "basic"))
        for key, docs in sets.items():
            if key == "basic":
                basic.document = docs[0]
                continue
            for i, doc in enumerate(docs):
                db.add(Record(teacher_id=teacher.id, set_key=key, position=i, document=doc,
                              catalogue_version=ctx.catalogue.version))
        db.commit()
        return teacher.id


def _demo_teacher(ctx: Any, seed: int) -> int:
    """A teacher as ``tmis demo`` makes them: every set filled by the demo's generator."""
    from faker import Faker

    from web.demo import Person, fill_records

    rng, fake = random.Random(seed), Faker("zh_CN")
    fake.seed_instance(seed)
    birth = date(1975 + seed % 20, 1 + seed % 12, 1 + seed % 27)
    idn = new_id_number("360102", birth, male=seed % 2 == 0)
    birth = date.fromisoformat(idnumber.birth_date(idn))
    person = Person(fake.name(), idnumber.gender(idn), birth, idn)
    family = ctx.catalogue.family_of("primary")
    return _add(ctx, person.name, fill_records(ctx.catalogue, family, person, rng, fake), idn)


def _complete_teacher(ctx: Any, name: str) -> int:
    idn = new_id_number("360102", date(1984, 6, 1))
    file = complete_file(ctx.catalogue, "primary", name, idn)
    return _add(ctx, name, {k: (v if isinstance(v, list) else [v]) for k, v in file.items()}, idn)


def _submit(as_user: Any, tid: int) -> dict[str, Any]:
    r = as_user(f"info_manager@{SCHOOL}").post(f"{REVIEW}/files/{tid}/submit", json={})
    assert r.status_code == 200, r.text
    return r.json()


def _approve(as_user: Any, tid: int) -> None:
    case = _submit(as_user, tid)
    for unit in (SCHOOL, "360102", "3601", "36"):
        r = as_user(f"info_reviewer@{unit}").post(f"{REVIEW}/cases/{case['id']}/approve",
                                                  json={"version": case["version"]})
        assert r.status_code == 200, r.text
        case = r.json()
    assert case["status"] == "approved"


@pytest.fixture(scope="module")
def school_file(app, ctx, world) -> dict[str, Any]:
    """The school's teachers of this module, by kind."""
    drafts = [_demo_teacher(ctx, seed) for seed in (3, 4)]
    approved = _complete_teacher(ctx, "审核通过教师")
    pending = _complete_teacher(ctx, "待审核教师")
    admin = Client(app, f"system_admin@{SCHOOL}")
    accounts = []
    for name in ("只有账号甲", "只有账号乙"):
        r = admin.post("/api/v1/teacher-accounts", json={"unit_code": SCHOOL, **four_items("360102", name)})
        assert r.status_code in (200, 201), r.text
        accounts.append(r.json()["teacher_id"])

    def client(username: str) -> Client:
        return Client(app, username)
    _approve(client, approved)
    _submit(client, pending)
    return {"drafts": drafts, "approved": approved, "pending": pending, "accounts": accounts,
            "all": [*drafts, approved, pending, *accounts]}


def _state(ctx: Any, ids: list[int]) -> dict[int, Any]:
    """Everything an import could change: each teacher's row and every record, with versions."""
    with ctx.sessions() as db:
        teachers = {t.id: (t.name, t.state, t.updated_at) for t in db.scalars(select(Teacher).where(Teacher.id.in_(ids)))}
        records = [(r.id, r.teacher_id, r.set_key, r.position, r.document, r.version, r.state, r.updated_at)
                   for r in db.scalars(select(Record).where(Record.teacher_id.in_(ids)).order_by(Record.id))]
    return {"teachers": teachers, "records": records}


def _export_from_the_list(c: Client, ids: list[int]) -> bytes:
    """教师信息管理: tick the teachers, 导出选中教师 (the button posts the list's form to /excel/export)."""
    page = c.get("/forms/teachers")
    assert page.status_code == 200 and 'formaction="/excel/export"' in page.text
    r = c.post("/excel/export", data={"_csrf_token": csrf_of(page.text), "teacher": [str(i) for i in ids]})
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX), r.text[:300]
    return r.content


def _import_on_the_page(c: Client, content: bytes, **options: str) -> str:
    """数据导入: choose the file and 导入; the page redirects to the job, whose status is polled."""
    page = c.get("/excel/import")
    assert page.status_code == 200
    r = c.post("/excel/import", data={"_csrf_token": csrf_of(page.text), "unit": SCHOOL, **options},
               files={"file": ("教师导出.xlsx", content, XLSX)}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    job = r.headers["location"]
    deadline = time.monotonic() + 60
    while True:
        status = c.get(f"{job}/status")
        assert status.status_code == 200
        if re.search(r'data-state="(done|failed)"', status.text) or time.monotonic() > deadline:
            return status.text
        time.sleep(0.2)


def _job(c: Client, content: bytes, **options: str) -> dict[str, Any]:
    r = c.post("/api/v1/imports", files={"file": ("教师导出.xlsx", content, XLSX)},
               data={"unit": SCHOOL, **options}, headers={"x-csrftoken": "1"})
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 60
    while True:
        body = c.get(r.json()["url"]).json()
        if body["state"] in ("done", "failed") or time.monotonic() > deadline:
            assert body["state"] == "done", body
            return body["result"]
        time.sleep(0.1)


def test_an_unchanged_export_imports_again_and_changes_nothing(as_user, ctx, school_file) -> None:
    c = as_user(f"info_manager@{SCHOOL}")
    ids = school_file["all"]
    content = _export_from_the_list(c, ids)
    ws = openpyxl.load_workbook(io.BytesIO(content))["基本信息"]
    assert ws.max_row == 1 + len(ids)  # the account-only teachers are in the file too
    before = _state(ctx, ids)
    html = _import_on_the_page(c, content)
    assert 'data-state="done"' in html and "导入成功" in html, html
    assert 'id="job-errors"' not in html
    unchanged = re.search(r'id="job-unchanged">(\d+) 位教师', html)
    assert unchanged and int(unchanged.group(1)) == len(ids)
    assert _state(ctx, ids) == before
    # the same file with 删除已有数据再追加 (replace): still nothing to change, nothing deleted
    result = _job(c, content, subtables="replace")
    assert result["error_count"] == 0 and result["teachers_unchanged"] == len(ids), result["errors"]
    assert result["teachers_updated"] == 0 and result["records_written"] == 0
    assert _state(ctx, ids) == before


def test_changed_rows_of_locked_files_are_reported_row_by_row(as_user, ctx, school_file) -> None:
    c = as_user(f"info_manager@{SCHOOL}")
    ids = school_file["all"]
    wb = openpyxl.load_workbook(io.BytesIO(_export_from_the_list(c, ids)))
    basic = wb["基本信息"]
    header = [str(cell.value).rstrip("*") for cell in basic[1]]
    col = {h.split("(")[0]: i + 1 for i, h in enumerate(header)}
    with ctx.sessions() as db:
        number = {tid: db.get(Teacher, tid).id_number for tid in ids}
    row_of = {basic.cell(r, col["身份证件号"]).value: r for r in range(2, basic.max_row + 1)}
    approved_row, pending_row = row_of[number[school_file["approved"]]], row_of[number[school_file["pending"]]]
    draft_row = row_of[number[school_file["drafts"][0]]]
    basic.cell(approved_row, col["备注"], "导入时改了备注")
    basic.cell(pending_row, col["备注"], "导入时改了备注")
    basic.cell(draft_row, col["备注"], "草稿教师的新备注")
    # a new training record for the approved teacher: an addition, not through an import
    training = wb["国内培训"]
    first = next(r for r in range(2, training.max_row + 1)
                 if training.cell(r, 2).value == number[school_file["approved"]])
    training.append([training.cell(first, j).value for j in range(1, training.max_column + 1)])
    training.cell(training.max_row, 5, "另一个培训项目")
    out = io.BytesIO()
    wb.save(out)
    before = _state(ctx, ids)

    result = _job(c, out.getvalue(), partial="1")  # 部分导入: the teachers without errors are written
    errors = [(e["sheet"], e["row"], e["rule"], e["column"]) for e in result["errors"] if e["severity"] == "error"]
    letter = openpyxl.utils.get_column_letter(col["备注"])
    assert sorted(errors) == sorted([("基本信息", approved_row, "V330", letter),
                                     ("国内培训", training.max_row, "V330", "B"),
                                     ("基本信息", pending_row, "V331", letter)]), result["errors"]
    said = {(e["sheet"], e["rule"]): e for e in result["errors"]}
    assert "会修改「备注」" in said[("基本信息", "V330")]["message"]
    assert "不是档案中已有的「国内培训」记录" in said[("国内培训", "V330")]["message"]
    assert "申请变更" in said[("基本信息", "V330")]["hint"] and "复本" in said[("基本信息", "V330")]["hint"]
    assert "会修改「备注」" in said[("基本信息", "V331")]["message"] and "退回" in said[("基本信息", "V331")]["hint"]
    assert result["teachers_updated"] == 1 and result["teachers_unchanged"] == len(ids) - 3
    after = _state(ctx, ids)
    with ctx.sessions() as db:
        draft = db.scalar(select(Record).where(Record.teacher_id == school_file["drafts"][0], Record.set_key == "basic"))
        assert draft.document["remark"] == "草稿教师的新备注"
    changed = {r[0] for r in after["records"]} ^ {r[0] for r in before["records"]}
    assert not changed  # no record added or deleted
    assert [r for r in after["records"] if r[1] != school_file["drafts"][0]] == \
        [r for r in before["records"] if r[1] != school_file["drafts"][0]]


def test_account_only_teachers_are_checked_once_their_row_is_filled(as_user, ctx, school_file) -> None:
    """An account-only teacher's row (the four items) passes as it is; a row the school starts to
    fill is checked like any other, each missing required field named."""
    c = as_user(f"info_manager@{SCHOOL}")
    only = school_file["accounts"][0]
    wb = openpyxl.load_workbook(io.BytesIO(_export_from_the_list(c, [only])))
    basic = wb["基本信息"]
    header = [str(cell.value).rstrip("*").split("(")[0] for cell in basic[1]]
    basic.cell(2, header.index("籍贯") + 1, "江西南昌")
    out = io.BytesIO()
    wb.save(out)
    result = _job(c, out.getvalue())
    rules = {e["rule"] for e in result["errors"]}
    assert rules == {"V001"} and result["imported"] == 0, result["errors"]
    assert not any(e["header"] and e["header"].startswith("籍贯") for e in result["errors"])
    assert any(e["header"] and e["header"].startswith("参加工作年月") for e in result["errors"])


def test_a_teacher_on_file_elsewhere_is_pointed_to_that_unit(as_user, ctx, world, school_file) -> None:
    """Issue 20.3: no 「教师调动」 is promised while there is none: contact the unit on file."""
    c = as_user(f"info_manager@{SCHOOL}")
    content = _export_from_the_list(c, [school_file["drafts"][1]])
    result = _job(as_user("info_manager@3601020002"), content, unit="3601020002")
    said = [e for e in result["errors"] if e["rule"] == "V215"]
    assert said and all("东湖区第一小学" in e["message"] for e in said)
    assert "「东湖区第一小学」或其上级教育行政部门联系" in said[0]["hint"] and "调动" not in said[0]["hint"]
