"""The walk's dates, filters and plausibility (findings 11, 17, 18, 19), as a user meets them:
far-future or ancient dates, an "as of" after today, start after end, a year of 99999, a filter
the API does not take, 10000 hours in five days, the same project or claim twice: each a clear
4xx naming what is wrong, never a 500 and never silently ignored."""

from __future__ import annotations

from tests.web.conftest import csrf_of

import re
from urllib.parse import unquote

from datetime import date, timedelta

from modules.credits.tests.test_api import _project, _row, institution  # noqa: F401
from modules.credits.tests.test_claims import URL, _form, _teacher, pdf_bytes

COUNTY = "info_manager@360102"


def _code(r):
    return r.json().get("code") if r.headers.get("content-type", "").startswith("application/json") else None


def test_far_future_and_ancient_project_dates_are_refused(as_user):
    county = as_user(COUNTY)
    base = dict(name="远期日期项目", level="county", type="face_to_face", hours=30)
    for start, end in (("9999-12-30", "9999-12-31"), ("2024-07-01", "9999-12-31"), ("1999-12-30", "1999-12-31")):
        r = county.post("/api/v1/training/projects", json=base | {"start": start, "end": end})
        assert (r.status_code, _code(r)) == (422, "W708"), r.text
        assert "2000-01-01" in r.json()["message"]
    # within two years ahead is a plan: taken
    ahead = date.today() + timedelta(days=300)
    r = county.post("/api/v1/training/projects", json=base | {"start": ahead.isoformat(),
                                                              "end": (ahead + timedelta(days=4)).isoformat()})
    assert r.status_code == 201, r.text


def test_as_of_after_today_is_refused_on_page_and_api_with_a_date_message(as_user, world):
    viewer = as_user("info_viewer@360102")
    tid = world.teachers["3601020001"][0]
    for url in ("/api/v1/training/balances?as_of=9999-12-31", f"/api/v1/teachers/{tid}/credits?as_of=9999-12-31",
                f"/api/v1/teachers/{tid}/credits?as_of=2099-01-01"):
        r = viewer.get(url)
        assert (r.status_code, _code(r)) == (422, "W709"), (url, r.text)
        assert "晚于今天" in r.json()["message"] and "after today" in r.json()["message_en"]
    for url in ("/credits/?as_of=9999-12-31", f"/credits/teachers/{tid}/transcript?as_of=9999-12-31",
                f"/credits/teachers/{tid}/transcript?as_of=2099-01-01", f"/credits/teachers/{tid}?as_of=2099-01-01"):
        r = viewer.get(url)
        assert r.status_code == 422 and "W709" in r.text and "晚于今天" in r.text, url
        assert "无法保存" not in r.text and "W939" not in r.text and "截至 2099-01-01" not in r.text
    r = viewer.get(f"/api/v1/teachers/{tid}/credits?as_of=1999-12-31")
    assert (r.status_code, _code(r)) == (422, "W708")
    # today is fine, and says the day
    today = date.today().isoformat()
    assert viewer.get(f"/api/v1/teachers/{tid}/credits?as_of={today}").json()["as_of"] == today


def test_start_after_end_and_out_of_range_filters_are_refused(as_user, world):
    viewer = as_user("info_viewer@360102")
    tid = world.teachers["3601020001"][0]
    r = viewer.get(f"/api/v1/teachers/{tid}/credits?start=2027-01-01&end=2020-01-01")
    assert (r.status_code, _code(r)) == (422, "W710"), r.text
    assert "2027-01-01" in r.json()["message"] and "2020-01-01" in r.json()["message"]
    assert _code(viewer.get(f"/api/v1/teachers/{tid}/credits?start=9999-01-01")) == "W708"
    assert _code(viewer.get(f"/api/v1/teachers/{tid}/credits?end=2020-02-30")) == "W553"
    assert viewer.get(f"/api/v1/teachers/{tid}/credits?start=2020-01-01&end=2027-01-01").status_code == 200


def test_years_unknown_parameters_and_offsets(as_user, world):
    viewer = as_user("info_viewer@360102")
    for year in ("99999", "1900", "abc", "-1"):
        r = viewer.get(f"/api/v1/training/balances?year={year}")
        assert (r.status_code, _code(r)) == (422, "W711"), (year, r.text)
        page = viewer.get(f"/credits/?year={year}")
        assert page.status_code == 422 and "W711" in page.text and "1896" not in page.text
        assert 'id="balances-filter"' in page.text  # the page itself, the message above its form
    assert viewer.get(f"/api/v1/training/balances?year={date.today().year}").status_code == 200
    r = viewer.get("/api/v1/training/balances?page=-1")
    assert (r.status_code, _code(r)) == (422, "W712") and "page" in r.json()["message"]
    assert _code(viewer.get(f"/api/v1/teachers/{world.teachers['3601020001'][0]}/credits?unit=360403")) == "W712"
    # a negative offset is the first page, on the API and the page alike
    first = viewer.get("/api/v1/training/balances").json()
    assert viewer.get("/api/v1/training/balances?offset=-5").json()["items"] == first["items"]
    assert viewer.get("/credits/?offset=-5").status_code == 200


def test_balances_filter_by_unit_and_teacher_name_within_scope(as_user, world):
    viewer = as_user("info_viewer@360102")
    school = "3601020002"
    r = viewer.get(f"/api/v1/training/balances?unit={school}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert {i["id"] for i in body["items"]} == set(world.teachers[school]) and body["total"] == len(world.teachers[school])
    assert body["unit"]["code"] == school
    # another county's unit, or no such unit: the same refusal
    for code in ("360403", "6201020001", "nope"):
        r = viewer.get(f"/api/v1/training/balances?unit={code}")
        assert (r.status_code, _code(r)) == (404, "W713"), (code, r.text)
    name = body["items"][0]["name"]
    found = viewer.get("/api/v1/training/balances", params={"q": name}).json()
    assert [i["name"] for i in found["items"]] == [name] and found["total"] == 1
    assert viewer.get("/api/v1/training/balances", params={"q": "%"}).json()["total"] == 0  # no wildcard
    page = viewer.get("/credits/", params={"unit": school, "q": name})
    assert page.status_code == 200 and 'id="balances-unit"' in page.text and 'id="balances-q"' in page.text
    assert name in page.text and f'<option value="{school}" selected' in page.text
    # the page's filter form is posted: the name typed never travels in an address, the list comes
    # back with q as a search token (web/security/search.py), and the next page keeps it
    form = viewer.get("/credits/").text
    assert 'method="post" action="/credits/search"' in form
    r = viewer.post("/credits/search", data={"_csrf_token": csrf_of(form), "q": name, "unit": school, "year": ""},
                    follow_redirects=False)
    assert r.status_code == 303 and name not in unquote(r.headers["location"]) and "q=~" in unquote(r.headers["location"])
    found_page = viewer.get(r.headers["location"])
    assert f'value="{name}"' in found_page.text and f'<option value="{school}" selected' in found_page.text
    listed = re.findall(r'class="teacher-credits" href="/credits/teachers/\d+">([^<]+)<', found_page.text)
    assert listed == [name]
    # an ID number in the API's query string is refused, as GET /api/v1/teachers does
    number = world.teacher_usernames[body["items"][0]["id"]]
    assert _code(viewer.get("/api/v1/training/balances", params={"q": number})) == "W420"
    other = viewer.get("/credits/?unit=360403")
    assert other.status_code == 404 and "W713" in other.text and 'id="credit-balances"' in other.text


def test_a_projects_hours_fit_its_days(as_user):
    county = as_user(COUNTY)
    base = dict(name="学时合理性", level="county", type="face_to_face", start="2024-07-01", end="2024-07-05")
    r = county.post("/api/v1/training/projects", json=base | {"hours": 10000})
    assert (r.status_code, _code(r)) == (422, "W714"), r.text
    assert "5 天" in r.json()["message"] and "120" in r.json()["message"]
    r = county.post("/api/v1/training/projects", json=base | {"hours": 121})
    assert _code(r) == "W714"
    assert county.post("/api/v1/training/projects", json=base | {"hours": 120}).status_code == 201


def test_the_same_project_twice_is_refused_naming_the_first(as_user):
    county = as_user(COUNTY)
    first = _project(county, name="走查测试县级项目")
    r = county.post("/api/v1/training/projects", json=dict(name=" 走查测试 县级项目", level="county", type="online",
                                                           hours=20, start="2024-07-01", end="2024-07-10"))
    assert (r.status_code, _code(r)) == (409, "W716"), r.text
    assert f"#{first['id']}" in r.json()["message"] and "走查测试县级项目" in r.json()["message"]
    # another round (other dates) is another project
    assert _project(county, name="走查测试县级项目", start="2024-08-01", end="2024-08-10")["id"] != first["id"]


def test_a_province_registers_a_national_project_only_for_the_ministry(as_user, ctx):
    """No ministry in a province's database: the province registers the national projects its
    teachers attend on the ministry's behalf, naming the national organiser, never itself."""
    from sqlalchemy import select

    from web.db.models import Unit

    with ctx.sessions() as db:
        own = db.scalar(select(Unit.name).where(Unit.code == "36"))
    province = as_user("info_manager@36")
    base = dict(name="国培计划（主办单位）", level="national", type="blended", hours=40, start="2024-05-01", end="2024-05-20")
    for organiser in ({}, {"organiser": ""}, {"organiser": own}):
        r = province.post("/api/v1/training/projects", json=base | organiser)
        assert (r.status_code, _code(r)) == (422, "W545"), r.text
        assert "主办单位" in r.json()["message"] and own in r.json()["message"]
    r = province.post("/api/v1/training/projects", json=base | {"organiser": "教育部"})
    assert r.status_code == 201 and r.json()["organiser"] == "教育部", r.text
    # a county registers no national project at all
    assert _code(as_user(COUNTY).post("/api/v1/training/projects", json=base | {"organiser": "教育部"})) == "W546"


def test_self_study_hours_dates_and_duplicates(as_user, world):
    tid, teacher = _teacher(as_user, world, "3601020001", 2)
    files = lambda: {"file": ("证书.pdf", pdf_bytes(), "application/pdf")}  # noqa: E731
    r = teacher.post(URL, data=_form(title="一天一千学时", start="2025-03-01", end="2025-03-01", hours="1000"), files=files())
    assert (r.status_code, _code(r)) == (422, "W714"), r.text
    assert _code(teacher.post(URL, data=_form(title="一天二十五学时", start="2025-03-01", end="2025-03-01", hours="25"),
                              files=files())) == "W714"
    assert _code(teacher.post(URL, data=_form(title="上世纪", start="1999-12-01", end="2000-01-10", hours="20"),
                              files=files())) == "W708"
    form = _form(title="重复申报测试", start="2025-04-01", end="2025-04-30", hours="20")
    first = teacher.post(URL, data=form, files=files())
    assert first.status_code == 201, first.text
    again = teacher.post(URL, data=form | {"title": " 重复申报测试 "}, files=files())
    assert (again.status_code, _code(again)) == (409, "W715"), again.text
    assert f"#{first.json()['id']}" in again.json()["message"]
    # once returned, the first claim is corrected (resubmitted), not duplicated by itself
    school = as_user("info_reviewer@3601020001")
    assert school.post(f"/api/v1/credit-claims/{first.json()['id']}/review",
                       json={"approve": False, "reason": "补充材料"}).json()["state"] == "returned"
    r = teacher.post(f"{URL}/{first.json()['id']}", data={"hours": "18"}, files=files())
    assert r.status_code == 200 and r.json()["state"] == "submitted", r.text


def test_results_wait_for_the_project_to_begin_and_old_far_future_projects_refuse_clearly(as_user, world, institution, ctx):
    inst_id, inst_user = institution("360102")
    county = as_user(COUNTY)
    ahead = date.today() + timedelta(days=30)
    p = _project(county, name="未开始的项目", institution_id=inst_id, start=ahead.isoformat(),
                 end=(ahead + timedelta(days=4)).isoformat())
    tid = world.teachers["3601020001"][0]
    r = as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [_row(world, tid, 20)]})
    assert (r.status_code, _code(r)) == (409, "W718"), r.text
    assert ahead.isoformat() in r.json()["message"]
    # a project stored with 9999 dates before they were bounded: a date message, never a 500
    from modules.credits.models import TrainingProject

    old = _project(county, name="旧的远期项目", institution_id=inst_id)
    with ctx.sessions() as db:
        row = db.get(TrainingProject, old["id"])
        row.start_date, row.end_date = date(9999, 12, 30), date(9999, 12, 31)
        db.commit()
    r = as_user(inst_user).post(f"/api/v1/training/projects/{old['id']}/results", json={"rows": [_row(world, tid, 20)]})
    assert (r.status_code, _code(r)) == (422, "W708"), r.text
    r = as_user("info_reviewer@360102").post(f"/api/v1/training/projects/{old['id']}/results/confirm", json={})
    assert (r.status_code, _code(r)) == (422, "W708"), r.text


def test_the_register_form_keeps_what_was_typed_with_the_duplicate_or_hours_refusal(as_user):
    from tests.web.conftest import post_form

    county = as_user(COUNTY)
    form = dict(name="页面重复登记项目", level="county", type="face_to_face", hours="30", start="2024-09-02",
                end="2024-09-06", organiser="", institution_id="")
    first = post_form(county, "/credits/projects/", "/credits/projects/new", form)
    assert first.status_code == 303 and "W716" not in county.get(first.headers["location"]).text, first.text[:500]
    again = post_form(county, "/credits/projects/", "/credits/projects/new", form)
    assert again.status_code == 409 and "W716" in again.text and 'value="页面重复登记项目"' in again.text
    many = post_form(county, "/credits/projects/", "/credits/projects/new", form | {"name": "页面学时", "hours": "500"})
    assert many.status_code == 422 and "W714" in many.text and 'value="500"' in many.text
    en = post_form(county, "/credits/projects/?lang=en", "/credits/projects/new?lang=en", form | {"hours": "500", "name": "页面学时2"})
    assert "exceed what its dates allow" in en.text


def test_the_claim_form_comes_back_filled_with_the_hours_dates_or_duplicate_refusal(as_user, world):
    from modules.credits.tests.test_claims import jpg_bytes
    from tests.web.conftest import csrf_of

    tid = world.teachers["3601020001"][2]
    teacher = as_user(world.teacher_usernames[tid], entry="teacher")
    token = csrf_of(teacher.get("/credits/").text)
    form = {"_csrf_token": token, "title": "页面一天太多学时", "start": "2025-05-06", "end": "2025-05-06", "hours": "30",
            "description": "读书"}
    send = lambda data: teacher.post("/credits/claims/", data=data,  # noqa: E731
                                     files={"file": ("a.jpg", jpg_bytes(), "image/jpeg")})
    r = send(form)
    assert r.status_code == 422 and "W714" in r.text and 'id="claim-error"' in r.text and 'value="页面一天太多学时"' in r.text
    r = send(form | {"start": "1999-05-06", "end": "2000-01-06", "hours": "20"})
    assert r.status_code == 422 and "W708" in r.text and 'id="claim-error"' in r.text
    ok = form | {"title": "页面重复申报", "hours": "6"}
    assert send(ok).status_code in (200, 303)
    r = send(ok)
    assert r.status_code == 409 and "W715" in r.text and 'id="claim-error"' in r.text and 'value="页面重复申报"' in r.text
