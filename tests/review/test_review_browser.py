"""Review in a real browser (Playwright + Debian's chromium, the app served by uvicorn):
a first submission travels the whole Jiangxi route (school → county → city → province) with one
rejection and a resubmission; a change request is opened, its copy edited, and reviewers see the
diff before the copy replaces the original."""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from sqlalchemy import select

from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser
PASSWORD = "Test@2024ok"
JX = ["3601020001", "360102", "3601", "36"]


@pytest.fixture(scope="module")
def live(tmp_path_factory, cats) -> Iterator[tuple[str, object]]:
    from tests.web.conftest import require_chromium

    require_chromium()
    from tests.web.conftest import TREE, fresh_pg_database, make_settings
    from web.app import create_app
    from web.db.migrate import upgrade
    from web.db.models import Account, Grant
    from web.services import units as unit_service

    drop = None
    if os.environ.get("TMIS_TEST_DATABASE_URL", "").startswith("postgresql"):
        url, drop = fresh_pg_database(os.environ["TMIS_TEST_DATABASE_URL"])
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('review-browser') / 'b.sqlite3'}"
    upgrade(url)
    app = create_app(make_settings(url))
    ctx = app.state.ctx
    with ctx.sessions() as s:
        pw = ctx.hasher.hash(PASSWORD)
        for code, name, level, parent, st in TREE[:10]:
            parent_unit = unit_service.by_code(s, parent) if parent else None
            unit = unit_service.create_unit_raw(s, code=code, name=name, level=level, parent=parent_unit,
                                                school_type=st)
            for role in ("info_manager", "info_reviewer"):
                acc = Account(username=f"{role}@{code}", real_name=f"{role}-{code}", unit_id=unit.id, kind="staff",
                              password_hash=pw, must_change_password=False, failed_attempts=0, enabled=True)
                s.add(acc)
                s.flush()
                s.add(Grant(account_id=acc.id, unit_id=unit.id, role_key=role))
        s.commit()
    # compile every template here, in one thread: Jinja compiles on first use, and CPython 3.11.7's
    # compile() is not safe when two threads (the server's event loop and a worker) do it at once
    env = app.template_engine.engine
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    try:
        with serve(app) as base:
            yield base, app
    finally:
        ctx.engine.dispose()
        if drop:
            drop()


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def sign_in(browser, base: str, username: str):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/admin/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)
    return page


def a_teacher(app, cats) -> int:
    from tests.review.conftest import add_teacher

    with app.state.ctx.sessions() as s:
        tid = add_teacher(s, cats["36"], JX[0], name="王老师")
        s.commit()
    return tid


def approve_from_queue(browser, base: str, username: str, teacher_name: str) -> None:
    from playwright.sync_api import expect

    page = sign_in(browser, base, username)
    page.goto(f"{base}/review/queue")
    row = page.locator("#queue-table tbody tr", has_text=teacher_name)
    row.get_by_role("link", name="审核").click()
    page.click("#approve")
    expect(page.locator("#flash")).to_have_text("已审核通过")
    page.context.close()


def test_first_submission_travels_the_jiangxi_route_with_a_rejection(live, browser, cats):
    from playwright.sync_api import expect

    base, app = live
    tid = a_teacher(app, cats)
    school = sign_in(browser, base, "info_manager@3601020001")
    school.goto(f"{base}/review/files/{tid}")
    expect(school.locator("#file-state")).to_have_text("未报送")
    school.click("#submit")
    expect(school.locator("#file-state")).to_have_text("待审核（学校）")

    approve_from_queue(browser, base, "info_reviewer@3601020001", "王老师")

    # the county sends it back; the reason is required and shown to the school
    county = sign_in(browser, base, "info_reviewer@360102")
    county.goto(f"{base}/review/queue")
    county.locator("#queue-table tbody tr", has_text="王老师").get_by_role("link", name="审核").click()
    county.click("#reject")
    expect(county.locator(".alert-error")).to_contain_text("必须填写原因")
    county.fill("#reason", "岗位聘任开始年月与聘书不一致，请核对")
    county.click("#reject")
    expect(county.locator("#flash")).to_have_text("已退回")
    county.context.close()

    school.goto(f"{base}/review/files/{tid}")
    expect(school.locator("#file-state")).to_have_text("审核未通过")
    expect(school.locator("#returned-reason")).to_contain_text("岗位聘任开始年月与聘书不一致")
    expect(school.locator("#timeline")).to_contain_text("退回")
    school.click("#submit")  # resubmitted after checking: the route starts again at the school
    expect(school.locator("#file-state")).to_have_text("待审核（学校）")

    for unit in JX:
        approve_from_queue(browser, base, f"info_reviewer@{unit}", "王老师")
    school.goto(f"{base}/review/files/{tid}")
    expect(school.locator("#file-state")).to_have_text("审核通过")
    number = school.locator("#teacher-number").inner_text()
    assert number.startswith("360102") and len(number) == 18
    # every transition is on the timeline: 2 submissions, 5 approvals, 1 rejection, final + number
    assert school.locator("#timeline tbody tr").count() == 2 + 5 + 1 + 2
    school.context.close()


def test_change_request_shows_the_diff_and_replaces_the_original(live, browser, cats):
    from playwright.sync_api import expect

    from web.db.models import Record, Teacher
    from web.review import service as S
    from web.services import auth as auth_service

    base, app = live
    ctx = app.state.ctx
    tid = a_teacher(app, cats)
    with ctx.sessions() as s:  # set up an approved file through the services (not what is tested here)
        from web.db.models import Account

        def who(name):
            return auth_service.principal_of(s.scalar(select(Account).where(Account.username == name)), ctx)
        case = S.submit(s, cats["36"], who("info_manager@3601020001"), tid)
        for unit in JX:
            case = S.approve(s, cats["36"], who(f"info_reviewer@{unit}"), case.id)
        s.commit()
        basic_id = s.scalar(select(Record.id).where(Record.teacher_id == tid, Record.set_key == "basic"))

    school = sign_in(browser, base, "info_manager@3601020001")
    school.goto(f"{base}/review/files/{tid}")
    school.check(f"#records input[value='{basic_id}']")
    school.click("#open-copies")
    expect(school.locator("table.diff")).to_be_visible()
    school.locator(".edit-copy").first.click()
    school.fill("#f-name", "王新名")
    school.click("#save-copy")
    expect(school.locator("#flash")).to_have_text("已保存")
    changed = school.locator("table.diff tr.changed")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("王老师")
    expect(changed).to_contain_text("王新名")
    school.click("#submit-change")
    expect(school.locator("#open-change")).to_have_count(0)

    for unit in JX:
        page = sign_in(browser, base, f"info_reviewer@{unit}")
        page.goto(f"{base}/review/queue?kind=change")
        page.locator("#queue-table tbody tr", has_text="王老师").get_by_role("link", name="审核").click()
        row = page.locator("table.diff tr.changed")
        expect(row).to_have_count(1)  # every reviewer sees original and copy with the change marked
        expect(row.locator(".mark")).to_have_text("已变更")
        page.click("#approve")
        expect(page.locator("#flash")).to_have_text("已审核通过")
        page.context.close()
    with ctx.sessions() as s:
        assert s.get(Record, basic_id).document["name"] == "王新名"
        assert s.get(Teacher, tid).name == "王新名"
    school.context.close()
