"""The credit pages in English (?lang=en), walked as the demo's accounts — province, city, county and
school staff, the institution (institution-demo) and two teachers: no Chinese is left on any page but
people's, units' and projects' names and what people typed (claims' titles, file names). Category
names come from the rules' English (Face-to-face training), rule versions read "…, version 2021",
punctuation is English, and an upload's problems are listed in English."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from modules.credits import results as R
from modules.credits.models import CreditClaim, CreditEntry, TrainingInstitution, TrainingProject
from tests.web.conftest import Client, csrf_of, fresh_database, make_settings
from tests.web.english_walk import han_left
from web.app import create_app
from web.db.models import Account, Teacher, Unit
from web.demo import build_demo

PASSWORD = "Demo@2024x"
STAFF = ("province-manager", "province-reviewer", "province-viewer", "city-reviewer", "county-manager",
         "county-reviewer", "school-manager", "school-reviewer", "school-viewer", "institution-demo")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("creditsen")) as url:
        settings = make_settings(url)
        build_demo(settings, password=PASSWORD, teachers=48, seed=3)
        app = create_app(settings)
        yield app
        app.state.ctx.engine.dispose()


def _names(app) -> set[str]:
    """Everything people named or typed: theirs to write in Chinese."""
    with app.state.ctx.sessions() as db:
        names = set(db.scalars(select(Teacher.name))) | set(db.scalars(select(Unit.name)))
        names |= set(db.scalars(select(Account.real_name))) | set(db.scalars(select(TrainingInstitution.name)))
        for p in db.scalars(select(TrainingProject)):
            names |= {p.name, p.organiser or ""}
        for c in db.scalars(select(CreditClaim)):
            names |= {c.title, c.description, c.reason, c.evidence_name}
    return names


def _pages(app) -> tuple[list[str], list[int]]:
    with app.state.ctx.sessions() as db:
        projects = list(db.scalars(select(TrainingProject.id).order_by(TrainingProject.id)))
        teachers = list(db.scalars(select(CreditEntry.teacher_id).distinct().order_by(CreditEntry.teacher_id)))
    urls = ["/admin/", "/credits/", "/credits/projects/", "/credits/claims/", "/credits/institutions/", "/credits/carry-over/"]
    urls += [f"/credits/projects/{p}" for p in projects]
    urls += [f"/credits/teachers/{t}{page}" for t in teachers[:3] for page in ("", "/transcript")]
    return urls, teachers


def _teachers(app) -> dict[str, str]:
    """The usernames of a teacher whose credits came from a project and of one with self-study claims."""
    with app.state.ctx.sessions() as db:
        from_project = db.scalar(select(CreditEntry.teacher_id).where(CreditEntry.project_id.is_not(None)))
        claimant = db.scalar(select(CreditClaim.teacher_id).where(CreditClaim.state == "confirmed"))
        account = lambda tid: db.scalar(select(Account.username).where(Account.teacher_id == tid))  # noqa: E731
        return {"project": account(from_project), "claim": account(claimant)}


def test_every_credit_page_in_english_leaves_only_names_in_chinese(demo):
    names, (urls, _) = _names(demo), _pages(demo)
    categories = {c.zh for c in R.rules_for(demo.state.ctx.settings.repo_root, "36").categories.values()}
    seen: dict[str, set[str]] = {}
    for user in STAFF + tuple(_teachers(demo).values()):
        client = Client(demo, user, PASSWORD, entry="teacher" if user[0].isdigit() else None)
        for url in urls:
            page = client.get(f"{url}?lang=en", follow_redirects=False)
            if page.status_code != 200:
                continue
            seen.setdefault(user, set()).add(url)
            # the carry-over page names each category as it may be typed into its template, Chinese too
            typed = categories if url == "/credits/carry-over/" else set()
            assert han_left(page.text, names | typed) == [], (user, url)
    # the walk reached each kind of page as each kind of account
    assert {"/credits/", "/credits/projects/", "/credits/claims/"} <= seen["province-reviewer"]
    assert "/credits/projects/" in seen["institution-demo"] and len(seen["institution-demo"]) >= 4
    assert {"/credits/", "/credits/institutions/"} <= seen["county-manager"]
    assert "/credits/" in seen["school-viewer"]
    teacher = _teachers(demo).values()
    assert all("/credits/" in seen[t] and any("/transcript" in u for u in seen[t]) for t in teacher)


def test_categories_and_rule_versions_read_in_english(demo):
    teacher = Client(demo, _teachers(demo)["project"], PASSWORD, entry="teacher")
    mine = teacher.get("/credits/?lang=en").text
    assert "Face-to-face training" in mine and ", version 2021" in mine and "集中培训" not in mine
    assert "集中培训" in teacher.get("/credits/?lang=zh").text and "2021 版" in teacher.get("/credits/?lang=zh").text
    balances = Client(demo, "province-reviewer", PASSWORD).get("/credits/?lang=en").text
    assert "Face-to-face training" in balances and "集中培训" not in balances


def test_an_uploads_problems_are_listed_in_english(demo):
    inst = Client(demo, "institution-demo", PASSWORD)
    national = next(p for p in inst.get("/api/v1/training/projects").json()["projects"] if p["level"] == "national")
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{national['id']}/results/template.xlsx").content))
    wb.worksheets[0].append(["110105194912310021", "Nobody", "abc", "yes", ""])
    body = io.BytesIO()
    wb.save(body)
    page = inst.get("/credits/projects/?lang=en")
    r = inst.post(f"/credits/projects/{national['id']}/upload?lang=en", data={"_csrf_token": csrf_of(page.text)},
                  files={"file": ("results.xlsx", body.getvalue(),
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert r.status_code == 422, r.text[:300]
    problems = r.text.split('id="results-problems"')[1].split("</table>")[0]
    assert "<td>Hours</td>" in problems and "How to fix" in problems
    assert han_left(r.text, _names(demo)) == []


def test_a_revoked_entry_reads_in_english(demo):
    """(Changes the demo: last in this file.) The revocation's note the module writes,
    "<project>（撤销：<reason>）", reads "<project> (revoked: <reason>)" on the teacher's 我的学分 (My credits)."""
    province = Client(demo, "province-reviewer", PASSWORD)
    project = next(p for p in province.get("/api/v1/training/projects").json()["projects"] if p["level"] == "province")
    row = next(r for r in province.get(f"/api/v1/training/projects/{project['id']}/results").json()["results"]
               if r["state"] == "confirmed" and r["passed"])
    r = province.post(f"/api/v1/training/projects/{project['id']}/results/{row['id']}/revoke", json={"reason": "hours wrong"})
    assert r.status_code == 200, r.text
    with demo.state.ctx.sessions() as db:
        from modules.credits.models import TrainingResult

        username = db.scalar(select(Account.username).where(
            Account.teacher_id == db.get(TrainingResult, row["id"]).teacher_id))
    teacher = Client(demo, username, PASSWORD, entry="teacher")
    page = teacher.get("/credits/?lang=en").text
    assert f"{project['name']} (revoked: hours wrong)" in page and han_left(page, _names(demo)) == []
    assert f"{project['name']}（撤销：hours wrong）" in teacher.get("/credits/?lang=zh").text
