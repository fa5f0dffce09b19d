"""A training institution reads no teacher data: on a national project (which takes teachers of
every province) it cannot learn whose an ID number is, nor whether it exists; it sees only what it
sent. The organising authority's staff still see the names of their own teachers."""

from __future__ import annotations

from modules.credits.tests.test_api import _project, _row, institution, teacher_name  # noqa: F401

UNMATCHED = "证件号码与姓名不符或不是本项目学员"


def _national(as_user, inst_id):
    return _project(as_user("info_manager@36"), level="national", name="国培计划（隐私）", institution_id=inst_id,
                    hours=48, start="2024-05-01", end="2024-05-20")


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
    assert world.teacher_usernames[jx] not in str(staff)


def test_an_unknown_id_number_reads_like_any_other_mismatch(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("36")
    p = _national(as_user, inst_id)
    gs = world.teachers["6201020001"][0]
    inst = as_user(inst_user)
    unknown = {"id_number": "11010519491231002X", "name": "无此人", "hours": 24, "passed": True}
    no_name = {"id_number": world.teacher_usernames[gs], "hours": 24, "passed": True}
    guessed = {"id_number": world.teacher_usernames[gs], "name": "张三", "hours": 24, "passed": True}
    r = inst.post(f"/api/v1/training/projects/{p['id']}/results",
                  json={"rows": [unknown, no_name, guessed], "dry_run": True})
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert [(q["row"], q["column"]) for q in problems] == [(1, "id_number"), (2, "id_number"), (3, "id_number")]
    assert {q["message"] for q in problems} == {UNMATCHED}
    assert len({(q["message_en"], q["hint"]) for q in problems}) == 1
