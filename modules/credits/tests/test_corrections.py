"""Correcting a confirmed training result, as the people who do it: the county's reviewer revokes
one wrongly confirmed result with a reason (over the API and with the button on the project's
page): the teacher's credits drop, the 国内培训 record goes, the credit bank keeps the earned entry
beside the revoking one, a balance as of an earlier day does not change, the revocation is audited
and shown on the project's page. Refusals: not confirmed / already revoked (W672), no reason
(W673), a failed result (W674), another authority or the institution (W547). And a waiting row
rejected over the API (the page's service)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from modules.credits import ledger
from modules.credits import results as R
from modules.credits.tests.test_api import _project, _row, institution, teacher_name  # noqa: F401
from tests.web.conftest import csrf_of
from web.db.models import AuditEntry

SCHOOL = "3601020002"


class _ThreeDaysAgo(datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: ANN001, ANN206
        return datetime.now(tz) - timedelta(days=3)


def _confirmed(as_user, world, institution, name, *, school=SCHOOL, past=None):  # noqa: F811
    """A county project with two participants' results (the first passed 24 h, the second failed),
    confirmed by the county's reviewer (3 days ago when ``past`` is pytest's monkeypatch).
    Returns (project, {teacher: result id}, institution's username)."""
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name=name, institution_id=inst_id)
    a, b = world.teachers[school][:2]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert as_user(inst_user).post(url, json={"rows": [_row(world, a, 24), _row(world, b, 30, passed=False)]}).status_code == 200
    county = as_user("info_reviewer@360102")
    if past is not None:
        past.setattr(R, "datetime", _ThreeDaysAgo)
        past.setattr(ledger, "_now", lambda: _ThreeDaysAgo.now(timezone.utc))  # the ledger's time too
    done = county.post(f"{url}/confirm", json={})
    if past is not None:
        past.undo()
    assert done.status_code == 200 and done.json()["credits"] == "2.00", done.text
    ids = {r["name"]: r["id"] for r in county.get(url).json()["results"]}
    return p, {a: ids[teacher_name(world, a)], b: ids[teacher_name(world, b)]}, inst_user


def _records(as_user, world, tid, name):
    teacher = as_user(world.teacher_usernames[tid], entry="teacher")
    return [r for r in teacher.get(f"/api/v1/teachers/{tid}/sets/training").json()["records"]
            if r["values"].get("project_name") == name]


def _project_entries(ctx, tid, pid):
    with ctx.sessions() as db:
        return [(e.kind, e.credits, e.corrects_id is not None) for e in ledger.entries(db, tid) if e.project_id == pid]


def test_revoke_over_the_api(ctx, as_user, world, institution, monkeypatch):  # noqa: F811
    name = "撤销测试：县级班主任培训"
    p, ids, inst_user = _confirmed(as_user, world, institution, name, past=monkeypatch)
    a, b = list(ids)
    revoke = lambda tid: f"/api/v1/training/projects/{p['id']}/results/{ids[tid]}/revoke"  # noqa: E731
    county = as_user("info_reviewer@360102")
    teacher = as_user(world.teacher_usernames[a], entry="teacher")
    credits = lambda **q: Decimal(teacher.get(f"/api/v1/teachers/{a}/credits", params=q).json()["total"])  # noqa: E731
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    before, before_yesterday = credits(), credits(as_of=yesterday)
    assert before_yesterday >= Decimal("2.00")  # confirmed three days ago
    assert len(_records(as_user, world, a, name)) == 1

    # refusals, nothing changed by any of them
    for body, code in (({}, "W673"), ({"reason": "   "}, "W673"), ({"reason": "x" * 201}, "W673"), ({"reason": 5}, "W675")):
        r = county.post(revoke(a), json=body)
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
        assert r.json()["message_en"] and r.json()["hint"]
    failed = county.post(revoke(b), json={"reason": "成绩录入有误"})
    assert (failed.status_code, failed.json()["code"]) == (409, "W674") and "不合格" in failed.json()["message"]
    for who in ("info_reviewer@360103", "info_reviewer@3601020002", inst_user):  # another county, the school, the institution
        r = as_user(who).post(revoke(a), json={"reason": "越权"})
        assert (r.status_code, r.json()["code"]) == (404, "W547"), (who, r.text)
    assert credits() == before and len(_records(as_user, world, a, name)) == 1

    r = county.post(revoke(a), json={"reason": "该教师未实际参训"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["state"], out["reason"], out["credits"]) == ("revoked", "该教师未实际参训", "2.00")
    assert out["revoked_by"] and out["revoked_at"]
    # the teacher's credits drop, a balance as of yesterday does not; the 国内培训 record is gone
    assert credits() == before - Decimal("2.00")
    assert credits(as_of=yesterday) == before_yesterday
    assert _records(as_user, world, a, name) == []
    # the ledger keeps the earned entry and adds the revoking one
    assert _project_entries(ctx, a, p["id"]) == [("earned", Decimal("2.00"), False), ("revoked", Decimal("-2.00"), True)]
    shown = teacher.get(f"/api/v1/teachers/{a}/credits").json()["entries"]  # the teacher's own view
    assert [(e["kind"], e["credits"]) for e in shown if e["project_id"] == p["id"]] == [("earned", "2.00"), ("revoked", "-2.00")]
    with ctx.sessions() as db:
        audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "credits.results.revoke",
                                                   AuditEntry.target_id == str(p["id"])))
        assert audit is not None and audit.detail["reason"] == "该教师未实际参训" and audit.detail["result"] == ids[a]
        deleted = db.scalar(select(AuditEntry).where(AuditEntry.action == "record.delete",
                                                     AuditEntry.target_id == str(audit.detail["record"])))
        assert deleted is not None and deleted.detail["via"] == "credits.results.revoke"

    # once only; the project's results show who revoked and why
    again = county.post(revoke(a), json={"reason": "再次撤销"})
    assert (again.status_code, again.json()["code"]) == (409, "W672") and "已撤销" in again.json()["message"]
    row = next(x for x in county.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"] if x["id"] == ids[a])
    assert (row["state"], row["reason"]) == ("revoked", "该教师未实际参训") and row["revoked_by"] == out["revoked_by"]
    # the institution cannot submit the revoked teacher again (its row names why)
    r = as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [_row(world, a, 24)]})
    assert r.status_code == 422 and "撤销" in r.json()["problems"][0]["message"], r.text


def test_a_result_not_confirmed_cannot_be_revoked(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="撤销测试：未确认", institution_id=inst_id)
    tid = world.teachers[SCHOOL][2]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert as_user(inst_user).post(url, json={"rows": [_row(world, tid, 20)]}).status_code == 200
    county = as_user("info_reviewer@360102")
    rid = county.get(url).json()["results"][0]["id"]
    r = county.post(f"{url}/{rid}/revoke", json={"reason": "弄错了"})
    assert (r.status_code, r.json()["code"]) == (409, "W672") and "待确认" in r.json()["message"], r.text
    assert "waiting" in r.json()["message_en"]
    assert county.post(f"{url}/999999/revoke", json={"reason": "弄错了"}).json()["code"] == "W547"


def test_revoke_on_the_project_page(ctx, as_user, world, institution):  # noqa: F811
    name = "撤销测试：页面撤销"
    p, ids, inst_user = _confirmed(as_user, world, institution, name, school="3601020001")
    a, b = list(ids)
    county = as_user("info_reviewer@360102")
    page = county.get(f"/credits/projects/{p['id']}")
    assert page.status_code == 200
    # a button in the passed row only (the failed one earned nothing)
    assert page.text.count('class="inlineform revoke"') == 1 and f"/results/{ids[a]}/revoke" in page.text
    assert "Revoke" in county.get(f"/credits/projects/{p['id']}?lang=en").text
    county.get(f"/credits/projects/{p['id']}?lang=zh")  # the language is kept in a cookie: back to Chinese
    token = {"_csrf_token": csrf_of(page.text)}
    url = f"/credits/projects/{p['id']}/results/{ids[a]}/revoke"
    bad = county.post(url, data=token | {"reason": " "})
    assert bad.status_code == 422 and "W673" in bad.text and 'id="project-results"' in bad.text  # above the table
    too_long = "原" * 201
    bad = county.post(url, data=token | {"reason": too_long})
    assert bad.status_code == 422 and f'value="{too_long}"' in bad.text  # what was typed is kept
    assert county.post(f"/credits/projects/{p['id']}/results/{ids[b]}/revoke",
                       data=token | {"reason": "x"}).status_code == 409  # W674
    other = as_user("info_reviewer@360103")
    assert other.post(url, data={"_csrf_token": csrf_of(other.get("/credits/projects/").text), "reason": "x"}).status_code == 404
    assert county.post(url, data={"reason": "无令牌"}).status_code == 403  # no CSRF token

    done = county.post(url, data=token | {"reason": "签到记录系补签"})
    assert done.status_code == 200 and "已撤销该条成绩" in done.text and "签到记录系补签" in done.text
    assert 'class="revoked"' in done.text and "已撤销</td>" in done.text and "撤销</div>" in done.text
    assert 'class="inlineform revoke"' not in done.text
    assert _records(as_user, world, a, name) == []
    assert [k for k, _, _ in _project_entries(ctx, a, p["id"])] == ["earned", "revoked"]
    own = as_user(world.teacher_usernames[a], entry="teacher").get("/credits/").text  # 我的学分 names the revocation
    assert "撤销：签到记录系补签" in own and "-2.00" in own
    mine = as_user(inst_user).get(f"/credits/projects/{p['id']}").text
    assert "已撤销</td>" in mine and "签到记录系补签" in mine
    en = county.get(f"/credits/projects/{p['id']}?lang=en").text
    assert ">revoked</td>" in en and "revoked by" in en


def test_reject_over_the_api(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="退回测试：API", institution_id=inst_id)
    tid = world.teachers["3601020001"][2]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert as_user(inst_user).post(url, json={"rows": [_row(world, tid, 20)]}).status_code == 200
    county = as_user("info_reviewer@360102")
    rid = county.get(url).json()["results"][0]["id"]
    reject = f"{url}/{rid}/reject"
    assert county.post(reject, json={}).json()["code"] == "W670"
    assert county.post(reject, json={"reason": ["x"]}).json()["code"] == "W675"
    assert as_user(inst_user).post(reject, json={"reason": "x"}).json()["code"] == "W547"
    assert as_user("info_reviewer@360103").post(reject, json={"reason": "x"}).status_code == 404
    r = county.post(reject, json={"reason": "学时与签到记录不符"})
    assert r.status_code == 200 and r.json() == {"id": rid, "state": "rejected", "reason": "学时与签到记录不符"}, r.text
    assert county.post(reject, json={"reason": "again"}).json()["code"] == "W671"
    mine = as_user(inst_user).get(url).json()["results"][0]
    assert (mine["state"], mine["reason"]) == ("rejected", "学时与签到记录不符")
    # nothing to revoke in a rejected row either
    assert county.post(f"{url}/{rid}/revoke", json={"reason": "x"}).json()["code"] == "W672"
