"""Security review of issue 17 through the real app: each role tries to read or change credits,
results, claims, evidence and registrations that are not theirs, by id (IDOR). Every attempt is
refused (403/404/409/422 with a catalogue code), none answers 200/201 and none is a server error;
the owner's data is unchanged afterwards."""

from __future__ import annotations

import pytest

from modules.credits.tests.test_api import _n, _project, institution  # noqa: F401
from modules.credits.tests.test_claims import Multipart, _form, pdf_bytes
from tests.web.conftest import csrf_of

CLAIMS = "/api/v1/teachers/me/credit-claims"


def _own_teacher(ctx, world, school: str, name: str) -> tuple[int, str]:
    """A teacher of ``school`` with a sign-in of its own, used by no other test: (id, ID number)."""
    from sqlalchemy import select

    from tests.web.conftest import four_items
    from web.db.models import Account, Grant
    from web.services import teachers as teacher_service
    from web.services import units as unit_service

    with ctx.sessions() as db:
        unit = unit_service.by_code(db, school)
        items = teacher_service.FourItems.parse(**four_items(school[:6], name))
        t = teacher_service.create_raw(db, unit, items, catalogue_version="test")
        like = db.scalar(select(Account).where(Account.username == world.teacher_usernames[world.teachers[school][0]]))
        acc = Account(username=items.id_number, real_name=name, unit_id=unit.id, kind="teacher", teacher_id=t.id,
                      password_hash=like.password_hash, must_change_password=False, failed_attempts=0, enabled=True)
        db.add(acc)
        db.flush()
        db.add(Grant(account_id=acc.id, unit_id=unit.id, role_key="teacher"))
        db.commit()
        return t.id, items.id_number


@pytest.fixture()
def victim(ctx, as_user, world, institution):  # noqa: F811
    """A project of 东湖区 (360102) run by its institution, one confirmed and one waiting result of
    two teachers of 东湖区第一小学 (teachers of this file's own: other tests' totals stay as they
    are), and a self-study claim of the first, waiting for the school."""
    inst_id, inst_user = institution("360102")
    county = as_user("info_manager@360102")
    p = _project(county, institution_id=inst_id, name=f"安全测试项目{next(_n)}")
    (t1, n1), (t2, n2) = (_own_teacher(ctx, world, "3601020001", f"安全测试{next(_n)}") for _ in range(2))
    inst = as_user(inst_user)
    assert inst.post(f"/api/v1/training/projects/{p['id']}/results",
                     json={"rows": [{"id_number": n1, "hours": 24, "passed": True}]}).status_code == 200
    assert as_user("info_reviewer@360102").post(f"/api/v1/training/projects/{p['id']}/results/confirm", json={}).status_code == 200
    assert inst.post(f"/api/v1/training/projects/{p['id']}/results",
                     json={"rows": [{"id_number": n2, "hours": 24, "passed": True}]}).status_code == 200
    results = {r["state"]: r["id"] for r in inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]}
    teacher = Multipart(as_user(n1, entry="teacher"))
    r = teacher.post(CLAIMS, data=_form(title=f"安全测试申报{next(_n)}"), files={"file": ("证书.pdf", pdf_bytes(), "application/pdf")})
    assert r.status_code == 201, r.text
    claim = r.json()["id"]
    plan = _project(as_user("info_manager@3601020001"), level="school", type="school_based", name=f"安全测试校本研修{next(_n)}", hours=8)
    return {"project": p["id"], "waiting": results["submitted"], "confirmed": results["confirmed"], "teacher": t1,
            "claim": claim, "plan": plan["id"], "inst_user": inst_user, "name": _name_of(ctx, t1), "id_number": n1}


def _name_of(ctx, tid: int) -> str:
    from web.db.models import Teacher

    with ctx.sessions() as db:
        return db.get(Teacher, tid).name


def _attempts(v):
    p, t, c = v["project"], v["teacher"], v["claim"]
    return [
        ("GET", f"/api/v1/training/projects/{p}/results", None),
        ("GET", f"/api/v1/training/projects/{p}/results/template.xlsx", None),
        ("POST", f"/api/v1/training/projects/{p}/results", {"rows": [{"id_number": "x", "hours": 1, "passed": True}]}),
        ("POST", f"/api/v1/training/projects/{p}/results/confirm", {}),
        ("POST", f"/api/v1/training/projects/{p}/results/{v['waiting']}/reject", {"reason": "越权"}),
        ("POST", f"/api/v1/training/projects/{p}/results/{v['confirmed']}/revoke", {"reason": "越权"}),
        ("POST", f"/api/v1/training/projects/{v['plan']}/approve", {"approve": False, "reason": "越权"}),
        ("GET", f"/api/v1/teachers/{t}/credits", None),
        ("POST", f"/api/v1/teachers/{t}/credits/adjustments",
         {"category": "professional", "credits": -1, "effective": "2024-07-10", "reason": "越权"}),
        ("GET", f"/api/v1/teachers/{t}/registration", None),
        ("GET", f"/api/v1/credit-claims/{c}/evidence", None),
        ("POST", f"/api/v1/credit-claims/{c}/review", {"approve": False, "reason": "越权"}),
        ("POST", f"/api/v1/credit-claims/{c}/confirm", {}),
        ("POST", f"/api/v1/credit-claims/{c}/revoke", {"reason": "越权"}),
        ("GET", f"/credits/teachers/{t}", None),
        ("GET", f"/credits/teachers/{t}/transcript", None),
        ("GET", f"/credits/projects/{p}", None),
    ]


# who must not reach 东湖区's project, its teacher, the teacher's claim: another county's staff,
# another province's, another school's, another teacher, another institution
OUTSIDERS = ["info_reviewer@360103", "info_manager@360103", "info_reviewer@62", "info_reviewer@3601020002",
             "info_manager@3601030001"]


def test_outsiders_reach_nothing_of_another_units_teacher_project_or_claim(as_user, world, institution, victim):  # noqa: F811
    _, other_inst = institution("360103")
    other_teacher = world.teacher_usernames[world.teachers["3601020002"][0]]
    clients = [(u, as_user(u)) for u in OUTSIDERS] + [(other_inst, as_user(other_inst)),
                                                      (other_teacher, as_user(other_teacher, entry="teacher"))]
    leaks = []
    for who, client in clients:
        for method, url, body in _attempts(victim):
            r = client.get(url) if method == "GET" else client.post(url, json=body)
            if r.status_code == 200 and method == "GET" and "/projects/" in url and not url.endswith(".xlsx"):
                # a unit below the organiser (and its teachers) sees the project exists, none of its participants
                if victim["name"] in r.text or victim["id_number"][-4:] in r.text:
                    leaks.append((who, method, url, "shows the participant"))
                continue
            if r.status_code < 400 or r.status_code >= 500:
                leaks.append((who, method, url, r.status_code, r.text[:120]))
    assert not leaks, "\n".join(map(str, leaks))


def test_the_projects_institution_reaches_no_teacher_claim_or_decision(as_user, victim):
    inst = as_user(victim["inst_user"])
    allowed = {f"/api/v1/training/projects/{victim['project']}/results",
               f"/api/v1/training/projects/{victim['project']}/results/template.xlsx",
               f"/credits/projects/{victim['project']}"}
    leaks = []
    for method, url, body in _attempts(victim):
        if url in allowed:
            continue
        r = inst.get(url) if method == "GET" else inst.post(url, json=body)
        if r.status_code < 400 or r.status_code >= 500:
            leaks.append((method, url, r.status_code, r.text[:120]))
    assert not leaks, "\n".join(map(str, leaks))


def test_another_teacher_cannot_resubmit_or_read_a_claim_by_id(as_user, world, victim):
    other = Multipart(as_user(world.teacher_usernames[world.teachers["3601020002"][0]], entry="teacher"))
    r = other.post(f"{CLAIMS}/{victim['claim']}", data=_form(title="改别人的申报"),
                   files={"file": ("x.pdf", pdf_bytes(), "application/pdf")})
    assert 400 <= r.status_code < 500, r.text
    assert victim["claim"] not in [c["id"] for c in other.get(CLAIMS).json()["claims"]]


PAGE_WRITES = ["/credits/claims/", "/credits/claims/{c}", "/credits/claims/{c}/review", "/credits/claims/{c}/confirm",
               "/credits/teachers/{t}/adjustments", "/credits/projects/{p}/upload", "/credits/projects/new",
               "/credits/projects/{plan}/decide", "/credits/projects/{p}/confirm",
               "/credits/projects/{p}/results/{w}/reject", "/credits/projects/{p}/results/{k}/revoke",
               "/credits/institutions/new", "/credits/institutions/1/accounts", "/credits/carry-over/upload",
               "/registration/apply", "/registration/batches/1/decide"]


def test_every_page_write_without_the_forms_token_is_refused_and_changes_nothing(as_user, victim):
    """A cross-site form (the session cookie, no _csrf_token; or another session's token) is W112 on
    every state-changing page of the two modules; the API's cookie writes need JSON or x-csrftoken."""
    reviewer = as_user("info_reviewer@360102")
    other_token = csrf_of(as_user("info_manager@360102").get("/credits/").text)
    for path in PAGE_WRITES:
        url = path.format(c=victim["claim"], t=victim["teacher"], p=victim["project"], plan=victim["plan"],
                          w=victim["waiting"], k=victim["confirmed"])
        for data in ({"reason": "跨站", "decision": "approve"}, {"_csrf_token": other_token, "reason": "跨站"}):
            r = reviewer.post(url, data=data)
            assert r.status_code == 403 and "W112" in r.text, (url, r.status_code)
    # the API signed in by cookie: a form post (what a foreign page can send) is refused too
    for url in (f"/api/v1/training/projects/{victim['project']}/results/confirm",
                f"/api/v1/credit-claims/{victim['claim']}/review", f"/api/v1/training/projects/{victim['plan']}/approve"):
        r = reviewer.post(url, data={"approve": "false", "reason": "跨站"})
        assert r.status_code == 403 and r.json()["code"] == "W112", (url, r.text[:200])
    plan = {p["id"]: p for p in reviewer.get("/api/v1/training/projects").json()["projects"]}[victim["plan"]]
    assert plan["state"] == "proposed"
