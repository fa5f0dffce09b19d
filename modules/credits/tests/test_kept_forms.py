"""Forms that keep what was typed (the walk's findings 7, 8, 20): every refusal of the self-study
claim form comes back as 我的学分 with the form filled in and the message beside the field (the
file to choose again, said so); a file too large names the 5 MB limit; a claim returned without
a reason, a result rejected without one, a bad ?as_of= on 我的学分 and the institution account
form come back with the user's place kept and the message once."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

from modules.credits.tests.test_api import _project, _row, institution  # noqa: F401
from modules.credits.tests.test_claims import jpg_bytes
from tests.web.conftest import csrf_of, post_form

_n = itertools.count(1)
TITLE = "线上研修《课堂提问的艺术》"


def _teacher(as_user, world, school="3601030001", n=2):
    tid = world.teachers[school][n]
    return tid, as_user(world.teacher_usernames[tid], entry="teacher")


def _claim(teacher, **kw):
    mine = teacher.get("/credits/")
    form = {"_csrf_token": csrf_of(mine.text), "title": TITLE, "start": "2025-05-01", "end": "2025-05-20",
            "hours": "12", "description": "观看课例并写反思"} | kw
    return form


def _kept(text: str, form: dict) -> None:
    """The claim form on the page holds every value sent."""
    claim_form = text.split('id="claim-form"')[1]
    for key in ("title", "start", "end", "hours"):
        assert f'name="{key}"' in claim_form and f'value="{form[key]}"' in claim_form, key
    assert f">{form['description']}</textarea>" in claim_form


def _beside(text: str, field_input: str) -> str:
    """The message shown right after the named input (its label), and the code."""
    claim_form = text.split('id="claim-form"')[1]
    after = claim_form.split(field_input, 1)[1]
    assert 'class="field-error"' in after.split("<label")[0], field_input
    return after.split('class="field-error"', 1)[1].split("</span></span>")[0]


def test_every_refusal_of_the_claim_form_keeps_it_filled_in(as_user, world):
    _, teacher = _teacher(as_user, world)
    future = (date.today() + timedelta(days=5)).isoformat()
    cases = [  # (fields changed, file, status, code, the input the message stands beside, words in it)
        ({}, ("假的.pdf", b"GIF89a not a pdf", "application/pdf"), 415, "W652", 'name="file"', "PDF"),
        ({}, ("大.pdf", b"%PDF-" + b"0" * (6 * 1024 * 1024), "application/pdf"), 413, "W653", 'name="file"', "5 MB"),
        ({"start": "2025-05-20", "end": "2025-05-01"}, None, 422, "W650", 'name="end"', "结束日期"),
        ({"start": future, "end": future}, None, 422, "W650", 'name="end"', "不晚于今天"),
        ({"hours": "十"}, None, 422, "W650", 'name="hours"', "学时"),
        ({"hours": "99999"}, None, 422, "W650", 'name="hours"', "1000"),
        ({"title": "   "}, None, 422, "W650", 'name="title"', "研修名称"),
    ]
    for changed, upload, status, code, field_input, words in cases:
        form = _claim(teacher, **changed)
        r = teacher.post("/credits/claims/", data=form,
                         files={"file": upload or ("证书.jpg", jpg_bytes(), "image/jpeg")})
        assert r.status_code == status, (changed, r.status_code, r.text[:300])
        assert 'id="claim-form"' in r.text and 'id="credits-total"' in r.text   # 我的学分, not an error page
        _kept(r.text, form)
        message = _beside(r.text, field_input)
        assert code in message and words in message, (code, message)
        assert r.text.count(code) == 2                      # beside the field, and in the note above the form
        assert 'id="claim-file-again"' in r.text and "重新选择证明材料" in r.text
        assert TITLE not in r.text.split('id="my-claims"')[1].split("</table>")[0]  # nothing was saved
    # English mode reads as well
    form = _claim(teacher, hours="ten")
    r = teacher.post("/credits/claims/?lang=en", data=form, files={"file": ("c.jpg", jpg_bytes(), "image/jpeg")})
    assert r.status_code == 422 and "must be a number above 0" in r.text and "Choose the evidence file again" in r.text
    teacher.get("/credits/?lang=zh")


def test_a_file_past_the_page_limit_names_the_limit(as_user, world):
    _, teacher = _teacher(as_user, world)
    form = _claim(teacher)
    r = teacher.post("/credits/claims/", data=form,
                     files={"file": ("巨大.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024), "application/pdf")})
    assert r.status_code == 413 and "W730" in r.text and "5 MB" in r.text and "请求过大" not in r.text
    assert 'data-back id="error-back"' in r.text and "返回上一页" in r.text   # back to the form, not only 返回首页
    en = teacher.post("/credits/claims/?lang=en", data=form,
                      files={"file": ("big.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024), "application/pdf")})
    assert en.status_code == 413 and "at most 5 MB" in en.text
    teacher.get("/credits/?lang=zh")


def test_a_claim_sent_shows_what_became_of_it_and_a_reload_sends_nothing(as_user, world):
    _, teacher = _teacher(as_user, world, n=1)
    title = f"{TITLE}{next(_n)}"
    form = _claim(teacher, title=title)
    r = teacher.post("/credits/claims/", data=form, files={"file": ("证书.jpg", jpg_bytes(), "image/jpeg")},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/credits/?claim=")
    page = teacher.get(r.headers["location"])
    assert f"申报「{title}」已提交，现为：待学校审核" in page.text
    assert page.text.count(f"<td>{title}</td>") == 1
    assert page.text.count('id="claim-filed"') == 1
    # another teacher given the same address is told nothing (the message is read from one's own claims)
    _, other = _teacher(as_user, world, n=2)
    assert 'id="claim-filed"' not in other.get(r.headers["location"]).text


def test_a_returned_claim_corrected_wrongly_keeps_the_correction(as_user, world):
    _, teacher = _teacher(as_user, world, n=0)
    title = f"{TITLE}{next(_n)}"
    teacher.post("/credits/claims/", data=_claim(teacher, title=title),
                 files={"file": ("证书.jpg", jpg_bytes(), "image/jpeg")})
    school = as_user("info_reviewer@3601030001")
    page = school.get("/credits/claims/")
    cid = int(re.search(rf'<tr id="claim-(\d+)">\s*<td>[^<]*</td><td>[^<]*</td><td>{re.escape(title)}', page.text).group(1))
    url = f"/credits/claims/{cid}/review"
    # returning without a reason: the list again, the message in that claim's row
    r = school.post(url, data={"_csrf_token": csrf_of(page.text), "decision": "return", "reason": "   "},
                    follow_redirects=False)
    assert r.status_code == 422 and 'id="review-error"' in r.text and "W656" in r.text
    row = r.text.split(f'<tr id="claim-{cid}">')[1].split("</tr>")[0]
    assert 'id="review-error"' in row
    # with a reason: a redirect to the list, which says what became of the claim
    r = school.post(url, data={"_csrf_token": csrf_of(page.text), "decision": "return", "reason": "证书看不清"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/credits/claims/?done={cid}")
    assert f"申报「{title}」现为：已退回" in school.get(r.headers["location"]).text
    # the teacher's correction refused: that claim's form keeps what was typed
    mine = teacher.get("/credits/")
    r = teacher.post(f"/credits/claims/{cid}", data={"_csrf_token": csrf_of(mine.text), "title": title,
                                                     "start": "2025-05-01", "end": "2025-05-20", "hours": "5000",
                                                     "description": "补充了清晰的证书"})
    assert r.status_code == 422
    row = r.text.split(f'<tr id="claim-{cid}">')[1].split("</tr>")[0]
    assert 'value="5000"' in row and "补充了清晰的证书" in row and "W650" in row and 'class="field-error"' in row


def test_a_bad_date_on_my_credits_shows_the_page(as_user, world):
    _, teacher = _teacher(as_user, world)
    r = teacher.get("/credits/?as_of=2026-02-30")
    assert r.status_code == 422 and "W553" in r.text and 'id="credits-total"' in r.text and 'id="claim-form"' in r.text
    assert 'value="2026-02-30"' in r.text
    county = as_user("info_reviewer@360103")
    r = county.get("/credits/?as_of=2026-02-30")
    assert r.status_code == 422 and "W553" in r.text and "<table" in r.text


def test_rejecting_a_result_without_a_reason_keeps_the_row(as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name=f"退回测试：页面{next(_n)}", institution_id=inst_id)
    tid = world.teachers["3601020002"][2]
    url = f"/api/v1/training/projects/{p['id']}/results"
    assert as_user(inst_user).post(url, json={"rows": [_row(world, tid, 20)]}).status_code == 200
    county = as_user("info_reviewer@360102")
    rid = county.get(url).json()["results"][0]["id"]
    page = county.get(f"/credits/projects/{p['id']}")
    r = county.post(f"/credits/projects/{p['id']}/results/{rid}/reject",
                    data={"_csrf_token": csrf_of(page.text), "reason": "   "})
    assert r.status_code == 422 and 'id="project-results"' in r.text
    row = r.text.split(f'<tr id="result-{rid}"')[1].split("</tr>")[0]
    assert "W670" in row and 'id="row-error"' in row and r.text.count("W670") == 1
    too_long = "因" * 201
    r = county.post(f"/credits/projects/{p['id']}/results/{rid}/reject",
                    data={"_csrf_token": csrf_of(page.text), "reason": too_long})
    assert r.status_code == 422 and f'value="{too_long[:200]}"' in r.text


def test_the_institution_account_form_names_the_field_and_keeps_the_rest(as_user, institution):  # noqa: F811
    inst_id, _ = institution("360102")
    admin = as_user("system_admin@360102")
    url = f"/credits/institutions/{inst_id}/accounts"

    def send(**kw):
        form = {"username": f"peixun{next(_n)}", "real_name": "李培训", "phone": "13800000000"} | kw
        return form, post_form(admin, "/credits/institutions/", url, form)

    for changed, words in (({"username": ""}, "「用户名」必填"), ({"username": "a b"}, "「用户名」须为"),
                           ({"username": "360102198001011234"}, "身份证件号码"),
                           ({"real_name": " "}, "「真实姓名」必填"), ({"phone": "abc"}, "「手机」须为 11 位")):
        form, r = send(**changed)
        assert r.status_code == 422 and "W731" in r.text and words in r.text, (changed, r.text[:500])
        assert r.text.count("W731") == 1 and "training_institution" not in r.text       # once, in words
        box = r.text.split(f'id="institution-{inst_id}"')[1].split("</tr>")[0]
        assert 'id="account-error"' in box
        for key, value in form.items():
            if value.strip():
                assert f'name="{key}" ' in box and f'value="{value}"' in box, key
    form, r = send(username="system_admin@360102")                 # taken: said so, whose it is not said
    assert r.status_code == 409 and "已被使用" in r.text and r.text.count("W204") == 1
    form, r = send(phone="")
    assert r.status_code == 200 and 'id="initial-password"' in r.text


def test_saved_changes_answer_with_a_redirect_and_the_page_says_what_is_so(as_user, world, institution):  # noqa: F811
    import io

    from openpyxl import load_workbook

    from modules.credits.tests.test_api import teacher_name

    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), name=f"重定向测试{next(_n)}", hours=20, institution_id=inst_id)
    inst = as_user(inst_user)
    page = inst.get("/credits/projects/")
    wb = load_workbook(io.BytesIO(inst.get(f"/api/v1/training/projects/{p['id']}/results/template.xlsx").content))
    a, b = world.teachers["3601020002"][:2]
    for tid in (a, b):
        wb.active.append([world.teacher_usernames[tid], teacher_name(world, tid), 20, "合格", 90])
    out = io.BytesIO()
    wb.save(out)
    r = inst.post(f"/credits/projects/{p['id']}/upload", data={"_csrf_token": csrf_of(page.text)},
                  files={"file": ("r.xlsx", out.getvalue(), "application/octet-stream")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/credits/projects/?submitted={p['id']}")
    assert "已提交 2 行成绩" in inst.get(r.headers["location"]).text        # the reload is a GET: nothing sent again
    assert 'id="results-outcome"' not in inst.get("/credits/projects/?submitted=99999").text

    county = as_user("info_reviewer@360102")
    rows = county.get(f"/api/v1/training/projects/{p['id']}/results").json()["results"]
    page = county.get(f"/credits/projects/{p['id']}")
    token = {"_csrf_token": csrf_of(page.text)}
    # a crafted address says nothing that is not so
    assert 'id="results-outcome"' not in county.get(f"/credits/projects/{p['id']}?done=confirmed").text
    assert 'id="results-outcome"' not in county.get(
        f"/credits/projects/{p['id']}?done=rejected&row={rows[0]['id']}").text
    r = county.post(f"/credits/projects/{p['id']}/results/{rows[0]['id']}/reject", data=token | {"reason": "学时不符"},
                    follow_redirects=False)
    assert r.status_code == 303 and f"done=rejected&row={rows[0]['id']}" in r.headers["location"]
    assert "已退回该条成绩（原因：学时不符）" in county.get(r.headers["location"]).text
    r = county.post(f"/credits/projects/{p['id']}/confirm", data=token, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/credits/projects/{p['id']}?done=confirmed")
    done = county.get(r.headers["location"]).text
    assert "本项目已确认 1 条成绩，其中 1 人合格" in done


def _switch(html: str) -> str:
    return re.search(r'<a class="lang" href="([^"]*)"', html).group(1).replace("&amp;", "&")


def test_the_language_switch_on_a_refused_form_leads_to_a_page(as_user, world):
    """On a form shown again after a refusal (its address takes only POST) the header's English/中文
    link was "?lang=en" on that address: 404 (W654) on the claim form, 405 (W937) on the others. It
    leads to the page the form was sent from (its filters kept), or to the start page."""
    _, teacher = _teacher(as_user, world)
    origin = str(teacher.http.base_url).rstrip("/")
    form = _claim(teacher, hours="十")
    r = teacher.post("/credits/claims/", data=form, files={"file": ("c.jpg", jpg_bytes(), "image/jpeg")},
                     headers={"referer": f"{origin}/credits/?as_of=2025-06-01&lang=zh"})
    assert r.status_code == 422
    href = _switch(r.text)
    assert href == "/credits/?as_of=2025-06-01&lang=en"
    after = teacher.get(href)
    assert after.status_code == 200 and 'id="claim-form"' in after.text and "My credits" in after.text
    teacher.get("/credits/?lang=zh")
    # sent again from the refused form itself, from another site, or with no Referer: the start page
    for referer in (f"{origin}/credits/claims/", "https://elsewhere.example/credits/", None):
        r = teacher.post("/credits/claims/", data=form, files={"file": ("c.jpg", jpg_bytes(), "image/jpeg")},
                         headers={"referer": referer} if referer else {})
        assert _switch(r.text) == "/?lang=en", referer
    # an error page answering a POST (a project not the institution's) likewise
    inst = as_user("info_manager@360102")
    page = inst.get("/credits/projects/")
    r = inst.post("/credits/projects/999999/confirm", data={"_csrf_token": csrf_of(page.text)},
                  headers={"referer": f"{origin}/credits/projects/"})
    assert r.status_code in (403, 404) and _switch(r.text) == "/credits/projects/?lang=en"
    assert inst.get(_switch(r.text)).status_code == 200
    # a page answering a GET keeps its own address
    assert _switch(inst.get("/credits/projects/?lang=zh").text) == "?lang=en"
