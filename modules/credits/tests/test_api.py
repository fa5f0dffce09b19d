"""Training projects, results and the credit bank through the API, as the people who use them:
the county registers a project run by an institution, the institution submits its participants'
results (all rows or none), the county confirms them into the credit bank, the teacher and the
county read the credits; the institution sees nothing but its own projects."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from modules.credits import ledger
from modules.credits.models import InstitutionAccount, TrainingInstitution
from tests.web.conftest import add_staff
from web.db.models import Unit

_n = itertools.count(1)


@pytest.fixture()
def institution(ctx, world):
    """``institution("360102")`` → (institution id, username of its 培训机构管理员 account)."""
    def make(unit_code: str = "360102") -> tuple[int, str]:
        with ctx.sessions() as db:
            unit = db.scalar(select(Unit).where(Unit.code == unit_code))
            inst = TrainingInstitution(name=f"测试培训机构{next(_n)}", unit_id=unit.id)
            db.add(inst)
            db.flush()
            username = f"inst{inst.id}"
            acc = add_staff(db, ctx, username, unit, "training_institution")
            db.add(InstitutionAccount(account_id=acc.id, institution_id=inst.id))
            db.commit()
            return inst.id, username
    return make


def _project(client, **kw):
    # a unit registers one project of a name and dates (W716): each test's default name is its own
    body = dict(name=f"2024年县级班主任培训（{next(_n)}）", level="county", type="face_to_face", hours=30,
                start="2024-07-01", end="2024-07-10") | kw
    r = client.post("/api/v1/training/projects", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def teacher_name(world, tid):
    """The name the world fixture gave the teacher (教师<code's last 4><index>)."""
    code, i = next((c, ids.index(tid)) for c, ids in world.teachers.items() if tid in ids)
    return f"教师{code[-4:]}{i}"


def _row(world, tid, hours=24, passed=True):
    return {"id_number": world.teacher_usernames[tid], "name": teacher_name(world, tid), "hours": hours, "passed": passed}


def test_institution_submits_county_confirms_teacher_sees_credits(as_user, world, institution):
    inst_id, inst_user = institution("360102")
    county = as_user("info_manager@360102")
    project = _project(county, institution_id=inst_id)
    t1, t2, t3 = world.teachers["3601020001"]
    inst = as_user(inst_user)
    assert [p["id"] for p in inst.get("/api/v1/training/projects").json()["projects"]] == [project["id"]]
    r = inst.post(f"/api/v1/training/projects/{project['id']}/results",
                  json={"rows": [_row(world, t1, 24), _row(world, t2, 30, passed=False)]})
    assert r.status_code == 200, r.text
    assert r.json()["saved"] == 2
    assert inst.get(f"/api/v1/training/projects/{project['id']}/results").json()["results"][0]["id_number"].count("*") > 0

    r = as_user("info_reviewer@360102").post(f"/api/v1/training/projects/{project['id']}/results/confirm", json={})
    assert r.status_code == 200, r.text
    out = r.json()
    # 江西 2021 rules: 24 h / 10 = 2.4 → rounded down to 0.5 steps = 2.0; the failed one gets nothing
    assert (out["confirmed"], out["passed"], out["credits"], out["rule_version"]) == (2, 1, "2.00", "36:2021")

    mine = as_user(world.teacher_usernames[t1], entry="teacher").get(f"/api/v1/teachers/{t1}/credits")
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["total"], body["by_year"]) == ("2.00", {"2024": "2.00"})
    assert body["entries"][0]["rule_version"] == "36:2021" and body["entries"][0]["project"] == project["name"]
    assert as_user("info_viewer@360102").get(f"/api/v1/teachers/{t2}/credits").json()["total"] == "0.00"
    # as of the day before anything was confirmed: nothing yet
    assert as_user("info_viewer@360102").get(f"/api/v1/teachers/{t1}/credits?as_of=2020-01-01").json()["total"] == "0.00"
    # confirming again: nothing waits
    again = as_user("info_reviewer@360102").post(f"/api/v1/training/projects/{project['id']}/results/confirm", json={})
    assert again.status_code == 409 and again.json()["code"] == "W549"
    # a confirmed result cannot be submitted again
    r = inst.post(f"/api/v1/training/projects/{project['id']}/results", json={"rows": [_row(world, t1, 10)]})
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "id_number"


def test_results_are_all_or_nothing_and_each_problem_names_its_row(as_user, world, institution):
    inst_id, inst_user = institution("360102")
    project = _project(as_user("info_manager@360102"), institution_id=inst_id)
    a, b, _ = world.teachers["3601020002"]
    outsider = world.teachers["3601030001"][0]  # 西湖区: not under the county that organises it
    inst = as_user(inst_user)
    rows = [_row(world, a), _row(world, outsider), {"id_number": world.teacher_usernames[b], "name": teacher_name(world, b), "hours": 99, "passed": "也许"},
            _row(world, a)]
    r = inst.post(f"/api/v1/training/projects/{project['id']}/results", json={"rows": rows})
    assert r.status_code == 422 and r.json()["code"] == "W548"
    problems = {(p["row"], p["column"]) for p in r.json()["problems"]}
    assert problems == {(2, "id_number"), (3, "hours"), (3, "passed"), (4, "id_number")}
    assert all(p["message"] and p["message_en"] for p in r.json()["problems"])
    assert inst.get(f"/api/v1/training/projects/{project['id']}/results").json()["results"] == []
    # dry run of good rows: checked, nothing saved
    r = inst.post(f"/api/v1/training/projects/{project['id']}/results", json={"rows": [_row(world, a)], "dry_run": True})
    assert r.status_code == 200 and r.json()["saved"] == 0
    assert inst.get(f"/api/v1/training/projects/{project['id']}/results").json()["results"] == []


def test_an_institution_sees_only_its_own_projects_and_no_teacher_data(as_user, world, institution):
    inst_id, inst_user = institution("360102")
    other_id, _ = institution("360102")
    county = as_user("info_manager@360102")
    own = _project(county, institution_id=inst_id)
    other = _project(county, institution_id=other_id, name="别的机构的项目")
    inst = as_user(inst_user)
    assert [p["id"] for p in inst.get("/api/v1/training/projects").json()["projects"]] == [own["id"]]
    tid = world.teachers["3601020001"][0]
    assert inst.post(f"/api/v1/training/projects/{other['id']}/results",
                     json={"rows": [_row(world, tid)]}).status_code == 404
    assert inst.get(f"/api/v1/training/projects/{other['id']}/results").status_code in (403, 404)
    assert inst.get(f"/api/v1/teachers/{tid}/credits").status_code in (403, 404)
    assert inst.get("/api/v1/teachers").status_code in (403, 404) or inst.get("/api/v1/teachers").json() in ([], {"items": []})
    assert inst.post(f"/api/v1/training/projects/{own['id']}/results/confirm", json={}).status_code in (403, 404)
    assert inst.post("/api/v1/training/projects", json=dict(name="x", level="county", type="online", hours=1,
                                                            start="2024-01-01", end="2024-01-02")).status_code == 403


def test_a_national_project_is_confirmed_by_the_province_under_its_own_rules(as_user, world, institution):
    inst_id, inst_user = institution("36")
    project = _project(as_user("info_manager@36"), level="national", name="国培计划2024", institution_id=inst_id,
                       hours=48, start="2024-05-01", end="2024-05-20", organiser="教育部")
    jx = world.teachers["3602020001"][0]
    gs = world.teachers["6201020001"][0]
    r = as_user(inst_user).post(f"/api/v1/training/projects/{project['id']}/results",
                                json={"rows": [_row(world, jx, 24), _row(world, gs, 24)]})
    assert r.status_code == 200, r.text
    out = as_user("info_reviewer@36").post(f"/api/v1/training/projects/{project['id']}/results/confirm", json={}).json()
    # only 江西's teacher, under 江西's rules: 24 / 10 × 1.2 = 2.88 → 2.5
    assert (out["confirmed"], out["credits"], out["rule_version"]) == (1, "2.50", "36:2021")
    # a county is not the province: it cannot confirm a national project
    assert as_user("info_reviewer@360202").post(
        f"/api/v1/training/projects/{project['id']}/results/confirm", json={}).status_code == 404
    # 甘肃 confirms its own teacher under the national default
    out = as_user("info_reviewer@62").post(f"/api/v1/training/projects/{project['id']}/results/confirm", json={}).json()
    assert (out["confirmed"], out["credits"], out["rule_version"]) == (1, "2.00", "national:2021")


def test_yearly_cap_per_category(as_user, world, institution):
    inst_id, inst_user = institution("360103")
    county = as_user("info_manager@360103")
    tid = world.teachers["3601030001"][1]
    got = []
    for name in ("网络研修一", "网络研修二"):
        p = _project(county, name=name, type="online", hours=120, institution_id=inst_id, start="2023-03-01", end="2023-03-30")
        assert as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results",
                                       json={"rows": [_row(world, tid, 120)]}).status_code == 200
        got.append(as_user("info_reviewer@360103").post(f"/api/v1/training/projects/{p['id']}/results/confirm", json={}).json()["credits"])
    assert got == ["10.00", "2.00"]  # 120 h / 12 = 10 each; 江西's yearly cap on online study is 12


def test_a_school_based_plan_waits_for_its_authority(as_user, world):
    school = as_user("info_manager@3601020001")
    plan = _project(school, level="school", type="school_based", name="校本研修：作业设计", hours=20)
    assert plan["state"] == "proposed"
    tid = world.teachers["3601020001"][2]
    r = school.post(f"/api/v1/training/projects/{plan['id']}/results", json={"rows": [_row(world, tid, 20)]})
    assert r.status_code == 409 and r.json()["code"] == "W551"
    assert as_user("info_reviewer@3601020001").post(f"/api/v1/training/projects/{plan['id']}/approve",
                                                    json={"approve": True}).status_code in (403, 404)
    r = as_user("info_reviewer@360102").post(f"/api/v1/training/projects/{plan['id']}/approve", json={"approve": True})
    assert r.status_code == 200 and r.json()["state"] == "active"
    assert school.post(f"/api/v1/training/projects/{plan['id']}/results", json={"rows": [_row(world, tid, 20)]}).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"level": "galaxy"}, "level"), ({"type": "nap"}, "type"), ({"hours": 0}, "hours"),
    ({"end": "2024-06-01"}, "start/end"), ({"start": "tomorrow"}, "start/end"), ({"name": ""}, "name"),
])
def test_a_wrong_project_is_refused_with_the_field_named(as_user, body, field):
    base = dict(name="x", level="county", type="online", hours=10, start="2024-07-01", end="2024-07-02")
    r = as_user("info_manager@360102").post("/api/v1/training/projects", json=base | body)
    assert r.status_code == 422 and r.json()["code"] == "W545"
    assert field in r.json()["message_en"]


def test_a_county_cannot_register_a_province_project(as_user):
    r = as_user("info_manager@360102").post("/api/v1/training/projects", json=dict(
        name="x", level="province", type="online", hours=10, start="2024-07-01", end="2024-07-02"))
    assert r.status_code == 403 and r.json()["code"] == "W546"


def test_changing_the_rules_later_never_changes_confirmed_credits(ctx, world, who, tmp_path):
    """A confirmed credit keeps the amount and the rule version it was computed under: the YAML
    edited afterwards applies to later confirmations only."""
    import shutil
    from pathlib import Path

    from modules.credits import projects as P
    from modules.credits import results as R

    root = tmp_path / "repo"
    src = Path(ctx.settings.repo_root)
    (root / "modules" / "credits").mkdir(parents=True)
    shutil.copy(src / "modules/credits/credits.yaml", root / "modules/credits/credits.yaml")
    (root / "provinces").mkdir()
    tid, other = world.teachers["3601030001"][0], world.teachers["3601030001"][2]
    with ctx.sessions() as db:
        county = who(db, "info_manager@360103")
        p1 = P.register_project(db, county, dict(name="规则冻结一", level="county", type="online", hours=36,
                                                 start="2022-03-01", end="2022-03-05"))
        p2 = P.register_project(db, county, dict(name="规则冻结二", level="county", type="online", hours=36,
                                                 start="2022-04-01", end="2022-04-05"))
        for p in (p1, p2):
            R.submit_results(db, county, p.id, [{"id_number": world.teacher_usernames[other], "hours": 36, "passed": True}])
        R.confirm_results(db, who(db, "info_reviewer@360103"), p1.id, root=root)
        db.commit()
        before = ledger.balance(db, other, start=date(2022, 1, 1), end=date(2022, 12, 31))
        assert before.credits == Decimal("3.00")  # national default: 36 h / 12
        # the province edits the rule in place: 6 hours a credit now, same version name
        text = (root / "modules/credits/credits.yaml").read_text(encoding="utf-8")
        (root / "modules/credits/credits.yaml").write_text(
            text.replace("{types: [online], hours_per_credit: 12", "{types: [online], hours_per_credit: 6"), encoding="utf-8")
        import os
        os.utime(root / "modules/credits/credits.yaml", ns=(10**18, 10**18))  # a new file state for the cache
        R.confirm_results(db, who(db, "info_reviewer@360103"), p2.id, root=root)
        db.commit()
        entries = ledger.entries(db, other, start=date(2022, 1, 1), end=date(2022, 12, 31))
        assert [(e.project_id, e.credits, e.rule_version) for e in entries] == [
            (p1.id, Decimal("3.00"), "national:2021"), (p2.id, Decimal("6.00"), "national:2021")]
    assert tid  # the other teacher of the school has nothing from these projects


def test_balances_page_of_a_county_per_year_cycle_and_as_of(as_user, world, institution):
    inst_id, inst_user = institution("360202")
    p = _project(as_user("info_manager@360202"), name="昌江区面授", hours=40, institution_id=inst_id,
                 start="2024-09-01", end="2024-09-03")
    tid = world.teachers["3602020001"][2]
    r = as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [_row(world, tid, 40)]})
    assert r.status_code == 200, r.text
    r = as_user("info_reviewer@360202").post(f"/api/v1/training/projects/{p['id']}/results/confirm", json={})
    assert r.status_code == 200, r.text
    viewer = as_user("info_viewer@360202")
    page = viewer.get("/api/v1/training/balances?year=2024").json()
    assert page["cycle"] == ["2021-01-01", "2025-12-31"]
    row = next(i for i in page["items"] if i["id"] == tid)
    assert (row["year"], row["cycle"], row["by_category"]) == ("4.00", "4.00", {"face_to_face": "4.00"})
    assert "*" in row["id_number"]
    assert {i["id"] for i in page["items"]} <= set(world.teachers["3602020001"]) | {i["id"] for i in page["items"]
                                                                                   if i["unit_name"] == "昌江区职业中学"}
    assert next(i for i in viewer.get("/api/v1/training/balances?year=2024&as_of=2020-01-01").json()["items"]
                if i["id"] == tid)["year"] == "0.00"
    assert viewer.get("/api/v1/training/balances?as_of=yesterday").json()["code"] == "W553"


def test_no_rows_is_a_clear_refusal(as_user, institution):
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="空提交", institution_id=inst_id)
    r = as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": []})
    assert r.status_code == 422 and r.json()["code"] == "W552" and "rows" in r.json()["hint_en"]
