"""A training institution reads no teacher data: on a national project (which takes teachers of
every province) it cannot learn whose an ID number is, nor whether it exists; it sees only what it
sent. The organising authority's staff still see the names of their own teachers."""

from __future__ import annotations

from modules.credits.tests.test_api import _n, _project, _row, institution, teacher_name  # noqa: F401

UNMATCHED = "证件号码与姓名不符或不是本项目学员"


def _national(as_user, inst_id):
    return _project(as_user("info_manager@36"), level="national", name=f"国培计划（隐私{next(_n)}）", institution_id=inst_id,
                    hours=48, start="2024-05-01", end="2024-05-20", organiser="教育部")


def test_an_institution_never_sees_a_teachers_name_or_school(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("36")
    p = _national(as_user, inst_id)
    gs = world.teachers["6201020001"][0]  # 甘肃: another province's teacher
    inst = as_user(inst_user)
    r = inst.post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [_row(world, gs, 24)]})
    assert r.status_code == 200, r.text
    results = inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]
    assert len(results) == 1
    assert "name" not in results[0] and "school" not in results[0]
    assert teacher_name(world, gs) not in str(results) and world.teacher_usernames[gs] not in str(results)
    assert results[0]["id_number"].count("*") > 0 and results[0]["hours"] == "24.00"
    # the province's staff see their own teacher by name (and the 甘肃 teacher not at all)
    jx = world.teachers["3602020001"][0]
    assert inst.post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [_row(world, jx, 24)]}).status_code == 200
    staff = as_user("info_reviewer@36").get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]
    assert [s["name"] for s in staff] == [teacher_name(world, jx)]
    # … with the whole ID number, as web/privacy.py shows it to a reader with personal.read there
    assert [s["id_number"] for s in staff] == [world.teacher_usernames[jx]]


def test_an_unknown_id_number_reads_like_any_other_mismatch(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("36")
    p = _national(as_user, inst_id)
    gs = world.teachers["6201020001"][0]
    inst = as_user(inst_user)
    unknown = {"id_number": "11010519491231002X", "name": "无此人", "hours": 24, "passed": True}
    guessed = {"id_number": world.teacher_usernames[gs], "name": "张三", "hours": 24, "passed": True}
    r = inst.post(f"/api/v1/training/projects/{p['id']}/results",
                  json={"rows": [unknown, guessed], "dry_run": True})
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert [(q["row"], q["column"]) for q in problems] == [(1, "id_number"), (2, "id_number")]
    assert {q["message"] for q in problems} == {UNMATCHED}
    assert len({(q["message_en"], q["hint"]) for q in problems}) == 1
    # the rows carry no name: the ID number alone then identifies a participant the
    # project takes (a national project: any teacher); the name, when sent, must be theirs
    no_name = {"id_number": world.teacher_usernames[gs], "hours": 24, "passed": True}
    assert inst.post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [no_name], "dry_run": True}).status_code == 200


def _audits(ctx, action, since):
    from sqlalchemy import select

    from web.db.models import AuditEntry

    with ctx.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.seq > since)
                               .order_by(AuditEntry.seq)))


def _last_audit_id(ctx):
    from sqlalchemy import func, select

    from web.db.models import AuditEntry

    with ctx.sessions() as db:
        return db.scalar(select(func.max(AuditEntry.seq))) or 0


def test_the_results_list_shows_full_id_numbers_only_with_personal_read_and_audits_it(ctx, as_user, world, institution):  # noqa: F811
    """web/privacy.py decides for the results list too: the county's reviewer (personal.read)
    reads the participant's whole ID number on the API and the page, and the read is audited as
    unmasked; the county's viewer (信息查询员) and the institution read it masked."""
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="隐私测试项目", institution_id=inst_id)
    t1 = world.teachers["3601020001"][0]
    full = world.teacher_usernames[t1]
    inst = as_user(inst_user)
    assert inst.post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [_row(world, t1, 24)]}).status_code == 200

    since = _last_audit_id(ctx)
    reviewer = as_user("info_reviewer@360102")
    rows = reviewer.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]
    assert [r["id_number"] for r in rows] == [full]
    assert full in reviewer.get(f"/credits/projects/{p['id']}").text
    reads = _audits(ctx, "credits.results.read", since)
    assert [(e.detail["rows"], e.detail["unmasked"]) for e in reads] == [(1, 1), (1, 1)]
    assert full not in str([e.detail for e in reads])  # the log names no number

    since = _last_audit_id(ctx)
    viewer = as_user("info_viewer@360102")
    masked = viewer.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"][0]["id_number"]
    assert masked == full[:4] + "*" * 10 + full[-4:]
    assert [e.detail["unmasked"] for e in _audits(ctx, "credits.results.read", since)] == [0]
    # the institution holds no personal.read: what it sent, masked, on the API and its page
    assert inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"][0]["id_number"] == masked
    assert full not in inst.get(f"/credits/projects/{p['id']}").text


def test_the_balances_show_full_id_numbers_only_with_personal_read_and_audit_it(ctx, as_user, world):
    """The credit bank's balances (学分银行) of a school: its reviewer sees whole ID numbers, on the
    API and the page, and each page read so is audited (teacher.list via credits.balances); its
    viewer sees them masked and no unmasked read is logged."""
    school = world.teachers["3601020001"]
    numbers = {world.teacher_usernames[t] for t in school}
    since = _last_audit_id(ctx)
    reviewer = as_user("info_reviewer@3601020001")
    items = reviewer.get("/api/v1/training/balances?limit=200").json()["items"]
    mine = {i["id"]: i for i in items if i["id"] in school}
    assert {mine[t]["id_number"] for t in school} == numbers and not any(mine[t]["masked"] for t in school)
    page = reviewer.get("/credits/?lang=zh").text
    assert all(n in page for n in numbers)
    reads = [e for e in _audits(ctx, "teacher.list", since) if e.detail.get("via") == "credits.balances"]
    assert len(reads) == 2 and all(e.detail["unmasked"] == e.detail["rows"] >= 3 for e in reads)

    since = _last_audit_id(ctx)
    viewer = as_user("info_viewer@3601020001")
    items = viewer.get("/api/v1/training/balances?limit=200").json()["items"]
    seen = {i["id"]: i["id_number"] for i in items if i["id"] in school}
    assert all("*" in seen[t] and seen[t][-4:] == world.teacher_usernames[t][-4:] for t in school)
    page = viewer.get("/credits/").text
    assert not any(n in page for n in numbers)
    assert not [e for e in _audits(ctx, "teacher.list", since) if e.detail.get("via") == "credits.balances"]
