"""A reviewer's project page shows what each waiting row would bring before confirming (walk2
finding 9): 预计 credits converted as confirming converts them (the same code: conversion.py), the
teacher's yearly cap applied to the credits held now and said so ("上限前"); confirming then posts
exactly those credits. The institution, which does not confirm, sees no preview."""

from __future__ import annotations

import re

from sqlalchemy import select

from modules.credits.tests.test_api import _project, institution  # noqa: F401  (the fixture)
from tests.review.conftest import add_teacher
from tests.web.conftest import csrf_of
from web.db.models import Teacher


def _fresh(ctx, cats, n: int) -> list[dict]:
    """``n`` new teachers of 西湖区幼儿园 (no credits from other tests: the caps read their ledgers)."""
    with ctx.sessions() as db:
        ids = [add_teacher(db, cats["36"], "3601030001", complete=False, name=f"卢{'一二三'[i]}") for i in range(n)]
        db.commit()
        return [{"id_number": num, "name": name} for num, name in
                (db.execute(select(Teacher.id_number, Teacher.name).where(Teacher.id == tid)).one() for tid in ids)]


def _row(who: dict, hours, passed=True) -> dict:
    return {**who, "hours": hours, "passed": passed}


def _credits(html: str, rid: int) -> str:
    row = re.search(rf'<tr id="result-{rid}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", re.search(r'<td class="credits">(.*?)</td>', row, re.S).group(1)).split())


def test_waiting_rows_show_the_credits_confirming_would_give(ctx, cats, as_user, institution):  # noqa: F811
    inst_id, inst_user = institution("360103")
    county, reviewer, inst = as_user("info_manager@360103"), as_user("info_reviewer@360103"), as_user(inst_user)
    capped, other, failed = _fresh(ctx, cats, 3)
    # 10 online credits already this year (江西's yearly cap on 网络研修 is 12)
    first = _project(county, name="网络研修（上）", type="online", hours=120, institution_id=inst_id,
                     start="2023-03-01", end="2023-03-30")
    assert inst.post(f"/api/v1/training/projects/{first['id']}/results",
                     json={"rows": [_row(capped, 120)]}).status_code == 200
    assert reviewer.post(f"/api/v1/training/projects/{first['id']}/results/confirm", json={}).json()["credits"] == "10.00"

    p = _project(county, name="网络研修（下）", type="online", hours=120, institution_id=inst_id,
                 start="2023-04-01", end="2023-04-30")
    r = inst.post(f"/api/v1/training/projects/{p['id']}/results",
                  json={"rows": [_row(capped, 120), _row(other, 60), _row(failed, 90, passed=False)]})
    assert r.status_code == 200, r.text
    url = f"/credits/projects/{p['id']}"
    ids = {row["hours"]: row["id"] for row in reviewer.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]}
    page = reviewer.get(url).text
    assert _credits(page, ids["120.00"]) == "预计 2.00 受上限限制；上限前 10.00"    # 10 before the cap, 2 left under it
    assert _credits(page, ids["60.00"]) == "预计 5.00"
    assert _credits(page, ids["90.00"]) == "预计 0.00"                              # 不合格: none
    assert 'id="expected-note"' in page and "扣减年度和周期上限" in page and "2023-04-30" in page
    en = reviewer.get(url + "?lang=en").text
    assert _credits(en, ids["120.00"]) == "expected 2.00 capped; 10.00 before caps"
    # the institution does not confirm: no preview (it would tell of the teacher's other credits)
    assert 'class="expected"' not in inst.get(url).text and 'id="expected-note"' not in inst.get(url).text

    # confirming gives exactly what was expected; the page then shows the credits, no preview
    done = reviewer.post(f"{url}/confirm", data={"_csrf_token": csrf_of(page)})
    assert done.status_code == 200, done.text[:300]
    assert [_credits(done.text, ids[h]) for h in ("120.00", "60.00", "90.00")] == ["2.00", "5.00", "0.00"]
    assert 'class="expected"' not in done.text and 'id="expected-note"' not in done.text
