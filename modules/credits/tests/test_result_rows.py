"""Result rows as the issue writes them and as people type them (walk findings 15, 9, 10, 22, 25):
{"id_number", "hours", "passed"} without a name is taken; a name, when given, must match; an ID
that Excel turned into a number, one with a wrong check character and an empty one each get their
own message (none says whether a number exists elsewhere); a file that is no workbook is named as
it was sent."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from engine import idnumber
from modules.credits.tests.test_api import _project, _row, institution, teacher_name  # noqa: F401
from tests.web.conftest import csrf_of


def _post(client, pid, rows):
    return client.post(f"/api/v1/training/projects/{pid}/results", json={"rows": rows})


def _problems(r):
    assert r.status_code == 422, r.text
    return {p["row"]: p for p in r.json()["problems"]}


def test_the_issues_row_shape_without_a_name_is_taken(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="按议题格式提交", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    a, b = world.teachers["3601020002"][:2]
    ok = _post(inst, p["id"], [{"id_number": world.teacher_usernames[a], "hours": 20, "passed": True},
                               {"id_number": world.teacher_usernames[b], "hours": 12, "passed": False, "score": 55}])
    assert ok.status_code == 200 and ok.json()["saved"] == 2, ok.text
    assert len(inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]) == 2


def test_a_name_when_given_must_match_and_nothing_tells_where_else_a_number_exists(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="姓名可选的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    a = world.teachers["3601020002"][0]
    elsewhere = world.teachers["3602020001"][0]  # a teacher of another county: outside this project's reach
    nobody = idnumber.make("360102", "1985-03-04", 517)  # a valid number no teacher has
    wrong_name = _row(world, a, 20) | {"name": "张冠李戴"}
    probs = _problems(_post(inst, p["id"], [
        wrong_name,
        {"id_number": world.teacher_usernames[elsewhere], "hours": 10, "passed": True},
        {"id_number": nobody, "hours": 10, "passed": True},
        _row(world, elsewhere, 10),
        {"id_number": nobody, "name": teacher_name(world, elsewhere), "hours": 10, "passed": True}]))
    assert probs[1]["message"] == "证件号码与姓名不符或不是本项目学员"
    # a teacher elsewhere reads exactly as a number nobody has, with a name and without
    assert probs[2]["message"] == probs[3]["message"] == "身份证件号不是本项目范围内的教师"
    assert probs[4]["message"] == probs[5]["message"] == probs[1]["message"]
    assert all("code" not in x for x in probs.values())

    # the organiser's own staff (who read their teachers) are told the name alone is wrong
    own = _project(as_user("info_manager@360102"), name="本单位录入的项目", hours=20)
    staff = _problems(_post(as_user("info_entry@360102"), own["id"], [wrong_name]))
    assert (staff[1]["column"], staff[1]["code"], staff[1]["message"]) == ("name", "W633", "姓名与该身份证件号的教师不符")


def test_an_empty_id_an_id_become_a_number_and_a_wrong_check_digit_each_say_so(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="证件号问题的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    a, b = world.teachers["3601020002"][:2]
    number = world.teacher_usernames[a]
    wrong_digit = number[:17] + ("1" if number[17] != "1" else "2")
    probs = _problems(_post(inst, p["id"], [
        {"id_number": "", "hours": 20, "passed": True},
        {"id_number": int(number[:15]), "hours": 20, "passed": True},  # (JSON numbers past 2^53: W931)
        {"id_number": wrong_digit, "hours": 20, "passed": True},
        {"id_number": float(number[:17]), "hours": 20, "passed": True}]))
    assert probs[1]["message"] == "身份证件号必填" and probs[1]["hint"] == "填写该学员的身份证件号。"
    assert probs[1]["message_en"] == "the ID number is required" and probs[1]["hint_en"] == "Fill in the participant's ID number."
    assert (probs[2]["code"], probs[4]["code"]) == ("W631", "W631")
    assert "变成了数字" in probs[2]["message"] and "文本格式" in probs[2]["hint"]
    assert probs[3]["code"] == "W632" and "校验码" in probs[3]["message"]
    # a number shaped right with a wrong check digit reads the same whoever might hold the right one
    other = idnumber.make("360102", "1985-03-04", 517)
    assert _problems(_post(inst, p["id"], [{"id_number": other[:17] + ("1" if other[17] != "1" else "2"),
                                            "hours": 2, "passed": True}]))[1]["code"] == "W632"
    short = _problems(_post(inst, p["id"], [{"id_number": number[:17], "hours": 2, "passed": True},
                                            {"id_number": number[:17] + "12", "hours": 2, "passed": True}]))
    assert (short[1]["code"], short[2]["code"]) == ("W632", "W632")  # a digit missing, one too many
    assert _post(inst, p["id"], [{"id_number": world.teacher_usernames[b], "hours": 2, "passed": True}]).status_code == 200


def test_the_template_keeps_the_id_as_text_and_a_number_typed_in_excel_is_named(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="模板文本列的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content))
    assert wb.active.column_dimensions["A"].number_format == "@"
    a = world.teachers["3601020002"][0]
    wb.active.append([float(world.teacher_usernames[a][:17]) * 10, None, 20, "合格", None])  # as Excel keeps 3.6E+17
    wb.active.append([None, None, 20, "合格", None])
    out = io.BytesIO()
    wb.save(out)
    page = inst.get("/credits/projects/")
    r = inst.post(f"/credits/projects/{p['id']}/upload", data={"_csrf_token": csrf_of(page.text)},
                  files={"file": ("成绩.xlsx", out.getvalue(), "application/octet-stream")})
    assert r.status_code == 422 and "身份证件号变成了数字" in r.text and "文本格式" in r.text
    assert "填写该学员的身份证件号" in r.text and "{label}" not in r.text


def test_a_file_that_is_no_workbook_is_named_as_sent(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="上传错文件的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    page = inst.get("/credits/projects/")
    r = inst.post(f"/credits/projects/{p['id']}/upload", data={"_csrf_token": csrf_of(page.text)},
                  files={"file": ("证书扫描.pdf", b"%PDF-1.4 not a workbook", "application/pdf")})
    assert r.status_code == 422 and "证书扫描.pdf" in r.text and "results.xlsx" not in r.text
    api = inst.post(f"/api/v1/training/projects/{p['id']}/results/upload", headers={"x-csrftoken": "1"},
                    files={"data": ("x.xlsx", b"PK\x03\x04 not really", "application/octet-stream")})
    assert api.status_code == 422 and "x.xlsx" in api.json()["message"] and "results.xlsx" not in api.text
