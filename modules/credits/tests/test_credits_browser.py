"""Training credits in a real browser (Playwright + Debian's chromium, the app served by uvicorn):
the institution signs in, downloads its project's results template from 培训项目, fills it and
uploads it (a wrong row first: nothing saved, the problem shown; then right), the county's 审核员
confirms the results with the button, and the teacher signs in and sees the credits on 我的学分."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.review.test_review_browser import PASSWORD, a_teacher, browser, live, sign_in  # noqa: F401  (fixtures)
from web.db.models import Account, Grant, Teacher, Unit

pytestmark = pytest.mark.browser


def _institution_and_project(app, teacher_id: int) -> tuple[str, str]:
    """An institution of the county 360102 with its 培训机构管理员 account, a county project it runs,
    and a teacher account for the teacher: (the teacher's username, the project's name)."""
    from sqlalchemy import select

    from modules.credits import projects as P
    from modules.credits.models import InstitutionAccount, TrainingInstitution
    from web.services.auth import principal_of

    ctx = app.state.ctx
    with ctx.sessions() as s:
        county = s.scalar(select(Unit).where(Unit.code == "360102"))
        inst = TrainingInstitution(name="东湖区教师进修学校", unit_id=county.id)
        s.add(inst)
        s.flush()
        pw = ctx.hasher.hash(PASSWORD)
        acc = Account(username="inst-browser", real_name="进修学校培训管理员", unit_id=county.id, kind="staff",
                      password_hash=pw, must_change_password=False, failed_attempts=0, enabled=True)
        s.add(acc)
        s.flush()
        s.add(Grant(account_id=acc.id, unit_id=county.id, role_key="training_institution"))
        s.add(InstitutionAccount(account_id=acc.id, institution_id=inst.id))
        t = s.get(Teacher, teacher_id)
        s.add(Account(username=t.id_number, real_name=t.name, unit_id=t.unit_id, kind="teacher", teacher_id=t.id,
                      password_hash=pw, must_change_password=False, failed_attempts=0, enabled=True))
        s.flush()
        s.add(Grant(account_id=s.scalar(select(Account.id).where(Account.username == t.id_number)),
                    unit_id=t.unit_id, role_key="teacher"))
        manager = principal_of(s.scalar(select(Account).where(Account.username == "info_manager@360102")), ctx)
        p = P.register_project(s, manager, dict(name="东湖区班主任能力提升培训", level="county", type="face_to_face",
                                                hours=30, start="2024-07-01", end="2024-07-10", institution_id=inst.id))
        s.commit()
        return t.id_number, p.name


def test_institution_submits_authority_confirms_teacher_sees_credits(live, browser, cats, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    base, app = live
    tid = a_teacher(app, cats)
    teacher_user, project = _institution_and_project(app, tid)

    inst = sign_in(browser, base, "inst-browser")
    inst.goto(f"{base}/credits/projects/")
    row = inst.locator("#training-projects tbody tr", has_text=project)
    with inst.expect_download() as got:
        row.locator("a.template").click()
    wb = load_workbook(io.BytesIO(open(got.value.path(), "rb").read()))
    wb.active.append([teacher_user, "王老师", 40, "合格", 92])  # more hours than the project's 30
    wrong = tmp_path / "wrong.xlsx"
    wb.save(wrong)
    row.locator("input[type=file]").set_input_files(str(wrong))
    row.get_by_role("button", name="上传成绩").click()
    expect(inst.locator("#results-outcome")).to_contain_text("未保存任何一行")
    expect(inst.locator("#results-problems")).to_contain_text("学时应为 0 到项目学时")
    with inst.expect_download() as marked:  # the marked workbook downloads under an .xlsx name
        inst.locator("#results-report").click()
    assert marked.value.suggested_filename.endswith(".xlsx")
    assert load_workbook(io.BytesIO(open(marked.value.path(), "rb").read())).active.cell(row=2, column=6).value
    wb.active.cell(row=2, column=3, value=28)
    right = tmp_path / "right.xlsx"
    wb.save(right)
    row = inst.locator("#training-projects tbody tr", has_text=project)
    row.locator("input[type=file]").set_input_files(str(right))
    row.get_by_role("button", name="上传成绩").click()
    expect(inst.locator("#results-outcome")).to_contain_text("已提交 1 行成绩")
    expect(inst.locator("#training-projects tbody tr", has_text=project).locator("td.waiting")).to_have_text("1")
    inst.context.close()

    county = sign_in(browser, base, "info_reviewer@360102")
    county.goto(f"{base}/credits/projects/")
    county.locator("#training-projects tbody tr", has_text=project).get_by_role("link", name="查看并确认成绩").click()
    expect(county.locator("#project-results")).to_contain_text("王老师")  # who is confirmed, before confirming
    county.get_by_role("button", name="确认这 1 条成绩").click()
    expect(county.locator("#results-outcome")).to_contain_text("已确认 1 条成绩")
    county.context.close()

    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    teacher = ctx.new_page()
    teacher.set_default_timeout(10_000)
    teacher.goto(f"{base}/teacher/login")
    teacher.fill("#username", teacher_user)
    teacher.fill("#password", PASSWORD)
    teacher.click("button[type=submit]")
    teacher.wait_for_url(lambda u: "/login" not in u)
    teacher.goto(f"{base}/credits/")
    expect(teacher.locator("#credits-entries")).to_contain_text(project)
    expect(teacher.locator("#credits-total")).to_have_text(re.compile(r"^2\.50*$"))  # 28 h / 10, down to 0.5 (江西 2021)
    ctx.close()
