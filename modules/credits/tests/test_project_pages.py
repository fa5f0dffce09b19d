"""The page 培训项目: the institution downloads its project's template and uploads it filled in from
the page (a wrong row: nothing saved, the problem shown with its row and the marked workbook offered),
the county's 审核员 confirms the results with the button, the teacher's 我的学分 shows the credits."""

from __future__ import annotations

import base64
import io
import re

from openpyxl import load_workbook

from modules.credits.tests.test_api import _project, _row, institution, teacher_name  # noqa: F401
from tests.web.conftest import csrf_of


def _xlsx(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_institution_uploads_on_the_page_authority_confirms(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="页面提交的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    page = inst.get("/credits/projects/")
    assert page.status_code == 200 and "页面提交的项目" in page.text and "下载成绩模板" in page.text
    assert "/credits/projects/" in page.text  # its menu entry
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content))
    a, b = world.teachers["3601020002"][:2]
    wb.active.append([world.teacher_usernames[a], teacher_name(world, a), 20, "合格", 90])
    wb.active.append([world.teacher_usernames[b], teacher_name(world, b), 25, "合格", None])  # more hours than the project has
    url = f"/credits/projects/{p['id']}/upload"
    token = {"_csrf_token": csrf_of(page.text)}
    bad = inst.post(url, data=token, files={"file": ("r.xlsx", _xlsx(wb), "application/octet-stream")})
    assert bad.status_code == 422 and "未保存任何一行" in bad.text and "学时应为 0 到项目学时" in bad.text
    assert "results-report" in bad.text  # the marked workbook to download
    wb.active.cell(row=3, column=3, value=18)
    dry = inst.post(url, data=token | {"dry_run": "1"}, files={"file": ("r.xlsx", _xlsx(wb), "application/octet-stream")})
    assert dry.status_code == 200 and "试导入" in dry.text
    ok = inst.post(url, data=token, files={"file": ("r.xlsx", _xlsx(wb), "application/octet-stream")})
    assert ok.status_code == 200 and "已提交 2 行成绩" in ok.text
    none = inst.post(url, data=token)
    assert none.status_code == 422 and "W554" in none.text

    county = as_user("info_reviewer@360102")
    listed = county.get("/credits/projects/")
    assert listed.status_code == 200 and "确认成绩" in listed.text
    done = county.post(f"/credits/projects/{p['id']}/confirm", data={"_csrf_token": csrf_of(listed.text)})
    assert done.status_code == 200 and "已确认 2 条成绩" in done.text
    mine = as_user(world.teacher_usernames[a], entry="teacher").get("/credits/")
    assert "页面提交的项目" in mine.text


def test_someone_elses_project_is_refused_on_the_page(as_user, world, institution):  # noqa: F811
    inst_id, _ = institution("360102")
    _, other_user = institution("360103")
    p = _project(as_user("info_manager@360102"), name="别人的项目", hours=20, institution_id=inst_id)
    other = as_user(other_user)
    page = other.get("/credits/projects/")
    assert "别人的项目" not in page.text
    r = other.post(f"/credits/projects/{p['id']}/upload", data={"_csrf_token": csrf_of(page.text)},
                   files={"file": ("r.xlsx", b"PKjunk", "application/octet-stream")})
    assert r.status_code == 404
    assert other.post(f"/credits/projects/{p['id']}/confirm", data={"_csrf_token": csrf_of(page.text)}).status_code in (403, 404)


def test_the_confirm_button_only_where_the_service_allows(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@36"), name="省级项目", level="province", hours=20, institution_id=inst_id)
    tid = world.teachers["3601020002"][0]
    assert as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results",
                                   json={"rows": [_row(world, tid, 20)]}).status_code == 200
    county = _row_of(as_user("info_reviewer@360102").get("/credits/projects/").text, p["id"])
    assert "省级项目" in county and "查看并确认成绩</a>" not in county  # sees it, may not confirm it
    province = _row_of(as_user("info_reviewer@36").get("/credits/projects/").text, p["id"])
    assert "省级项目" in province and "查看并确认成绩</a>" in province


def _row_of(html: str, project_id: int) -> str:
    start = html.index(f'<tr id="project-{project_id}">')
    return html[start:html.index("</tr>", start)]


def test_roles_that_neither_submit_nor_confirm_are_refused_the_page(as_user, world):
    for who in ("info_viewer@3601020001", "system_admin@360102"):
        r = as_user(who).get("/credits/projects/")
        assert r.status_code == 403 and "W683" in r.text, who
    assert 'id="register-form"' in as_user("info_entry@360102").get("/credits/projects/").text  # data staff register projects
    teacher = as_user(world.teacher_usernames[world.teachers["3601020001"][0]], entry="teacher")
    assert teacher.get("/credits/projects/").status_code == 403
    page = as_user("info_reviewer@360102").get("/credits/projects/")
    assert page.status_code == 200 and 'id="confirm"' in page.text and 'id="submit"' not in page.text


def test_upload_problems_name_the_sheets_rows_in_chinese(as_user, world, institution, ctx):  # noqa: F811
    """A new user's walk: a duplicate names the first occurrence by its Excel row (row 2 is the first
    data row), an empty 身份证件号 reads 必填, the 是否合格 message has no English in it, the marked
    workbook downloads under an .xlsx name, and the institution's own name heads its pages."""
    from modules.credits.models import TrainingInstitution

    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="走查项目", hours=20, institution_id=inst_id)
    with ctx.sessions() as db:
        inst_name = db.get(TrainingInstitution, inst_id).name
    inst = as_user(inst_user)
    page = inst.get("/credits/projects/")
    assert f"培训项目：{inst_name}" in page.text
    home = inst.get("/admin/")
    assert inst_name in home.text and "/credits/projects/" in home.text
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content))
    a, b = world.teachers["3601020002"][:2]
    wb.active.append([world.teacher_usernames[a], teacher_name(world, a), 20, "合格", 90])    # row 2
    wb.active.append([world.teacher_usernames[b], teacher_name(world, b), 20, "合格", None])  # row 3
    wb.active.append([world.teacher_usernames[a], teacher_name(world, a), 20, "合格", None])  # row 4: row 2 again
    wb.active.append([None, teacher_name(world, b), 20, "合格", None])                        # row 5: no ID number
    wb.active.append([world.teacher_usernames[b], teacher_name(world, b), 20, "也许", None])   # row 6: passed wrong
    bad = inst.post(f"/credits/projects/{p['id']}/upload", data={"_csrf_token": csrf_of(page.text), "dry_run": "1"},
                    files={"file": ("r.xlsx", _xlsx(wb), "application/octet-stream")})
    assert bad.status_code == 422
    table = bad.text.split('id="results-problems"')[1].split("</table>")[0]
    rows: dict[str, str] = {}  # row → its problems: column, what is wrong, how to fix
    for row, column, what, fix in re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table):
        rows[row] = rows.get(row, "") + f"{column} {what} {fix}"
    assert "首次在第 2 行" in rows["4"]
    assert "身份证件号必填" in rows["5"] and "不符" not in rows["5"]
    assert "是否合格应为" in rows["6"] and "true" not in rows["6"]
    assert re.search(r'id="results-report" download="[^"]+\.xlsx"', bad.text)
    report = load_workbook(io.BytesIO(base64.b64decode(re.search(r"base64,([^\"]+)\"", bad.text).group(1)))).active
    assert "首次在第 2 行" in report.cell(row=4, column=6).value and report.cell(row=2, column=6).value is None
    # the column is named once, the fix follows the problem (no brackets inside brackets)
    assert report.cell(row=5, column=6).value == "身份证件号必填。填写该学员的身份证件号。"


def test_the_reviewer_sees_who_is_waiting_before_confirming_and_the_institution_its_rows(as_user, world, institution):  # noqa: F811
    """确认成绩 no longer confirms blind: the project's page lists the waiting participants (names, ID
    numbers as web/privacy.py shows them: whole to the reviewer, masked to the institution) above the button that confirms exactly those; the institution sees the rows it
    submitted and their state (no names), another institution gets W547."""
    inst_id, inst_user = institution("360102")
    _, other_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="名单确认项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    a, b = world.teachers["3601020002"][:2]
    r = inst.post(f"/api/v1/training/projects/{p['id']}/results",
                  json={"rows": [_row(world, a, 20), _row(world, b, 18, passed=False)]})
    assert r.status_code == 200, r.text
    county = as_user("info_reviewer@360102")
    listed = county.get("/credits/projects/")
    assert f'href="/credits/projects/{p["id"]}#confirm"' in listed.text
    page = county.get(f"/credits/projects/{p['id']}")
    assert page.status_code == 200
    assert teacher_name(world, a) in page.text and teacher_name(world, b) in page.text
    assert world.teacher_usernames[a] in page.text  # personal.read there: the whole ID number (web/privacy.py)
    assert "确认这 2 条成绩" in page.text and page.text.count('class="submitted"') == 2
    mine = inst.get(f"/credits/projects/{p['id']}")
    assert mine.status_code == 200 and "本机构提交的成绩" in mine.text and teacher_name(world, a) not in mine.text
    assert mine.text.count("待确认</td>") == 2 and "确认这" not in mine.text
    assert world.teacher_usernames[a] not in mine.text  # the institution: masked
    assert as_user(other_user).get(f"/credits/projects/{p['id']}").status_code == 404
    done = county.post(f"/credits/projects/{p['id']}/confirm", data={"_csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and "已确认 2 条成绩" in done.text and "确认这" not in done.text
    assert inst.get(f"/credits/projects/{p['id']}").text.count("已确认</td>") == 2


def test_the_reviewer_rejects_one_row_with_a_reason_and_the_institution_resubmits_it(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="退回项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    a, b = world.teachers["3601020002"][:2]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert inst.post(url, json={"rows": [_row(world, a, 20), _row(world, b, 18)]}).status_code == 200
    county = as_user("info_reviewer@360102")
    page = county.get(f"/credits/projects/{p['id']}")
    ids = {r["name"]: r["id"] for r in county.get(url).json()["results"]}
    token = {"_csrf_token": csrf_of(page.text)}
    reject = f"/credits/projects/{p['id']}/results/{ids[teacher_name(world, b)]}/reject"
    empty = county.post(reject, data=token | {"reason": "  "})
    assert empty.status_code == 422 and "W670" in empty.text
    assert inst.post(reject, data={"_csrf_token": csrf_of(inst.get("/credits/projects/").text), "reason": "x"}).status_code in (403, 404)
    done = county.post(reject, data=token | {"reason": "学时与签到记录不符"})
    assert done.status_code == 200 and "已退回该条成绩" in done.text and "确认这 1 条成绩" in done.text
    assert county.post(reject, data=token | {"reason": "again"}).status_code == 409  # W671: no longer waiting
    mine = inst.get(f"/credits/projects/{p['id']}")
    assert "已退回</td>" in mine.text and "学时与签到记录不符" in mine.text
    confirmed = county.post(f"/credits/projects/{p['id']}/confirm", data=token)
    assert "已确认 1 条成绩" in confirmed.text  # the rejected row is not confirmed
    assert inst.post(url, json={"rows": [_row(world, b, 16)]}).status_code == 200  # corrected and resubmitted
    again = inst.get(f"/credits/projects/{p['id']}").text
    assert "学时与签到记录不符" not in again and again.count("待确认</td>") == 1
    assert "确认这 1 条成绩" in county.get(f"/credits/projects/{p['id']}").text


def test_projects_and_school_plans_are_registered_and_approved_on_the_page(as_user, world, institution):  # noqa: F811
    """No more API-only registration: the county's data staff register a county project on the page
    (a wrong field comes back with the form filled in), a school registers a school-based plan
    (校本研修, waiting), and the county's reviewer approves it with a button."""
    inst_id, _ = institution("360102")
    county = as_user("info_manager@360102")
    page = county.get("/credits/projects/")
    assert page.status_code == 200 and 'id="register-form"' in page.text and "测试培训机构" in page.text
    token = {"_csrf_token": csrf_of(page.text)}
    form = {"name": "页面登记的项目", "level": "county", "type": "face_to_face", "hours": "", "start": "2024-07-01",
            "end": "2024-07-10", "institution_id": str(inst_id)}
    bad = county.post("/credits/projects/new", data=token | form)
    assert bad.status_code == 422 and "W545" in bad.text and 'value="页面登记的项目"' in bad.text
    ok = county.post("/credits/projects/new", data=token | form | {"hours": "24"})
    assert ok.status_code == 200 and "已登记培训项目「页面登记的项目」" in ok.text
    assert county.get("/api/v1/training/projects").json()["projects"][0]["institution_id"] == inst_id \
        or any(p["institution_id"] == inst_id for p in county.get("/api/v1/training/projects").json()["projects"])

    school = as_user("info_manager@3601020001")
    spage = school.get("/credits/projects/")
    assert spage.status_code == 200 and "登记校本研修计划" in spage.text
    plan = school.post("/credits/projects/new", data={"_csrf_token": csrf_of(spage.text), "name": "校本读书计划",
                                                      "level": "school", "type": "school_based", "hours": "12",
                                                      "start": "2024-03-01", "end": "2024-06-30"})
    assert plan.status_code == 200 and "等待主管教育行政部门审批" in plan.text
    reviewer = as_user("info_reviewer@360102")
    listed = reviewer.get("/credits/projects/")
    row = listed.text.split("校本读书计划")[1].split("</tr>")[0]
    assert "待审批" in row and "批准计划" in row
    pid = int(listed.text.split("校本读书计划")[0].rsplit('href="/credits/projects/', 1)[1].split('"')[0])
    done = reviewer.post(f"/credits/projects/{pid}/decide?approve=1", data={"_csrf_token": csrf_of(listed.text)})
    assert done.status_code == 200 and "校本研修计划「校本读书计划」：已登记" in done.text
    assert as_user("info_reviewer@3601020001").post(f"/credits/projects/{pid}/decide?approve=1",
                                                    data={"_csrf_token": csrf_of(spage.text)}).status_code in (403, 404, 409)


def test_a_workbook_without_rows_is_said_on_the_page_in_a_browser_users_words(as_user, world, institution):  # noqa: F811
    """The template uploaded unfilled (or a workbook of other columns, or no file) from 培训项目 was a
    bare error page whose hint spoke JSON ({"rows": [{"id_number": …}]}); it is the page the form
    was on, the message above it, saying how to fill the template, in either language."""
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name="空模板的项目", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    page = inst.get("/credits/projects/")
    token = {"_csrf_token": csrf_of(page.text)}
    empty = inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content
    url = f"/credits/projects/{p['id']}/upload"
    for back, marker in (("list", "空模板的项目"), ("project", "提交成绩")):
        r = inst.post(url, data=token | {"back": back}, files={"file": ("成绩.xlsx", empty, "application/octet-stream")})
        assert r.status_code == 422, r.text[:300]
        outcome = re.search(r'id="results-outcome">(.*?)</div>\s*</div>', r.text, re.S).group(1)
        assert "工作簿中没有成绩行" in outcome and "从第 2 行起每位学员一行" in outcome and "W552" in outcome
        assert "id_number" not in r.text and "请求内容无效" not in r.text
        assert marker in r.text and 'type="file"' in r.text        # the page with its upload form
    other = load_workbook(io.BytesIO(empty))
    other.active["A1"] = "证件号"
    r = inst.post(url, data=token, files={"file": ("别的表.xlsx", _xlsx(other), "application/octet-stream")})
    assert r.status_code == 422 and "第 1 行须为模板的列" in r.text and 'type="file"' in r.text
    none = inst.post(url, data=token)
    assert none.status_code == 422 and "W554" in none.text and 'type="file"' in none.text
    en = inst.post(url + "?lang=en", data=token, files={"file": ("r.xlsx", empty, "application/octet-stream")})
    assert "The workbook could not be imported; no row was saved: the workbook has no result rows" in en.text
    assert inst.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"] == []
