"""How a credit bank entry reads on the pages people use: a revoked result says why it was taken
back (on the teacher's own page, the authority's credit page and the printed 学分证明); every entry
names who recorded it and when, in the server's local time (not UTC)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from modules.credits.models import CreditEntry
from modules.credits.tests.test_api import institution, teacher_name  # noqa: F401
from modules.credits.tests.test_corrections import _confirmed

REASON = "该教师未实际参训，误报成绩"


def test_a_revoked_result_shows_its_reason_and_who_recorded_each_entry(ctx, as_user, world, institution):  # noqa: F811
    name = "显示测试：县级班主任培训"
    p, ids, _ = _confirmed(as_user, world, institution, name)
    a = next(iter(ids))
    county = as_user("info_reviewer@360102")
    r = county.post(f"/api/v1/training/projects/{p['id']}/results/{ids[a]}/revoke", json={"reason": REASON})
    assert r.status_code == 200, r.text

    teacher = as_user(world.teacher_usernames[a], entry="teacher")
    pages = {"the authority's credit page": county.get(f"/credits/teachers/{a}").text,
             "the teacher's own page": teacher.get("/credits/").text,
             "the transcript": teacher.get(f"/credits/teachers/{a}/transcript").text}
    for where, html in pages.items():
        assert REASON in html, where
    assert f"{name} (revoked: {REASON})" in county.get(f"/credits/teachers/{a}/transcript?lang=en").text

    # who and when: the reviewer's name and account, at the local time of the entry
    with ctx.sessions() as db:
        entries = db.scalars(select(CreditEntry).where(CreditEntry.teacher_id == a, CreditEntry.project_id == p["id"])).all()
    assert {e.kind for e in entries} == {"earned", "revoked"}
    page = pages["the authority's credit page"]
    for e in entries:
        row = re.search(rf'<tr id="entry-{e.id}".*?</tr>', page, re.S).group(0)
        assert "info_reviewer-360102（info_reviewer@360102）" in row
        recorded = e.recorded_at if e.recorded_at.tzinfo else e.recorded_at.replace(tzinfo=datetime.now().astimezone().tzinfo)
        assert recorded.astimezone().strftime("%Y-%m-%d %H:%M") in row
    assert "UTC" not in page.split('id="credit-entries"')[1]
