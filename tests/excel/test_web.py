"""The Excel features over HTTP (real app, real database, the real national catalogue of province 36):
template download, upload → background job → result → report, scope and permissions, bad files,
export within scope with formula cells neutralised, and the 管理端 pages.

Uses the web tier's fixtures (tests/web/conftest.py): SQLite by default, PostgreSQL with
``TMIS_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from typing import Any, Iterator

import openpyxl
import pytest
from sqlalchemy import select

from engine import idnumber
from engine.emit.excel_template import emit_excel_template, sheet_columns
from tests.web.conftest import *  # noqa: F401,F403  (fixtures: db_url, settings, app, ctx, world, as_user …)
from tests.web.conftest import Client, csrf_of, new_id_number
from web.db.models import AuditEntry, Record, Teacher

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCHOOL = "3601029301"  # made by this module, under 东湖区 (360102)


@pytest.fixture(scope="module")
def school(ctx, world) -> str:
    from web.services import units as unit_service

    with ctx.sessions() as db:
        if unit_service.by_code(db, SCHOOL) is None:
            unit_service.create_unit_raw(db, code=SCHOOL, name="东湖区导入测试小学", level="school",
                                         parent=unit_service.by_code(db, "360102"), school_type="primary")
            db.commit()
    return SCHOOL


def person(birth: dt.date = dt.date(1986, 5, 17)) -> tuple[str, str, dt.date]:
    idn = new_id_number("360102", birth)
    return ("导入教师", idn, dt.date.fromisoformat(idnumber.birth_date(idn)))


def cells(name: str, idn: str, birth: dt.date) -> dict[str, list[dict[str, Any]]]:
    """A complete 基本信息 row and one 学习经历 row, by field key, as a school fills the template."""
    y = birth.year
    basic = {"name": name, "gender": "男" if int(idn[16]) % 2 else "女", "nationality": "中国",
             "id_type": "居民身份证", "id_number": idn, "birth_date": birth.isoformat(), "ethnic_group": "汉族",
             "political_status": "中国共产党党员", "work_start_month": f"{y + 22}-09", "entry_month": f"{y + 25}-09",
             "staff_source": "应届毕业生", "staff_category": "专任教师", "on_establishment": "是",
             "contract": "聘用合同", "normal_major": "是", "special_ed_trained": "否", "special_ed_certificate": "否",
             "it_ability": "熟练", "free_normal_student": "否", "grassroots_service": "否",
             "special_grade_teacher": "否", "backbone_teacher": "否", "psych_teacher": "否",
             "person_status": "在本单位任职"}
    education = {"@name": name, "@id_number": idn, "edu_level": "大学本科毕业", "edu_country": "中国",
                 "institution": "江西师范大学", "major": "汉语言文学", "normal_major": "是",
                 "enrolment_month": f"{y + 18}-09", "graduation_month": f"{y + 22}-07", "degree_level": "学士",
                 "degree": "文学学士学位", "degree_country": "中国", "degree_institution": "江西师范大学",
                 "degree_month": f"{y + 22}-07", "study_mode": "全脱产(离岗)"}
    return {"basic": [basic], "education": [education]}


def workbook(cat: Any, people: list[dict[str, list[dict[str, Any]]]]) -> bytes:
    family = cat.family_of("primary")

    def rows(set_key: str) -> Iterator[list[Any]]:
        keys = [k for k, _ in sheet_columns(cat.view(set_key, family))]
        for p in people:
            for row in p.get(set_key, []):
                yield [row.get(k) for k in keys]

    out = io.BytesIO()
    emit_excel_template(cat, "primary", write_only=True, rows=rows).save(out)
    return out.getvalue()


def csrf(client: Client) -> dict[str, str]:
    return {"x-csrftoken": csrf_of(client.get("/account/password").text)}  # the session's page token


def upload(client: Client, content: bytes, *, name: str = "教师.xlsx", **options: str) -> Any:
    return client.post("/api/v1/imports", files={"file": (name, content, XLSX)}, data=options,
                       headers=csrf(client))


def wait(client: Client, job: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        r = client.get(f"/api/v1/imports/{job}")
        assert r.status_code == 200, r.text
        body = r.json()
        if body["state"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def teachers_at(ctx, code: str) -> dict[str, int]:
    from web.services import units as unit_service

    with ctx.sessions() as db:
        unit = unit_service.by_code(db, code)
        return {t.id_number: t.id for t in db.scalars(select(Teacher).where(Teacher.unit_id == unit.id))}


# ------------------------------------------------------------------ template


def test_template_download_for_the_callers_unit_and_a_chosen_type(as_user, world) -> None:
    c = as_user("info_manager@3601020001")
    r = c.get("/api/v1/template")
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert "基本信息" in wb.sheetnames
    assert any(str(c.value).startswith("身份证件号") for c in wb["基本信息"][1])
    kg = c.get("/api/v1/template", params={"school_type": "kindergarten"})
    assert kg.status_code == 200 and "kindergarten" in kg.headers["content-disposition"]
    bad = c.get("/api/v1/template", params={"school_type": "castle"})
    assert bad.status_code == 422 and bad.json()["code"] == "W704"
    assert as_user("info_viewer@3601020001").get("/api/v1/template").status_code == 403


# ------------------------------------------------------------------ import


def test_upload_job_result_and_report(as_user, ctx, school) -> None:
    c = as_user("info_manager@360102")
    good, bad = person(), person(dt.date(1979, 2, 3))
    bad_cells = cells(*bad)
    bad_cells["basic"][0]["birth_date"] = "1979-02-04"          # differs from the ID number
    bad_cells["education"][0]["graduation_month"] = "2099-13"    # not a month
    content = workbook(ctx.catalogue, [cells(*good), bad_cells])

    r = upload(c, content, unit=school)
    assert r.status_code == 202, r.text
    job = wait(c, r.json()["job"])
    assert job["state"] == "done", job
    assert job["rows"] == 4 and job["imported"] == 0 and job["progress"] == 100
    found = {(e["sheet"], e["rule"]) for e in job["errors"]}
    assert ("基本信息", "basic.id_birth_date") in found, job["errors"]
    assert any(sheet == "学习经历" for sheet, _ in found)
    assert all({"sheet", "row", "column", "rule", "message", "hint"} <= set(e) for e in job["errors"])
    # read in English, the same job speaks English, with the catalogue's fix where it has one
    english = c.get(f"/api/v1/imports/{job['id']}?lang=en").json()
    month = next(e for e in english["errors"] if e["sheet"] == "学习经历")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in month["message"]) and month["message"] != next(
        e for e in job["errors"] if e["sheet"] == "学习经历")["message"]
    assert english["result"]["errors"] == english["errors"]
    assert month["hint"].startswith("For example: ")  # the format's own example (V002)
    assert teachers_at(ctx, school) == {}                       # all or nothing: nothing written

    report = c.get(job["report_url"])
    assert report.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(report.content))
    assert "错误清单" in wb.sheetnames
    marked = [cell for row in wb["基本信息"].iter_rows() for cell in row
              if cell.comment is not None and "basic.id_birth_date" in cell.comment.text]
    assert marked and marked[0].row == 3

    # a dry run of the good teacher writes nothing; the real run writes and is audited
    dry = wait(c, upload(c, workbook(ctx.catalogue, [cells(*good)]), unit=school, dry_run="true").json()["job"])
    assert dry["state"] == "done" and dry["errors"] == [] and dry["result"]["dry_run"] is True
    assert teachers_at(ctx, school) == {}
    done = wait(c, upload(c, workbook(ctx.catalogue, [cells(*good)]), unit=school).json()["job"])
    assert done["state"] == "done" and done["imported"] == 2 and done["errors"] == [], done
    assert list(teachers_at(ctx, school)) == [good[1]]
    assert done["report_url"] is None and c.get(f"/api/v1/imports/{done['id']}/report").status_code == 404
    with ctx.sessions() as db:
        actions = [a.detail for a in db.scalars(select(AuditEntry).where(AuditEntry.action == "excel.import"))]
    assert any(d["written"] and d["imported"] == 2 for d in actions)


def test_a_place_name_several_places_have_is_refused_with_the_choices(as_user, ctx, school) -> None:
    """出生地 朝阳区 is in Beijing and in Changchun: the import lists both as "code-label" (the
    fast path declines the row, the plain path words it) and takes the one written so."""
    c = as_user("info_manager@360102")
    ambiguous, exact = cells(*person(dt.date(1983, 4, 5))), cells(*person(dt.date(1984, 6, 7)))
    ambiguous["basic"][0]["birth_place"] = "朝阳区"
    exact["basic"][0]["birth_place"] = "110105-朝阳区"
    job = wait(c, upload(c, workbook(ctx.catalogue, [ambiguous, exact]), unit=school, dry_run="true").json()["job"])
    assert [(e["row"], e["rule"]) for e in job["errors"]] == [(2, "V017")], job["errors"]
    error = job["errors"][0]
    assert "110105-朝阳区" in error["message"] and "220104-朝阳区" in error["message"] and error["hint"]


def test_reports_past_their_time_are_deleted(as_user, ctx, school, monkeypatch, tmp_path) -> None:
    """An error report is a copy of the uploaded workbook (personal data): it is kept for
    TMIS_IMPORT_KEEP_DAYS after its job ended, then deleted at the next upload, with anything
    else left in the work directory that long."""
    import os
    from pathlib import Path

    from web.excel.models import Job

    monkeypatch.setenv("TMIS_IMPORT_DIR", str(tmp_path))
    monkeypatch.setenv("TMIS_IMPORT_KEEP_DAYS", "7")
    c = as_user("info_manager@360102")

    def wrong() -> bytes:
        row = cells(*person(dt.date(1981, 4, 5)))
        row["basic"][0]["birth_date"] = "1981-04-06"  # differs from the ID number: a report is made
        return workbook(ctx.catalogue, [row])

    old = wait(c, upload(c, wrong(), unit=school).json()["job"])
    assert c.get(old["report_url"]).status_code == 200
    eight_days_ago = time.time() - 8 * 86_400
    with ctx.sessions() as db, db.begin():
        job = db.get(Job, old["id"])
        job.finished_at = dt.datetime.fromtimestamp(eight_days_ago, dt.timezone.utc)
        report = Path(job.report_path)
    stray = tmp_path / "upload-left-by-a-stopped-process.xlsx"
    stray.write_bytes(b"PK")
    for path in (report, stray):
        os.utime(path, (eight_days_ago, eight_days_ago))

    new = wait(c, upload(c, wrong(), unit=school).json()["job"])
    assert not report.exists() and not stray.exists()
    assert c.get(f"/api/v1/imports/{old['id']}/report").status_code == 404
    assert wait(c, old["id"])["report_url"] is None
    assert c.get(new["report_url"]).status_code == 200  # a report of today stays


def test_partial_import_writes_the_clean_teachers(as_user, ctx, school) -> None:
    c = as_user("info_manager@360102")
    good, bad = person(dt.date(1990, 1, 9)), person(dt.date(1991, 4, 2))
    bad_cells = cells(*bad)
    bad_cells["basic"][0]["staff_category"] = "宇航员"  # not a code
    job = wait(c, upload(c, workbook(ctx.catalogue, [cells(*good), bad_cells]), unit=school,
                         partial="true").json()["job"])
    assert job["state"] == "done"
    from engine import errors as E

    assert [(e["sheet"], e["rule"], e["row"]) for e in job["errors"]] == [("基本信息", E.V_UNKNOWN_CODE, 3)]
    assert job["imported"] == 2
    here = teachers_at(ctx, school)
    assert good[1] in here and bad[1] not in here


def test_out_of_scope_unit_is_refused(as_user, ctx, school) -> None:
    content = workbook(ctx.catalogue, [cells(*person())])
    for username in ("info_manager@360103", "info_manager@3602020001"):
        r = upload(as_user(username), content, unit=school)
        assert r.status_code == 404 and r.json()["code"] == "W301", r.text
    # not a school
    r = upload(as_user("info_manager@360102"), content, unit="360102")
    assert r.status_code == 422 and r.json()["code"] == "W703"


def test_viewer_and_reviewer_cannot_import(as_user, ctx, school) -> None:
    content = workbook(ctx.catalogue, [cells(*person())])
    for username in ("info_viewer@360102", "info_reviewer@360102"):
        r = upload(as_user(username), content, unit=school, name="viewer.xlsx")
        assert r.status_code == 403 and r.json()["code"] == "W201", r.text
    with ctx.sessions() as db:
        from web.excel.models import Job

        assert db.scalar(select(Job).where(Job.file_name == "viewer.xlsx")) is None


def test_someone_elses_job_is_not_found(as_user, ctx, school) -> None:
    c = as_user("info_manager@360102")
    job = upload(c, workbook(ctx.catalogue, [cells(*person())]), unit=school, dry_run="1").json()["job"]
    wait(c, job)
    assert as_user("info_manager@360202").get(f"/api/v1/imports/{job}").status_code == 404
    assert as_user("info_manager@360202").get(f"/api/v1/imports/{job}/report").status_code == 404
    # someone who may import into the same school sees it
    assert as_user("info_entry@360102").get(f"/api/v1/imports/{job}").status_code == 200


@pytest.mark.parametrize("name,content,code", [
    ("notes.xlsx", "这不是表格".encode(), "V201"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "V201"),
    ("broken.xlsx", b"PK\x03\x04" + b"\0" * 100, "V202"),
])
def test_bad_file_gives_a_clear_json_error(as_user, ctx, school, name: str, content: bytes, code: str) -> None:
    c = as_user("info_manager@360102")
    r = upload(c, content, name=name, unit=school)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == code and body["imported"] == 0 and body["errors"][0]["rule"] == code
    assert name in body["message"] and body["message_en"]
    with ctx.sessions() as db:
        from web.excel.models import Job

        assert not [j for j in db.scalars(select(Job)) if j.file_name == name]


def test_upload_needs_a_file_and_the_csrf_header(as_user, school) -> None:
    c = as_user("info_manager@360102")
    r = c.post("/api/v1/imports", data={"unit": school}, files={"other": ("x.txt", b"x", "text/plain")},
               headers=csrf(c))
    assert r.status_code == 400 and r.json()["code"] == "W706"
    r = c.post("/api/v1/imports", files={"file": ("a.xlsx", b"x", XLSX)}, data={"unit": school})
    assert r.status_code == 403 and r.json()["code"] == "W112"  # a cross-site form could send this
    r = upload(c, b"x", unit=school, subtables="merge")
    assert r.status_code == 400 and r.json()["code"] == "W901"


# ------------------------------------------------------------------ export


def _with_formula_remark(ctx, teacher_id: int) -> None:
    with ctx.sessions() as db:
        rec = db.scalar(select(Record).where(Record.teacher_id == teacher_id, Record.set_key == "basic",
                                             Record.copy_of_id.is_(None)))
        if rec is None:
            rec = Record(teacher_id=teacher_id, set_key="basic", position=0, document={}, catalogue_version="test",
                         version=1, state="draft")
            db.add(rec)
        rec.document = {**(rec.document or {}), "remark": '=HYPERLINK("http://evil","x")', "former_name": "+1"}
        db.commit()


def test_export_contains_only_teachers_in_scope_and_neutralises_formulas(as_user, ctx, world) -> None:
    mine = world.teachers["3601020001"]
    other = world.teachers["3602020001"]  # 景德镇: outside 东湖区
    _with_formula_remark(ctx, mine[0])
    c = as_user("info_manager@360102")
    r = c.post("/api/v1/exports", json={"teacher_ids": [*mine, *other], "sets": ["basic"]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(XLSX)
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["基本信息"]
    header = [str(cell.value or "") for cell in ws[1]]
    id_col = next(i for i, h in enumerate(header) if h.startswith("身份证件号"))
    remark_col = next(i for i, h in enumerate(header) if h.startswith("备注"))
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    with ctx.sessions() as db:
        numbers = {t.id: t.id_number for t in db.scalars(select(Teacher).where(Teacher.id.in_(mine + other)))}
    exported = {row[id_col] for row in rows}
    assert exported == {numbers[t] for t in mine if numbers[t] in exported} and exported
    assert not exported & {numbers[t] for t in other}
    remarks = [row[remark_col] for row in rows if row[remark_col]]
    assert remarks == ['\'=HYPERLINK("http://evil","x")'], remarks
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for row in rows for v in row)
    with ctx.sessions() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "excel.export")
                           .order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.detail["teachers"] == len(exported)


def _ids_in(content: bytes) -> set[str]:
    ws = openpyxl.load_workbook(io.BytesIO(content))["基本信息"]
    col = [str(c.value or "").startswith("身份证件号") for c in ws[1]].index(True)
    return {row[col] for row in ws.iter_rows(min_row=2, values_only=True)}


def test_export_across_template_families_is_a_zip_of_one_workbook_each(as_user, ctx, world) -> None:
    with ctx.sessions() as db:
        numbers = {t.id: t.id_number for t in db.scalars(select(Teacher))}
    kindergarten = {numbers[t] for t in world.teachers["3601030001"]}
    primary = {numbers[t] for t in world.teachers["3601020001"] + world.teachers["3601020002"]}
    c = as_user("info_manager@3601")  # 南昌市: primary and junior schools, and a kindergarten
    r = c.post("/api/v1/exports", json={"sets": ["basic"]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/zip")
    assert 'filename="tmis-export-36.zip"' in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        books = {name: _ids_in(zf.read(name)) for name in zf.namelist()}
    assert set(books) == {"tmis-export-36-中小学.xlsx", "tmis-export-36-幼儿园.xlsx"}
    assert books["tmis-export-36-幼儿园.xlsx"] == kindergarten
    assert primary <= books["tmis-export-36-中小学.xlsx"] and not kindergarten & books["tmis-export-36-中小学.xlsx"]
    # one family asked for: one workbook
    r = c.post("/api/v1/exports", json={"sets": ["basic"], "school_type": "kindergarten"})
    assert r.headers["content-type"].startswith(XLSX) and _ids_in(r.content) == kindergarten
    # a selection within one family: one workbook, as before
    r = c.post("/api/v1/exports", json={"teacher_ids": world.teachers["3601030001"], "sets": ["basic"]})
    assert r.headers["content-type"].startswith(XLSX) and _ids_in(r.content) == kindergarten


def test_export_refused_without_personal_read(as_user, world) -> None:
    r = as_user("info_viewer@360102").post("/api/v1/exports", json={"teacher_ids": world.teachers["3601020001"]})
    assert r.status_code == 403 and r.json()["code"] == "W201"
    r = as_user("info_manager@360102").post("/api/v1/exports", json={"sets": ["castles"]})
    assert r.status_code == 422 and r.json()["code"] == "W705"


# ------------------------------------------------------------------ pages


def test_import_page_upload_progress_and_result(as_user, ctx, school) -> None:
    c = as_user("info_manager@360102")
    page = c.get("/excel/import")
    assert page.status_code == 200 and 'id="upload-form"' in page.text and "/api/v1/template" in page.text
    assert f'value="{school}"' in page.text
    # the template's school types by name, the caller's first (a county: 中小学)
    assert '<option value="primary_secondary" selected>中小学</option>' in page.text
    assert '<option value="kindergarten">幼儿园</option>' in page.text
    token = csrf_of(page.text)
    bad = cells(*person(dt.date(1982, 8, 8)))
    bad["basic"][0]["entry_month"] = "1990-01"  # before work started
    r = c.post("/excel/import", files={"file": ("本校.xlsx", workbook(ctx.catalogue, [bad]), XLSX)},
               data={"_csrf_token": token, "unit": school, "subtables": "append"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    job_id = url.rsplit("/", 1)[-1]
    wait(c, job_id)
    page = c.get(url)
    assert page.status_code == 200 and 'id="job-status"' in page.text
    status = c.get(f"{url}/status")
    assert 'data-state="done"' in status.text and "hx-trigger" not in status.text  # polling stops
    assert "basic.entry_after_work" in status.text and 'id="report-link"' in status.text
    # the message first, the rule id after it in small type; the severity in words (issue 20.8)
    row = status.text[status.text.index('id="job-errors"'):]
    row = row[row.index("<tbody>"):]
    row = row[:row.index("</tr>")]
    assert re.search(r"<td>错误</td><td>[^<]+.*<span class=\"muted small code\">basic\.entry_after_work</span>", row, re.S), row
    assert 'class="mono">basic.entry_after_work' not in status.text


def test_import_page_shows_a_bad_file_and_needs_the_csrf_token(as_user, school) -> None:
    c = as_user("info_manager@360102")
    token = csrf_of(c.get("/excel/import").text)
    r = c.post("/excel/import", files={"file": ("坏文件.xlsx", b"not a workbook", XLSX)},
               data={"_csrf_token": token, "unit": school})
    assert r.status_code == 422 and 'id="import-file-errors"' in r.text and "坏文件.xlsx" in r.text
    item = r.text[r.text.index('id="import-file-errors"'):]
    item = item[item.index("<li>") + 4:item.index("</li>")]
    assert not item.lstrip().startswith("<span") and "坏文件.xlsx" in item.split("<span")[0]  # the message, not a code, first
    r = c.post("/excel/import", files={"file": ("a.xlsx", b"x", XLSX)}, data={"unit": school})
    assert r.status_code == 403


def test_running_job_fragment_polls(as_user, ctx, school) -> None:
    from web.db.models import Account
    from web.excel import jobs

    c = as_user("info_manager@360102")
    with ctx.sessions() as db:
        account_id = db.scalar(select(Account.id).where(Account.username == "info_manager@360102"))
    job = jobs.create(ctx.sessions, "excel.import", unit_id=None, actor_id=account_id, file_name="x.xlsx", options={})
    jobs.update(ctx.sessions, job, state="running", phase="check", done=30, total=100)
    r = c.get(f"/excel/import/jobs/{job}/status")
    assert r.status_code == 200, r.text
    assert 'hx-trigger="every 1s"' in r.text and 'value="65"' in r.text
    assert as_user("info_manager@360103").get(f"/excel/import/jobs/{job}/status").status_code == 404


def test_teacher_list_offers_export_and_import(as_user, world) -> None:
    c = as_user("info_manager@3601020001")
    page = c.get("/forms/teachers")
    assert 'id="export-selected"' in page.text and 'formaction="/excel/export"' in page.text
    token = csrf_of(page.text)
    ids = world.teachers["3601020001"][:2]
    r = c.post("/excel/export", data={"_csrf_token": token, "teacher": [str(i) for i in ids]})
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["基本信息"]
    assert ws.max_row == 1 + len(ids)
    # the sets ticked under the button: only those sheets
    assert 'id="export-sets"' in page.text and 'name="sets" value="education"' in page.text
    r = c.post("/excel/export", data={"_csrf_token": token, "teacher": [str(i) for i in ids], "sets": ["basic"]})
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert "基本信息" in wb.sheetnames and "学习经历" not in wb.sheetnames
    viewer = as_user("info_viewer@3601020001").get("/forms/teachers")
    assert 'id="export-selected"' not in viewer.text


def test_too_large_upload_is_refused(as_user, ctx, school, monkeypatch) -> None:
    monkeypatch.setenv("TMIS_IMPORT_MAX_MB", "0")
    r = upload(as_user("info_manager@360102"), workbook(ctx.catalogue, [cells(*person())]), name="大文件.xlsx",
               unit=school)
    assert r.status_code == 422 and r.json()["code"] == "V219" and "大文件.xlsx" in r.json()["message"]
