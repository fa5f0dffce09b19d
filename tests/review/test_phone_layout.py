"""Issue 20.11: management pages on a phone (390 px wide, Chromium): the teacher list and the
review lists scroll inside their own box (their columns keep their words on one line), and the
change request's diff does not push the page sideways. Measured in a real browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.review.test_review_api import API, _approve_all
from tests.web.conftest import PASSWORD
from web.db.models import Record
from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser
SCHOOL = "3601020001"
WIDTH = 390


@pytest.fixture()
def phone(app):
    from tests.web.conftest import require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    env = app.template_engine.engine  # compile the templates in one thread (see test_review_browser)
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": 844}, device_scale_factor=1)
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _one_line(page, selector: str) -> bool:
    """Each cell of ``selector`` holds its text on one line (not one character per line)."""
    return page.evaluate("""sel => [...document.querySelectorAll(sel)].every(td => {
        const lh = parseFloat(getComputedStyle(td).lineHeight) || 24;
        const r = document.createRange(); r.selectNodeContents(td);
        return r.getClientRects().length <= 1 || td.getBoundingClientRect().height < 2 * lh;
    })""", selector)


def test_lists_and_the_diff_fit_a_phone(app, world, as_user, new_teacher, ctx, phone):
    # a change request with a long value, so the diff has something wide to show
    tid = new_teacher(SCHOOL)
    school = as_user(f"info_manager@{SCHOOL}")
    case = school.post(f"{API}/files/{tid}/submit", json={}).json()
    assert _approve_all(as_user, case, [SCHOOL, "360102", "3601", "36"])["status"] == "approved"
    with ctx.sessions() as s:
        work = s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "work"))
        work_id, doc = work.id, dict(work.document)
    change = school.post(f"{API}/files/{tid}/changes", json={"record_ids": [work_id]}).json()
    long_name = "南昌市东湖区第一实验小学教育集团北京西路校区（原南昌市东湖区豫章路小学）"
    r = school.post(f"{API}/files/{tid}/records", json={"set": "work", "values": {**doc, "unit_name": long_name},
                                                        "record_id": change["diff"][0]["copy_id"],
                                                        "version": change["diff"][0]["version"]})
    assert r.status_code == 200, r.text
    new_teacher(SCHOOL, complete=False)  # an unsubmitted file for the 报送 list

    with serve(app) as base:
        _sign_in(phone, base, "info_manager@360102")
        phone.goto(f"{base}/forms/teachers")
        assert _page_width(phone) <= WIDTH, "the teacher list pushes the page sideways"
        # the unit and state columns keep their words on one line, inside a box that scrolls
        assert _one_line(phone, "#teacher-table td:nth-child(4)") and _one_line(phone, "#teacher-table td:nth-child(5)")
        assert phone.evaluate("getComputedStyle(document.querySelector('#teacher-table').parentElement).overflowX") == "auto"

        _sign_in(phone, base, f"info_manager@{SCHOOL}")
        phone.goto(f"{base}/review/cases/{change['id']}")
        assert long_name in phone.inner_text("table.diff")
        assert _page_width(phone) <= WIDTH, "the diff pushes the page sideways"
        phone.goto(f"{base}/review/school")
        assert _page_width(phone) <= WIDTH, "the 报送 list pushes the page sideways"
        # the select-all box (issue 20.12) ticks every file that can be submitted, and only those
        phone.click("#select-all")
        enabled = phone.locator("#school-table input[name=teacher_ids]:not(:disabled)")
        assert enabled.count() >= 1 and all(enabled.nth(i).is_checked() for i in range(enabled.count()))
        assert phone.locator("#school-table input[name=teacher_ids]:disabled:checked").count() == 0

        _sign_in(phone, base, "info_reviewer@360102")
        phone.goto(f"{base}/review/queue")
        assert _page_width(phone) <= WIDTH, "the queue pushes the page sideways"
