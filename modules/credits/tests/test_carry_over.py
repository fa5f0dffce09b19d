"""Carried-over credits (结转学分): a county's reviewer brings credits its teachers earned before the
system (the previous platform) or in another province (a credit certificate) into the credit bank;
they count towards the registration cycle they fall in; the same rows twice add nothing; every
wrong row is named and nothing is saved; a teacher outside the county reads as unknown; schools
and teachers cannot import."""

from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from modules.registration.tests.test_batch import due  # noqa: F401  (the fixture)
from tests.web.conftest import csrf_of, new_id_number
from web.db.models import AuditEntry, Teacher

API = "/api/v1/training/carry-over"
COUNTY = "info_reviewer@360102"


def _teacher(ctx, tid: int) -> tuple[str, str]:
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        return t.id_number, t.name


def _row(ctx, tid, **kw):
    idn, name = _teacher(ctx, tid)
    return {"id_number": idn, "name": name, "category": "face_to_face", "credits": 10, "hours": 100,
            "earned_on": "2024-06-30", "source": "原省继续教育平台"} | kw


def _training_unmet(client, tid) -> list[str]:
    body = client.get(f"/api/v1/teachers/{tid}/registration").json()
    return [u["message"] for u in body["unmet"] if "学分" in u["message"]]


def _audits(ctx) -> list[AuditEntry]:
    with ctx.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == "credits.carry_over")))


def test_carried_credits_count_in_the_cycle_and_the_same_rows_twice_add_nothing(ctx, world, as_user, due):  # noqa: F811
    tid = due(name="结转甲")
    county = as_user(COUNTY)
    cycle = county.get(f"/api/v1/teachers/{tid}/registration").json()
    inside = dt.date.fromisoformat(cycle["cycle_start"]) + dt.timedelta(days=400)
    assert _training_unmet(county, tid) == ["本周期学分 0/120"]
    audits = len(_audits(ctx))
    rows = [_row(ctx, tid, credits=100, hours=1000, earned_on=inside.isoformat()),
            # the category by its name as the template offers it; hours may be left out
            _row(ctx, tid, category="网络研修", credits="20.5", hours=None, earned_on=inside.isoformat(),
                 source="湖南省学分证明 2023-0012")]
    dry = county.post(API, json={"rows": rows, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert (dry.json()["saved"], dry.json()["rows"], dry.json()["credits"]) == (0, 2, "120.50")
    assert _training_unmet(county, tid) == ["本周期学分 0/120"]

    r = county.post(API, json={"rows": rows})
    assert r.status_code == 200, r.text
    assert (r.json()["saved"], r.json()["teachers"], r.json()["credits"]) == (2, 1, "120.50")
    assert _training_unmet(county, tid) == []           # 120.5 of 120: the training condition is met
    bank = county.get(f"/api/v1/teachers/{tid}/credits").json()
    assert bank["total"] == "120.50" and bank["by_category"] == {"face_to_face": "100.00", "online": "20.50"}
    entry = next(e for e in bank["entries"] if e["category"] == "online")
    assert (entry["kind"], entry["effective"], entry["note"], entry["rule_label"]) == \
        ("carried_over", inside.isoformat(), "湖南省学分证明 2023-0012", "结转（东湖区）")
    new = _audits(ctx)[audits:]
    assert len(new) == 1 and new[0].detail["rows"] == 2

    again = county.post(API, json={"rows": rows})
    assert again.status_code == 422 and again.json()["code"] == "W640"
    assert [(p["row"], p["column"]) for p in again.json()["problems"]] == [(1, "source"), (2, "source")]
    assert "已经结转过" in again.json()["problems"][0]["message"]
    assert county.get(f"/api/v1/teachers/{tid}/credits").json()["total"] == "120.50"
    assert len(_audits(ctx)) == audits + 1
    # the transcript (学分证明) names them as carried over by the county, with their source
    printed = county.get(f"/credits/teachers/{tid}/transcript").text
    assert "结转（东湖区）" in printed and "湖南省学分证明 2023-0012" in printed


def test_every_wrong_row_is_named_and_nothing_is_saved(ctx, world, as_user, new_teacher):
    tid = new_teacher("3601020002")
    county = as_user(COUNTY)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    good = _row(ctx, tid, source="原平台 第 1 笔")
    rows = [good,
            _row(ctx, tid, name="别的名字"),
            _row(ctx, tid, id_number=""),
            _row(ctx, tid, category="讲座"),
            _row(ctx, tid, credits=0),
            _row(ctx, tid, credits="1.234"),
            _row(ctx, tid, credits="很多"),
            _row(ctx, tid, hours=-1),
            _row(ctx, tid, earned_on="2024-02-30"),
            _row(ctx, tid, earned_on=tomorrow),
            _row(ctx, tid, earned_on="1900-01-01"),
            _row(ctx, tid, source=""),
            _row(ctx, tid, source="来" * 101),
            dict(good)]                                       # the first row again
    r = county.post(API, json={"rows": rows})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "W640" and body["message"].endswith("未保存任何一行")
    got = [(p["row"], p["column"]) for p in body["problems"]]
    assert got == [(2, "id_number"), (3, "id_number"), (4, "category"), (5, "credits"), (6, "credits"), (7, "credits"),
                   (8, "hours"), (9, "earned_on"), (10, "earned_on"), (11, "earned_on"), (12, "source"), (13, "source"),
                   (14, "source")]
    by_row = {p["row"]: p for p in body["problems"]}
    assert "集中培训" in by_row[4]["hint"] and "Face-to-face training" in by_row[4]["hint_en"]
    assert "晚于今天" in by_row[10]["message"] and "after today" in by_row[10]["message_en"]
    assert "第 1 行" in by_row[14]["message"]
    assert all(p["hint"] and p["message_en"] and p["hint_en"] for p in body["problems"])
    assert county.get(f"/api/v1/teachers/{tid}/credits").json()["total"] == "0.00"
    huge = county.post(API, json={"rows": [_row(ctx, tid, credits="1e999999", hours="-1e999999")]})
    assert huge.status_code == 422 and [p["column"] for p in huge.json()["problems"]] == ["credits", "hours"]
    for bad in ({"rows": []}, {"rows": "x"}, {}, {"rows": ["not a row"]}, {"rows": [{}]}):
        refused = county.post(API, json=bad)
        assert refused.status_code in (400, 422) and refused.status_code < 500


def test_a_teacher_outside_the_scope_reads_as_unknown(ctx, world, as_user):
    county = as_user(COUNTY)
    elsewhere = world.teachers["6201020001"][0]          # 甘肃: exists, name right, not the county's
    sibling = world.teachers["3601030001"][0]            # 西湖区: the next county
    nobody = {"id_number": new_id_number("360102"), "name": "没有此人"}
    rows = [_row(ctx, elsewhere), _row(ctx, sibling), _row(ctx, elsewhere) | nobody]
    r = county.post(API, json={"rows": rows})
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert [p["column"] for p in problems] == ["id_number"] * 3
    assert problems[0]["message"] == problems[1]["message"] == problems[2]["message"]
    assert problems[0]["hint"] == problems[2]["hint"]
    assert _teacher(ctx, elsewhere)[1] not in r.text


def test_schools_and_teachers_cannot_import(ctx, world, as_user):
    tid = world.teachers["3601020001"][0]
    for who in ("info_reviewer@3601020001", "info_manager@3601020001", world.teacher_usernames[tid]):
        c = as_user(who)
        r = c.post(API, json={"rows": [_row(ctx, tid)]})
        assert r.status_code == 403 and r.json()["code"] == "W643", (who, r.text)
        assert c.get(f"{API}/template.xlsx").status_code == 403
        assert c.post(f"{API}/upload", headers={"x-csrftoken": "1"},
                      files={"data": ("x.xlsx", b"x", "application/octet-stream")}).status_code == 403
        page = c.get("/credits/carry-over/")
        assert page.status_code == 403 and "W643" in page.text
    assert 'href="/credits/carry-over/"' not in as_user("info_reviewer@3601020001").get("/").text
    assert 'href="/credits/carry-over/"' in as_user(COUNTY).get("/").text
    # a county's data-entry clerk (no record.review) cannot either
    assert as_user("info_entry@360102").post(API, json={"rows": [_row(ctx, tid)]}).status_code == 403
    assert as_user("info_viewer@360102").get(f"{API}/template.xlsx").status_code == 403


def _upload(client, wb, **form):
    out = io.BytesIO()
    wb.save(out)
    return client.post(f"{API}/upload", headers={"x-csrftoken": "1"},
                       files={"data": ("carry.xlsx", out.getvalue(), "application/octet-stream")}, data=form)


def test_the_template_round_trip_writes_problems_back_then_saves(ctx, world, as_user, new_teacher):
    a, b = new_teacher("3601020001"), new_teacher("3601020002")
    county = as_user(COUNTY)
    r = county.get(f"{API}/template.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["身份证件号", "姓名", "学分类别", "学分", "学时", "获得日期", "来源"]
    (idn_a, name_a), (idn_b, name_b) = _teacher(ctx, a), _teacher(ctx, b)
    ws.append([idn_a, name_a, "集中培训", 12, 120, dt.datetime(2023, 5, 20), "原省继续教育平台"])   # a date cell
    ws.append([idn_b, name_b, "集中培训", 8, 80, "2099-01-01", "原省继续教育平台"])              # in the future
    bad = _upload(county, wb)
    assert bad.status_code == 422
    back = load_workbook(io.BytesIO(bad.content)).active
    assert back.cell(row=1, column=8).value == "问题" and back.cell(row=2, column=8).value is None
    assert "获得日期" in back.cell(row=3, column=8).value and back.cell(row=3, column=6).comment is not None
    assert county.get(f"/api/v1/teachers/{a}/credits").json()["total"] == "0.00"
    ws.cell(row=3, column=6, value="2024/3/1")
    dry = _upload(county, wb, dry_run="true")
    assert dry.status_code == 200 and (dry.json()["saved"], dry.json()["rows"]) == (0, 2)
    ok = _upload(county, wb)
    assert ok.status_code == 200 and ok.json()["saved"] == 2
    bank = county.get(f"/api/v1/teachers/{b}/credits").json()
    assert (bank["total"], bank["entries"][0]["effective"]) == ("8.00", "2024-03-01")
    again = _upload(county, wb)                            # the same file twice: nothing more
    assert again.status_code == 422
    assert "已经结转过" in load_workbook(io.BytesIO(again.content)).active.cell(row=2, column=8).value
    assert county.get(f"/api/v1/teachers/{a}/credits").json()["total"] == "12.00"
    junk = county.post(f"{API}/upload", headers={"x-csrftoken": "1"},
                       files={"data": ("x.xlsx", b"not a workbook", "application/octet-stream")})
    assert junk.status_code == 422 and junk.json()["code"] == "W641"


def test_the_page_uploads_lists_problems_by_row_and_reads_in_english(ctx, world, as_user, new_teacher):
    tid = new_teacher("3601020001")
    idn, name = _teacher(ctx, tid)
    county = as_user(COUNTY)
    page = county.get("/credits/carry-over/")
    assert page.status_code == 200 and "下载结转学分模板" in page.text and "集中培训" in page.text
    wb = Workbook()
    wb.active.append(["身份证件号", "姓名", "学分类别", "学分", "学时", "获得日期", "来源"])
    wb.active.append([idn, name, "集中培训", 6, 60, "2024-01-10", "原省继续教育平台"])
    wb.active.append([idn, name, "讲座", 6, 60, "2024-01-11", "原省继续教育平台"])
    out = io.BytesIO()
    wb.save(out)

    def post(lang="zh", **form):
        token = csrf_of(county.get(f"/credits/carry-over/?lang={lang}").text)
        return county.post("/credits/carry-over/upload", data={"_csrf_token": token, **form},
                           files={"file": ("carry.xlsx", out.getvalue(), "application/octet-stream")})

    bad = post(lang="en")
    assert bad.status_code == 422
    table = bad.text[bad.text.index('id="carry-problems"'):]
    row = re.search(r"<tr><td>3</td><td>([^<]*)</td><td>([^<]*)</td>", table)
    assert row and row.group(1) == "Category" and "is not one of the province" in row.group(2)
    assert "no row was saved" in bad.text and 'id="carry-report"' in bad.text
    wb.active.cell(row=3, column=3, value="网络研修")
    out = io.BytesIO()
    wb.save(out)
    dry = post(dry_run="1")
    assert dry.status_code == 200 and "试导入：2 行全部无误" in dry.text
    assert county.get(f"/api/v1/teachers/{tid}/credits").json()["total"] == "0.00"
    done = post()
    assert done.status_code == 200 and "已结转 2 行：1 位教师，共 12.00 学分" in done.text
    assert county.get(f"/api/v1/teachers/{tid}/credits").json()["total"] == "12.00"
    english = county.get("/credits/carry-over/?lang=en").text
    assert "Carried-over credits" in english and "Download the template" in english
    assert "caps do not apply" in english or "do not apply to them" in english
    token = csrf_of(english)
    empty = county.post("/credits/carry-over/upload", data={"_csrf_token": token})
    assert empty.status_code == 422 and "W642" in empty.text


def test_rows_after_an_empty_row_are_carried_over_and_named_by_their_own_row(ctx, world, as_user, new_teacher):
    """An empty row between two credits: both are read (none dropped after the gap), and a
    problem names the sheet's own row."""
    a, b = new_teacher("3601020001"), new_teacher("3601020002")
    county = as_user(COUNTY)
    wb = load_workbook(io.BytesIO(county.get(f"{API}/template.xlsx").content))
    ws = wb.active
    (idn_a, name_a), (idn_b, name_b) = _teacher(ctx, a), _teacher(ctx, b)
    ws.append([idn_a, name_a, "集中培训", 12, 120, "2023-05-20", "原省继续教育平台"])  # row 2
    ws.append([None] * 7)                                                             # row 3
    ws.append([idn_b, name_b, "集中培训", 8, 80, "2099-01-01", "原省继续教育平台"])    # row 4: in the future
    bad = _upload(county, wb)
    assert bad.status_code == 422
    back = load_workbook(io.BytesIO(bad.content)).active
    assert back.cell(row=3, column=8).value is None and "获得日期" in back.cell(row=4, column=8).value
    ws.cell(row=4, column=6, value="2024-03-01")
    ok = _upload(county, wb)
    assert ok.status_code == 200 and ok.json()["saved"] == 2, ok.text
    assert county.get(f"/api/v1/teachers/{b}/credits").json()["total"] == "8.00"
