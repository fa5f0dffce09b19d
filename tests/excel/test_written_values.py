"""What an import writes is what was typed, on SQLite (INSERT) and on PostgreSQL (binary COPY,
web/excel/pgcopy.py): text with backslashes and quotes, Chinese, numbers, dates, the teacher's
own columns and the times of writing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.excel.conftest import SCHOOL
from tests.excel.excel_helpers import files, fill
from web.db.models import Record, Teacher
from web.excel.limits import Limits
from web.excel.service import import_workbook

ODD = 'C:\\课表\\"一班"'


def test_text_numbers_and_dates_arrive_unchanged(cat: Any, sessions: Any, tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    fill(cat, "primary", {
        "基本信息": [{"姓名": "欧阳\\娜娜", "性别": "女", "身份证件类型": "居民身份证", "身份证件号": "360102199007060024",
                  "出生日期": "1990-07-06", "民族": "汉族", "参加工作年月": "2012-08", "进本校年月": "2012-08",
                  "是否在编": "是", "月工资": 4500.5}],
        "学习经历": [{"身份证件号": "360102199007060024", "学历": "专科毕业", "获得学历的院校或机构": ODD,
                  "入学年月": "2009-09", "毕业年月": "2012-07"}],
    }, path)
    started = dt.datetime.now(dt.timezone.utc)
    outcome = import_workbook(sessions, cat, path, SCHOOL, limits=Limits())
    assert outcome.result.written, [p.message_en for p in outcome.result.problems]
    got = files(sessions)["360102199007060024"]
    assert (got["name"], got["gender"], got["birth_date"]) == ("欧阳\\娜娜", "2", "1990-07-06")
    assert got["sets"]["basic"][0]["name"] == "欧阳\\娜娜"
    assert got["sets"]["basic"][0]["monthly_pay"] == 4500.5
    assert got["sets"]["basic"][0]["on_establishment"] is True
    assert got["sets"]["education"] == [{"edu_level": "31", "school_name": ODD, "start_month": "2009-09",
                                         "end_month": "2012-07"}]
    with sessions() as db:
        teacher = db.scalars(select(Teacher)).one()
        assert teacher.state == "unsubmitted"
        records = db.scalars(select(Record)).all()
    for row in [teacher, *records]:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.timezone.utc)
        assert started - dt.timedelta(seconds=5) <= created <= dt.datetime.now(dt.timezone.utc)
    assert {(r.set_key, r.position, r.state, r.version, r.catalogue_version) for r in records} == {
        ("basic", 0, "draft", 1, cat.version), ("education", 0, "draft", 1, cat.version)}
