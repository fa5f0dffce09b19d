"""Status changes from an Excel sheet: the generated template filled in as a user would, a dry
run, all-or-nothing with the problems written back into the user's workbook, and the effects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from sqlalchemy import select

from modules.status_change import batch
from web.db.models import Record, Teacher
from web.people import clock, roll


def _fill(cat, path: Path, rows: list[list]) -> Path:
    """The template as downloaded, with rows typed in (the ID number as text, dates as dates)."""
    path.write_bytes(batch.template_bytes(cat))
    wb = openpyxl.load_workbook(path)
    ws = wb[batch.SHEET]
    for i, values in enumerate(rows, start=2):
        for j, v in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(path)
    return path


def _status(db, tid: int) -> str:
    basic = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
    return basic.document.get("person_status", "100")


def _people(ctx, world, school: str, n: int):
    with ctx.sessions() as db:
        return [(t.id, t.id_number, t.name) for t in (db.get(Teacher, i) for i in world.teachers[school][:n])]


def test_a_county_retires_teachers_from_a_sheet(ctx, cats, world, who, tmp_path, new_teacher):
    cat = cats["36"]
    ids = [new_teacher("3601030001", complete=False) for _ in range(3)]
    with ctx.sessions() as db:
        people = [(t.id, t.id_number, t.name) for t in (db.get(Teacher, i) for i in ids)]
        county = who(db, "info_manager@360103")
    today = clock.today()
    path = _fill(cat, tmp_path / "退休.xlsx", [
        [people[0][1], people[0][2], "退休", None, today, "到龄"],
        [people[1][1], people[1][2], "长期不在岗", "203-暂未在本单位任职-长病假", today.isoformat(), None],
        [people[2][1], people[2][2], "离职", "306", today, "辞职"],
    ])
    dry = batch.import_sheet(ctx.sessions, cat, county, path, dry_run=True)
    assert (dry.rows, dry.applied, dry.errors) == (3, 0, 0)
    with ctx.sessions() as db:
        assert [_status(db, p[0]) for p in people] == ["100", "100", "100"]
    done = batch.import_sheet(ctx.sessions, cat, county, path)
    assert (done.applied, done.errors) == (3, 0)
    with ctx.sessions() as db:
        assert [_status(db, p[0]) for p in people] == ["301", "203", "306"]
        on_roll = [roll.is_on_roll(db.get(Teacher, p[0])) for p in people]
        assert on_roll == [False, True, False]


def test_one_wrong_row_changes_nothing_and_is_marked_in_the_users_workbook(ctx, cats, world, who, tmp_path,
                                                                          new_teacher):
    cat = cats["36"]
    ids = [new_teacher("3601030001", complete=False) for _ in range(4)]
    with ctx.sessions() as db:
        p = [(t.id, t.id_number, t.name) for t in (db.get(Teacher, i) for i in ids)]
        school = who(db, "info_manager@3601030001")
    today = clock.today()
    future = today + dt.timedelta(days=30)
    path = _fill(cat, tmp_path / "变动.xlsx", [
        [p[0][1], p[0][2], "退休", None, today, None],
        [p[1][1], "别人的名字", "退休", None, today, None],          # the name does not match
        [p[2][1], p[2][2], "长期不在岗", None, today, None],         # which reason?
        ["360102198503140011", "某某", "退休", None, today, None],   # nobody of ours
        [p[0][1], p[0][2], "调走", None, "2025-13-01", None],        # twice, and bad words
        [p[3][1], p[3][2], "死亡", None, future, None],              # has not happened yet
    ])
    report = tmp_path / "变动-错误.xlsx"
    out = batch.import_sheet(ctx.sessions, cat, school, path, report=report)
    assert out.applied == 0 and out.problems[0].rule == "W772"
    codes = {(q.row, q.rule) for q in out.problems[1:]}
    assert {(3, "W765"), (4, "W758"), (5, "W765"), (6, "W766"), (6, "W768"), (6, "W770"), (7, "W755")} <= codes
    with ctx.sessions() as db:
        assert _status(db, p[0][0]) == "100"  # the good row was not applied either
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames[0] == "错误清单"
    marked = wb[batch.SHEET]["A3"].comment.text
    assert "W765" in marked and "别人的名字" in marked
    assert "W758" in wb[batch.SHEET]["D4"].comment.text  # the status column, where the reason goes
    assert "W755" in wb[batch.SHEET]["E7"].comment.text
    # the same file with "apply what is correct": the good row goes through, alone
    out = batch.import_sheet(ctx.sessions, cat, school, path, all_or_nothing=False)
    assert out.applied == 1
    with ctx.sessions() as db:
        assert [_status(db, q[0]) for q in p] == ["301", "100", "100", "100"]


def test_a_file_without_the_template_columns_is_refused_whole(ctx, cats, world, who, tmp_path):
    cat = cats["36"]
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "变动类型"])
    wb.active.append(["张三", "退休"])
    wb.save(path)
    with ctx.sessions() as db:
        school = who(db, "info_manager@3601030001")
    out = batch.import_sheet(ctx.sessions, cat, school, path)
    assert out.applied == 0 and {p.rule for p in out.problems} >= {"V210"}
    (tmp_path / "not.xlsx").write_text("plain text")
    out = batch.import_sheet(ctx.sessions, cat, school, tmp_path / "not.xlsx")
    assert out.applied == 0 and out.problems[-1].rule == "V201"


def test_a_teacher_with_an_open_case_is_reported_on_its_row(ctx, cats, world, who, tmp_path, new_teacher, as_user):
    """One open case per teacher (web/cases): a row retiring a teacher whose transfer is under way
    says so on that row, and the sheet changes nothing."""
    cat = cats["36"]
    ids = [new_teacher("3601030001", complete=False) for _ in range(2)]
    with ctx.sessions() as db:
        p = [(t.id, t.id_number, t.name) for t in (db.get(Teacher, i) for i in ids)]
        county = who(db, "info_manager@360103")
    r = as_user("info_manager@3601020001").post("/api/v1/transfers", json={"id_number": p[1][1], "name": p[1][2],
                                                                           "to_unit": "3601020001"})
    assert r.status_code == 201, r.text
    today = clock.today()
    path = _fill(cat, tmp_path / "退休2.xlsx", [[p[0][1], p[0][2], "退休", None, today, None],
                                                [p[1][1], p[1][2], "退休", None, today, None]])
    out = batch.import_sheet(ctx.sessions, cat, county, path)
    assert out.applied == 0
    row = [q for q in out.problems if q.rule == "W780"]
    assert len(row) == 1 and row[0].row == 3 and "教师调动" in row[0].message_zh and p[1][2] in row[0].message_zh
    with ctx.sessions() as db:
        assert [_status(db, x[0]) for x in p] == ["100", "100"]


def test_no_change_of_any_type_or_date_format_goes_back_before_the_appointment(ctx, cats, world, who, tmp_path,
                                                                               new_teacher):
    """退休 as a date cell and 长期不在岗 typed as text, both dated the day before the teacher's
    appointment began: both refused with W754 on the date's cell, in row order, each with a fix."""
    from web.people import history

    cat = cats["36"]
    ids = [new_teacher("3601030001", complete=False) for _ in range(4)]
    with ctx.sessions() as db:
        p = [(t.id, t.id_number, t.name) for t in (db.get(Teacher, i) for i in ids)]
        before = history.file_start(db.get(Teacher, ids[0])) - dt.timedelta(days=1)
        school = who(db, "info_manager@3601030001")
    path = _fill(cat, tmp_path / "倒签.xlsx", [
        [p[0][1], p[0][2], "退休", None, before, None],
        [p[1][1], p[1][2], "长期不在岗", "203", before.isoformat(), None],
        [p[2][1], p[2][2], "返岗", None, None, None],       # no date; and at post already
        [p[3][1], p[3][2], "返岗", None, clock.today(), None],  # at post already
    ])
    out = batch.import_sheet(ctx.sessions, cat, school, path, dry_run=True)
    found = [(q.row, q.column, q.rule) for q in out.problems]
    assert found == [(2, "E", "W754"), (3, "E", "W754"), (4, "E", "W769"), (5, "C", "W757")]
    assert all(q.hint_zh and q.hint_en for q in out.problems)
