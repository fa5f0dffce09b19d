"""After a saved form on 培训项目 and 培训机构 the browser is sent (303) to the page by GET, which
says what was done: a school-based plan registered (等待审批), approved or rejected by its authority
(批准/不批准), a training project or an institution registered. Reloading that page sends nothing
again (one project, one decision, one institution). The address carries an id only, never text:
the message is read from what the caller sees, so a crafted address says nothing that is not so.
A refusal still comes back as the page at the POST's address, the form filled in."""

from __future__ import annotations

import itertools
from html import unescape

from sqlalchemy import func, select

from modules.credits.models import TrainingInstitution, TrainingProject
from modules.credits.tests.test_api import _project
from tests.web.conftest import csrf_of, post_form
from web.db.models import AuditEntry

_n = itertools.count(1)
PLAN = dict(level="school", type="school_based", hours="12", start="2024-03-01", end="2024-06-30")


def _en(location: str) -> str:
    path, _, anchor = location.partition("#")
    return f"{path}&lang=en#{anchor}"


def _count(ctx, model, *where) -> int:
    with ctx.sessions() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where))


def test_a_plan_registered_then_decided_redirects_to_a_page_that_says_so(ctx, as_user):
    name = f"校本研修：重定向{next(_n)}"
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/credits/projects/", "/credits/projects/new", PLAN | {"name": name})
    assert r.status_code == 303 and r.headers["location"].startswith("/credits/projects/?registered="), r.text[:500]
    pid = int(r.headers["location"].split("registered=")[1].split("#")[0])
    for _ in range(2):   # the page and its reload: a GET, nothing registered again
        page = school.get(r.headers["location"])
        assert page.status_code == 200 and f"已登记校本研修计划「{name}」，等待主管教育行政部门审批" in page.text
    assert _count(ctx, TrainingProject, TrainingProject.name == name) == 1
    assert f"School-based plan '{name}' registered" in unescape(school.get(_en(r.headers["location"])).text)
    school.get("/credits/projects/?lang=zh")

    reviewer = as_user("info_reviewer@360102")
    # a crafted address: the plan is still waiting, so nothing is said; another unit's project is not "registered"
    assert 'id="project-outcome"' not in reviewer.get(f"/credits/projects/?decided={pid}").text
    assert 'id="project-outcome"' not in reviewer.get(f"/credits/projects/?registered={pid}").text
    listed = reviewer.get("/credits/projects/")
    refused = reviewer.post(f"/credits/projects/{pid}/decide?approve=0", data={"_csrf_token": csrf_of(listed.text)},
                            follow_redirects=False)   # no reason: the page at the POST's address, as before
    assert refused.status_code == 422 and "W720" in refused.text and 'id="training-projects"' in refused.text
    r = reviewer.post(f"/credits/projects/{pid}/decide?approve=0", follow_redirects=False,
                      data={"_csrf_token": csrf_of(listed.text), "reason": "研修内容与学时不符"})
    assert r.status_code == 303 and r.headers["location"] == f"/credits/projects/?decided={pid}#project-outcome"
    for _ in range(2):
        page = reviewer.get(r.headers["location"])
        assert page.status_code == 200 and f"校本研修计划「{name}」：未批准。" in page.text
    with ctx.sessions() as db:
        decisions = db.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action.in_(("credits.plan.reject", "credits.plan.approve")), AuditEntry.target_id == str(pid)))
    assert decisions == 1
    assert f"School-based plan '{name}': rejected." in unescape(reviewer.get(_en(r.headers["location"])).text)
    reviewer.get("/credits/projects/?lang=zh")


def test_an_approved_plan_says_so_after_the_redirect(as_user):
    school = as_user("info_manager@3601020001")
    name = f"校本研修：批准重定向{next(_n)}"
    plan = _project(school, level="school", type="school_based", name=name, hours=16)
    reviewer = as_user("info_reviewer@360102")
    r = post_form(reviewer, "/credits/projects/", f"/credits/projects/{plan['id']}/decide?approve=1", {})
    assert r.status_code == 303
    assert f"校本研修计划「{name}」：已登记。" in reviewer.get(r.headers["location"]).text
    # a project that is no school-based plan is never called one, whatever the address says
    county = _project(as_user("info_manager@360102"), name=f"县级项目{next(_n)}")
    assert 'id="project-outcome"' not in reviewer.get(f"/credits/projects/?decided={county['id']}").text
    assert 'id="project-outcome"' not in reviewer.get("/credits/projects/?decided=99999999").text


def test_a_project_registered_on_the_page_redirects_and_a_refusal_keeps_the_form(ctx, as_user):
    county = as_user("info_manager@360102")
    name = f"页面登记重定向{next(_n)}"
    form = {"name": name, "level": "county", "type": "face_to_face", "hours": "", "start": "2024-07-01",
            "end": "2024-07-10"}
    bad = post_form(county, "/credits/projects/", "/credits/projects/new", form)
    assert bad.status_code == 422 and "W545" in bad.text and f'value="{name}"' in bad.text
    r = post_form(county, "/credits/projects/", "/credits/projects/new", form | {"hours": "24"})
    assert r.status_code == 303 and "registered=" in r.headers["location"]
    for _ in range(2):
        assert f"已登记培训项目「{name}」。" in county.get(r.headers["location"]).text
    assert _count(ctx, TrainingProject, TrainingProject.name == name) == 1


def test_an_institution_registered_redirects_and_a_reload_registers_nothing(ctx, as_user):
    county = as_user("info_manager@360102")
    name = f"重定向进修学校{next(_n)}"
    r = post_form(county, "/credits/institutions/", "/credits/institutions/new", {"name": name})
    assert r.status_code == 303 and r.headers["location"].startswith("/credits/institutions/?registered=")
    for _ in range(2):
        page = county.get(r.headers["location"])
        assert page.status_code == 200 and f"已登记培训机构：{name}" in page.text
    assert _count(ctx, TrainingInstitution, TrainingInstitution.name == name) == 1
    # another county's page: its institution is not named there
    other = as_user("info_manager@360103")
    assert "已登记培训机构" not in other.get(r.headers["location"]).text
    refused = post_form(county, "/credits/institutions/", "/credits/institutions/new", {"name": " "})
    assert refused.status_code == 422 and "W545" in refused.text                 # the page again, at the POST's address,
    assert 'action="/credits/institutions/new"' in refused.text                   # its form there, not an error page
