"""外省调入 / 外省调出 in a real browser (Playwright + Debian's chromium, the app served by uvicorn),
on one database standing for 江西 (36), publishing: the receiving school chooses 外省调入 on the
transfers page, picks 甘肃省 from the list and sends the ID number and name; its request shows as
待调出省份审核. A request 甘肃 would have relayed for a 江西 teacher reaches the school's home page as
待办理的外省调出, and the school, its county and its city approve it on the case page
(tests/tier/test_transfer.py runs the whole flow over three PostgreSQL clusters)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import idnumber
from tests.review.test_review_browser import a_teacher, browser, live, sign_in  # noqa: F401  (fixtures)
from web.db.base import utcnow
from web.db.models import Account, Teacher

pytestmark = pytest.mark.browser


def _approve_file(app, cats, tid: int) -> None:
    from tests.people.conftest import JX_ROUTE
    from web.review import service as review
    from web.services.auth import principal_of

    ctx = app.state.ctx
    with ctx.sessions() as db:
        def who(name: str):
            return principal_of(db.scalar(select(Account).where(Account.username == name)), ctx)
        case = review.submit(db, cats["36"], who("info_manager@3601020001"), tid)
        for unit in JX_ROUTE["3601020001"]:
            case = review.approve(db, cats["36"], who(f"info_reviewer@{unit}"), case.id)
        db.commit()


def test_interprovince_transfer_pages_in_the_browser(live, browser, cats):  # noqa: F811
    from playwright.sync_api import expect

    from modules.transfer.models import XferDecision, XferRequest
    from web.tier.models import TierConfig

    base, app = live
    with app.state.ctx.sessions() as db:
        db.add(TierConfig(tier="province", province="36", published_at=utcnow()))
        db.commit()

    # the receiving school asks 甘肃 for a teacher
    number = idnumber.make("620102", dt.date(1988, 3, 9), 401)
    school = sign_in(browser, base, "info_manager@3601020002")
    school.goto(f"{base}/cases/transfers")
    school.check("#from-other")
    school.select_option("#province", "62")
    school.fill("#id_number", number)
    school.fill("#name", "陇上行")
    school.click("#start-case")
    row = school.locator("#xfer-requests tbody tr", has_text="陇上行")
    expect(row).to_contain_text("甘肃省")
    expect(row).to_contain_text("待调出省份审核")
    expect(row).not_to_contain_text(number)  # masked
    school.context.close()
    with app.state.ctx.sessions() as db:
        assert db.scalar(select(XferRequest.target_province).where(XferRequest.name == "陇上行")) == "62"

    # 甘肃 asks for a 江西 teacher (the row its request becomes here); the chain approves on the pages
    tid = a_teacher(app, cats)
    _approve_file(app, cats, tid)
    with app.state.ctx.sessions() as db:
        t = db.get(Teacher, tid)
        db.add(XferRequest(province="62", request_id=501, target_province="36", id_type="1", id_number=t.id_number,
                           name=t.name, to_unit_code="6201020001", to_unit_name="城关区第一小学", created_at=utcnow()))
        db.commit()
    for who in ("info_manager@3601020001", "info_reviewer@360102", "info_reviewer@3601"):
        page = sign_in(browser, base, who)
        page.goto(f"{base}/admin/")
        page.click("#todo-transfer-out_waiting a")
        page.locator("#cases-mine tbody tr", has_text="王老师").get_by_role("link").click()
        page.click("#approve")
        expect(page.locator("#done")).to_have_text("已审核通过")
        page.context.close()
    with app.state.ctx.sessions() as db:
        assert db.get(Teacher, tid).left_on is not None
        assert db.get(XferDecision, ("36", "62", 501)).decision == "approved"
