"""Manual credit adjustments (调整学分), as the people who use them: a county's reviewer adjusts a
teacher's credits over the API and on the teacher's credit page reached from the 学分银行 list; the
balance follows, the entry reads as 调整 with its reason; every bad field is refused naming it;
no category goes below 0; a school, the teacher, a viewer and another county cannot."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.web.conftest import post_form
from web.db.models import AuditEntry, Unit

SCHOOL = "3601020001"
COUNTY = "info_reviewer@360102"


def _url(tid):
    return f"/api/v1/teachers/{tid}/credits/adjustments"


def _body(**kw):
    return {"category": "face_to_face", "credits": "2.5", "hours": "20", "effective": "2024-05-01",
            "reason": "补录 2023 年市级班主任培训学分"} | kw


def _bank(client, tid):
    r = client.get(f"/api/v1/teachers/{tid}/credits")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture()
def teacher(new_teacher):
    """A teacher of 3601020001 (under 东湖区, 360102) with an empty credit bank."""
    return new_teacher(SCHOOL, complete=False)


def test_a_county_reviewer_adjusts_credits_by_the_api_and_the_balance_follows(as_user, ctx, teacher):
    county = as_user(COUNTY)
    r = county.post(_url(teacher), json=_body())
    assert r.status_code == 201, r.text
    entry = r.json()
    assert (entry["kind"], entry["kind_label"], entry["credits"], entry["hours"], entry["category"]) == \
        ("adjusted", "调整", "2.50", "20.00", "face_to_face")
    assert entry["note"] == "补录 2023 年市级班主任培训学分" and entry["effective"] == "2024-05-01"
    with ctx.sessions() as db:
        county_name = db.scalar(select(Unit.name).where(Unit.code == "360102"))
    assert entry["rule_version"] == "adjusted:360102" and entry["rule_label"] == f"人工调整（{county_name}）"

    bank = _bank(county, teacher)
    assert (bank["total"], bank["by_category"], bank["by_year"]) == ("2.50", {"face_to_face": "2.50"}, {"2024": "2.50"})
    listed = next(e for e in bank["entries"] if e["id"] == entry["id"])
    assert listed["kind"] == "adjusted" and listed["rule_label"] == f"人工调整（{county_name}）"

    # a reduction (no hours given: 0)
    r = county.post(_url(teacher), json=_body(credits=-1, hours=None, reason="重复登记，减去"))
    assert r.status_code == 201, r.text
    assert (r.json()["credits"], r.json()["hours"]) == ("-1.00", "0.00")
    bank = _bank(county, teacher)
    assert (bank["total"], bank["hours"], bank["by_category"]) == ("1.50", "20.00", {"face_to_face": "1.50"})

    with ctx.sessions() as db:
        audited = db.scalars(select(AuditEntry).where(AuditEntry.action == "credits.adjust",
                                                      AuditEntry.target_id == str(teacher))).all()
    assert len(audited) == 2


def test_no_category_goes_below_zero(as_user, teacher):
    county = as_user(COUNTY)
    assert county.post(_url(teacher), json=_body(credits="3")).status_code == 201
    assert county.post(_url(teacher), json=_body(category="online", credits="1", hours="12")).status_code == 201
    # face_to_face holds 3: taking 3.01 away is refused, whatever the other categories hold
    r = county.post(_url(teacher), json=_body(credits="-3.01"))
    assert r.status_code == 409 and r.json()["code"] == "W676", r.text
    assert "-0.01" in r.json()["message"] and "3.00" in r.json()["hint"] and "Face-to-face" in r.json()["message_en"]
    assert _bank(county, teacher)["total"] == "4.00"
    # exactly to 0 is fine
    assert county.post(_url(teacher), json=_body(credits="-3")).status_code == 201
    bank = _bank(county, teacher)
    assert bank["by_category"] == {"face_to_face": "0.00", "online": "1.00"}
    r = county.post(_url(teacher), json=_body(category="self_study", credits="-0.5"))  # nothing there yet
    assert r.status_code == 409 and r.json()["code"] == "W676"


def test_no_category_hours_go_below_zero(as_user, teacher):
    county = as_user(COUNTY)
    assert county.post(_url(teacher), json=_body(credits="3", hours="20")).status_code == 201
    # taking 1 credit and 24 hours away: the credits would stay above 0, the hours would not
    r = county.post(_url(teacher), json=_body(credits="-1", hours="-24", reason="学时多记"))
    assert r.status_code == 409 and r.json()["code"] == "W660", r.text
    assert "-4.00" in r.json()["message"] and "20.00" in r.json()["hint"] and "hours" in r.json()["message_en"]
    bank = _bank(county, teacher)
    assert (bank["total"], bank["hours"]) == ("3.00", "20.00")  # nothing was written
    # exactly to 0 hours is fine, and so is a reduction of credits alone
    assert county.post(_url(teacher), json=_body(credits="-1", hours="-20", reason="学时多记")).status_code == 201
    assert county.post(_url(teacher), json=_body(credits="-1", hours=None, reason="重复")).status_code == 201
    assert _bank(county, teacher)["hours"] == "0.00"


@pytest.mark.parametrize("body,code,field", [
    (_body(category="bogus"), "W677", "category"),
    (_body(category=""), "W677", "category"),
    (_body(credits=0), "W678", "credits"),
    (_body(credits="0.00"), "W678", "credits"),
    (_body(credits="abc"), "W678", "credits"),
    (_body(credits=None), "W678", "credits"),
    (_body(credits="1.234"), "W678", "credits"),
    (_body(credits="NaN"), "W678", "credits"),
    (_body(credits="5000"), "W678", "credits"),
    (_body(credits=True), "W678", "credits"),
    (_body(credits="1e999999"), "W678", "credits"),
    (_body(credits="1e-9"), "W678", "credits"),
    (_body(category=["face_to_face"]), "W677", "category"),
    (_body(reason=["多计了"]), "W678", "reason"),
    (_body(hours="many"), "W678", "hours"),
    (_body(effective=(date.today() + timedelta(days=2)).isoformat()), "W678", "effective"),
    (_body(effective="2024-13-01"), "W678", "effective"),
    (_body(effective=None), "W678", "effective"),
    (_body(reason=""), "W678", "reason"),
    (_body(reason="   "), "W678", "reason"),
    (_body(reason="长" * 201), "W678", "reason"),
])
def test_each_bad_field_is_refused_by_name_in_both_languages(as_user, teacher, body, code, field):
    county = as_user(COUNTY)
    r = county.post(_url(teacher), json={k: v for k, v in body.items() if v is not None or k != "credits"})
    assert r.status_code == 422, r.text
    out = r.json()
    assert out["code"] == code and out["hint"] and out["hint_en"]
    assert f"'{field}'" in out["message_en"]
    if code == "W677":  # the valid categories are listed
        assert "face_to_face（集中培训）" in out["hint"] and "online (Online study)" in out["hint_en"]
    assert _bank(county, teacher)["entries"] == []


def test_a_school_the_teacher_a_viewer_an_entry_clerk_and_another_county_cannot_adjust(as_user, world, teacher):
    for who in ("info_reviewer@3601020001", "info_manager@3601020001", "info_viewer@360102", "info_entry@360102"):
        r = as_user(who).post(_url(teacher), json=_body())
        assert r.status_code == 403 and r.json()["code"] == "W679", (who, r.text)
    own = world.teachers[SCHOOL][0]  # a teacher account, on its own credits
    r = as_user(world.teacher_usernames[own], entry="teacher").post(_url(own), json=_body())
    assert r.status_code == 403 and r.json()["code"] == "W679"
    # another county: the same answer as reading the teacher's credits
    other = as_user("info_reviewer@360103")
    read = other.get(f"/api/v1/teachers/{teacher}/credits")
    r = other.post(_url(teacher), json=_body())
    assert (r.status_code, r.json()["code"]) == (read.status_code, read.json()["code"]) == (404, "W402")
    assert other.post(_url(10**8), json=_body()).status_code == 404
    # nothing was written; the city above may
    assert _bank(as_user(COUNTY), teacher)["entries"] == []
    assert as_user("info_reviewer@3601").post(_url(teacher), json=_body()).status_code == 201


def test_the_county_adjusts_on_the_teachers_credit_page(as_user, teacher):
    county = as_user(COUNTY)
    listed = county.get("/credits/?offset=0")
    assert listed.status_code == 200
    page_url = f"/credits/teachers/{teacher}"
    page = county.get(page_url)
    assert page.status_code == 200 and 'id="adjust-form"' in page.text and "调整学分" in page.text
    assert county.post(_url(teacher), json=_body(credits="1")).status_code == 201  # something to take from

    # a refusal comes back above the form, the values kept
    r = post_form(county, page_url, f"{page_url}/adjustments",
                  {"category": "face_to_face", "credits": "-0.5", "hours": "", "effective": "2024-05-02", "reason": ""})
    assert r.status_code == 422 and "W678" in r.text and "调整原因" in r.text
    assert r.text.index("W678") < r.text.index('id="adjust-form"')
    assert 'value="-0.5"' in r.text and 'value="2024-05-02"' in r.text
    r = post_form(county, page_url, f"{page_url}/adjustments",
                  {"category": "face_to_face", "credits": "-5", "effective": "2024-05-02", "reason": "多计了"})
    assert r.status_code == 409 and "W676" in r.text and "多计了" in r.text

    r = post_form(county, page_url, f"{page_url}/adjustments",
                  {"category": "face_to_face", "credits": "-0.5", "hours": "-4", "effective": "2024-05-02",
                   "reason": "签到记录少 4 学时"})
    assert r.status_code == 303, r.text
    done = county.get(r.headers["location"])
    assert done.status_code == 200 and 'id="adjust-outcome"' in done.text
    assert _bank(county, teacher)["total"] == "0.50"
    entries = done.text.split('id="credit-entries"', 1)[1]
    assert '<td class="kind">调整</td>' in entries and "原因：签到记录少 4 学时" in entries
    assert "-0.50" in entries and "人工调整（" in entries
    english = county.get(f"{page_url}?lang=en").text
    assert "Adjust credits" in english and "Manual adjustment (" in english and '<td class="kind">adjusted</td>' in english
    assert "Reason: 签到记录少 4 学时" in english
    assert "(hours 16.00) as of" in english and "2024: 0.50" in english and "年：" not in english  # English punctuation
    # the transcript keeps working and shows the adjustment
    printed = county.get(f"{page_url}/transcript")
    assert printed.status_code == 200 and "签到记录少 4 学时" in printed.text


def test_the_balances_list_links_the_teachers_credit_page(as_user, world):
    tid = world.teachers[SCHOOL][0]
    listed = as_user(COUNTY).get("/credits/").text
    assert f'href="/credits/teachers/{tid}"' in listed and f'href="/credits/teachers/{tid}/transcript"' in listed


def test_a_school_reads_its_teachers_credit_page_without_the_form(as_user, teacher):
    school = as_user("info_reviewer@3601020001")
    page = school.get(f"/credits/teachers/{teacher}")
    assert page.status_code == 200 and 'id="adjust-form"' not in page.text and 'id="credit-entries"' in page.text
    assert as_user("info_reviewer@360103").get(f"/credits/teachers/{teacher}").status_code == 404
    # the page's POST refuses as the API does (the form is not offered, the route still checks)
    r = post_form(school, f"/credits/teachers/{teacher}", f"/credits/teachers/{teacher}/adjustments", _body())
    assert r.status_code == 403 and "W679" in r.text
