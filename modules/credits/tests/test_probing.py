"""An institution cannot learn who teaches in the province by sending made-up ID numbers: the
numbers that match no participant are counted per day (dry runs, the API and the Excel upload
alike); up to 20 the rows are answered as usual (real rosters have typing mistakes), past that the
submission is refused whole (W661) without saying which rows matched, for the rest of the day,
even for a right roster; the same mistake sent twice counts once; the next day the right roster
is taken; the count outlives the refusals and the limit is audited. Two submissions at once cannot both get
past the limit (PostgreSQL, test_probe_race)."""

from __future__ import annotations

import io
import threading
import time
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from modules.credits import probing
from modules.credits import results as R
from modules.credits.models import ResultProbe
from modules.credits.tests.test_api import _project, _row, institution, teacher_name  # noqa: F401
from tests.web.conftest import new_id_number
from web.db.models import Account, AuditEntry
from web.errors import Refusal
from web.people import clock
from web.services.auth import principal_of


def _strangers(n):
    """Valid ID numbers no teacher has (born 1960, 江西 九江: a county no test world holds)."""
    return [new_id_number("360402", date(1960, 5, 5)) for _ in range(n)]


def _rows(numbers):
    return [{"id_number": n, "hours": 10, "passed": True} for n in numbers]


def _upload(client, pid, rows):
    wb = load_workbook(io.BytesIO(client.get(f"/api/v1/training/projects/{pid}/results/template.xlsx").content))
    for r in rows:
        wb.active.append([r["id_number"], r.get("name"), r["hours"], "合格", None])
    out = io.BytesIO()
    wb.save(out)
    return client.post(f"/api/v1/training/projects/{pid}/results/upload", headers={"x-csrftoken": "1"},
                       files={"data": ("results.xlsx", out.getvalue(), "application/octet-stream")})


def test_made_up_id_numbers_are_bounded_per_day(ctx, as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    county = as_user("info_manager@360102")
    p = _project(county, name="核对上限测试项目", institution_id=inst_id)
    url = f"/api/v1/training/projects/{p['id']}/results"
    inst = as_user(inst_user)
    real = world.teachers["3601020001"][:2]
    strangers = _strangers(probing.LIMIT + 5)

    # within the day's limit: each unmatched row named, as always (a dry run counts too)
    r = inst.post(url, json={"rows": _rows(strangers[:12]) + [_row(world, real[0])], "dry_run": True})
    assert r.status_code == 422 and r.json()["code"] == "W548", r.text
    assert [p_["row"] for p_ in r.json()["problems"]] == list(range(1, 13))
    r = inst.post(url, json={"rows": _rows(strangers[:12])})  # the same twelve again: still twelve
    assert r.status_code == 422 and r.json()["code"] == "W548"
    r = _upload(inst, p["id"], _rows(strangers[12:probing.LIMIT]))  # eight more by Excel: twenty
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/vnd.openxmlformats")

    # one more unknown number: the whole submission refused, nothing said about any row
    r = inst.post(url, json={"rows": [_row(world, real[1])] + _rows(strangers[probing.LIMIT:probing.LIMIT + 1])})
    assert r.status_code == 429 and r.json()["code"] == "W661", r.text
    body = r.json()
    assert "problems" not in body and "20" in body["message"] and body["hint_en"] and "明天" in body["hint"]
    # and for the rest of the day, even a right roster (by Excel too)
    r = inst.post(url, json={"rows": [_row(world, real[0])]})
    assert r.status_code == 429 and r.json()["code"] == "W661"
    assert _upload(inst, p["id"], [_row(world, real[0])]).status_code == 429
    assert inst.get(url).json()["results"] == []
    # the next day the right roster is taken
    with clock.frozen(clock.today() + timedelta(days=1)):
        r = inst.post(url, json={"rows": [_row(world, real[0]), _row(world, real[1])]})
    assert r.status_code == 200 and r.json()["saved"] == 2, r.text
    assert {x["name"] for x in as_user("info_reviewer@360102").get(url).json()["results"]} == \
        {teacher_name(world, t) for t in real}
    with ctx.sessions() as db:
        limited = db.scalars(select(AuditEntry).where(AuditEntry.action == "credits.results.probe_limit")).all()
    assert len(limited) == 3 and all(str(e.target_id) == str(p["id"]) for e in limited)
    assert not any(n in str(e.detail) for e in limited for n in strangers)  # no ID number in the audit


def test_another_institution_and_a_named_right_roster_are_not_held_back(as_user, world, institution):  # noqa: F811
    inst_a, user_a = institution("360102")
    inst_b, user_b = institution("360102")
    county = as_user("info_manager@360102")
    pa = _project(county, name="核对上限A", institution_id=inst_a)
    pb = _project(county, name="核对上限B", institution_id=inst_b)
    a = as_user(user_a)
    assert a.post(f"/api/v1/training/projects/{pa['id']}/results",
                  json={"rows": _rows(_strangers(probing.LIMIT + 1))}).json()["code"] == "W661"
    tid = world.teachers["3601020001"][0]
    r = as_user(user_b).post(f"/api/v1/training/projects/{pb['id']}/results", json={"rows": [_row(world, tid)]})
    assert r.status_code == 200 and r.json()["saved"] == 1
    reviewer = as_user("info_reviewer@360102")
    assert {x["name"] for x in reviewer.get(f"/api/v1/training/projects/{pb['id']}/results").json()["results"]} == \
        {teacher_name(world, tid)}


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_probe_race_two_submissions_at_once_cannot_both_pass_the_limit(ctx, as_user, institution):  # noqa: F811
    """Two projects of one institution (so the project's own lock does not order them), 15 made-up
    numbers each: the second waits for the first's count and is refused whole (30 > 20) instead of
    having its 15 rows answered one by one."""
    inst_id, inst_user = institution("360102")
    county = as_user("info_manager@360102")
    pids = [_project(county, name=f"并发核对{i}", institution_id=inst_id)["id"] for i in (1, 2)]
    strangers = _strangers(30)

    def me(s):
        return principal_of(s.scalar(select(Account).where(Account.username == inst_user)), ctx)

    out: dict[str, object] = {}
    with ctx.sessions() as a:
        try:
            R.submit_results(a, me(a), pids[0], _rows(strangers[:15]))
        except Refusal as r:
            out["first"] = r

        def run() -> None:
            with ctx.sessions() as b:
                try:
                    R.submit_results(b, me(b), pids[1], _rows(strangers[15:]))
                except Refusal as r:
                    out["second"] = r
                b.commit()

        t = threading.Thread(target=run)
        t.start()
        time.sleep(1.0)  # the second now waits on the institution's row (or, unguarded, is already done)
        a.commit()
    t.join(30)
    assert isinstance(out["first"], R.RowsRefused) and len(out["first"].problems) == 15
    assert isinstance(out["second"], Refusal) and out["second"].code == "W661", out.get("second")
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ResultProbe).where(ResultProbe.institution_id == inst_id)) == 30
