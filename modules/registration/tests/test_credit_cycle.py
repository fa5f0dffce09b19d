"""Walk findings shared with the credit bank: one notion of 本周期 (the registration module's cycle)
on the credit bank's balances page and in the registration's conditions; rule versions shown to
people as names ("江西省 2021 版"), not codes ("36:2021")."""

from __future__ import annotations

import datetime as dt
import re

from modules.credits import ledger
from modules.registration.tests.test_batch import due  # noqa: F401  (the fixture)


def _earn(ctx, tid: int, credits: int, effective: dt.date) -> None:
    with ctx.sessions() as db:
        ledger.post(db, tid, kind="earned", credits=credits, hours=credits * 10, category="face_to_face",
                    effective=effective, rule_version="36:2021", confirmed_by=None, note="测试培训")
        db.commit()


def test_the_credit_bank_and_the_registration_count_the_same_cycle(ctx, world, as_user, due):  # noqa: F811
    """祁璐: the credit bank showed 本周期 0.00 (its own grid cycle 2026–2030) while the registration
    warning said "本周期学分 96/120" (her registration cycle, which began in 2022)."""
    tid = due(name="周期丁")
    cycle = as_user("info_manager@3601020001").get(f"/api/v1/teachers/{tid}/registration").json()
    start = dt.date.fromisoformat(cycle["cycle_start"])
    _earn(ctx, tid, 96, dt.date(start.year + 1, 6, 1))     # within her registration cycle, before 2026
    _earn(ctx, tid, 5, start - dt.timedelta(days=30))      # before it: counted in 累计 only
    school = as_user("info_manager@3601020001")
    warn = {t["teacher_id"]: t for t in school.get("/api/v1/registration/warnings?unit=3601020001").json()["teachers"]}
    assert any(u["message"] == "本周期学分 96/120" for u in warn[tid]["unmet"]), warn[tid]["unmet"]
    offset, row = 0, None
    while row is None:
        page = school.get(f"/credits/?offset={offset}").text
        rows = re.findall(r"<tr><td>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>.*?</tr>", page, re.S)  # the name links the teacher's page
        assert rows, "周期丁 not on the balances pages"
        m = re.search(r"<tr><td>(?:<a [^>]*>)?周期丁(?:</a>)?</td>(.*?)</tr>", page, re.S)
        row, offset = (m.group(1) if m else None), offset + 50
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[3].startswith("96.00"), cells       # 本周期学分, as the registration counts it
    assert cycle["cycle_start"] in cells[3] and cycle["cycle_end"] in cells[3]
    assert cells[5] == "101.00"                      # 累计


def test_rule_versions_read_as_names_for_teachers_and_on_the_transcript(ctx, world, as_user):
    tid = world.teachers["3601020001"][0]
    _earn(ctx, tid, 3, dt.date(2024, 3, 1))
    teacher = as_user(world.teacher_usernames[tid])
    mine = teacher.get("/credits/").text
    table = mine[mine.index('id="credits-entries"'):]
    assert "江西省 2021 版" in table and ">36:2021<" not in table
    printed = as_user("info_manager@3601020001").get(f"/credits/teachers/{tid}/transcript").text
    assert "江西省 2021 版" in printed and ">36:2021<" not in printed
