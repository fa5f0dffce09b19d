"""Self-study claims (自主研修) over HTTP, as the people who use them: a teacher files a claim with a
real PDF, the school returns it with a reason, the teacher corrects it (a real JPG now) and
resubmits, the school approves, the county confirms it into the credit bank under 江西's rules;
bad files are refused by content and size; another school neither sees nor downloads the
evidence; the yearly cap of self-study credits applies."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from web.db.models import AuditEntry

URL = "/api/v1/teachers/me/credit-claims"


def pdf_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buf, format="PDF")
    return buf.getvalue()


def jpg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buf, format="JPEG")
    return buf.getvalue()


def _form(**kw):
    return {"title": "阅读《给教师的建议》并撰写读书笔记", "start": "2025-03-01", "end": "2025-06-30", "hours": "30",
            "description": "每周阅读并记录"} | kw


class Multipart:
    """A signed-in client whose form posts carry the header an API client sends (not a page's form)."""

    def __init__(self, client):
        self.client = client

    def post(self, url, **kw):
        if "data" in kw or "files" in kw:
            kw.setdefault("headers", {})["x-csrftoken"] = "1"
        return self.client.post(url, **kw)

    def __getattr__(self, name):
        return getattr(self.client, name)


def _teacher(as_user, world, school, i=0):
    tid = world.teachers[school][i]
    return tid, Multipart(as_user(world.teacher_usernames[tid], entry="teacher"))


def test_claim_returned_corrected_approved_confirmed(as_user, world, ctx):
    tid, teacher = _teacher(as_user, world, "3601020002", 0)
    r = teacher.post(URL, data=_form(), files={"file": ("证书.pdf", pdf_bytes(), "application/pdf")})
    assert r.status_code == 201, r.text
    claim = r.json()
    assert (claim["state"], claim["evidence"]["type"]) == ("submitted", "application/pdf")

    school = as_user("info_reviewer@3601020002")
    waiting = school.get("/api/v1/credit-claims?state=waiting").json()["claims"]
    assert claim["id"] in [c["id"] for c in waiting]
    assert "待审核的自主研修申报" in school.get("/admin/").text  # the home page's to-do count
    r = school.post(f"/api/v1/credit-claims/{claim['id']}/review", json={"approve": False})
    assert (r.status_code, r.json()["code"]) == (422, "W656"), r.text
    r = school.post(f"/api/v1/credit-claims/{claim['id']}/review", json={"approve": False, "reason": "证明材料看不清"})
    assert r.json()["state"] == "returned"

    # the teacher sees the reason, corrects the hours and sends a JPG; the title typed before stays
    mine = teacher.get(URL).json()["claims"]
    assert [(c["state"], c["reason"]) for c in mine if c["id"] == claim["id"]] == [("returned", "证明材料看不清")]
    r = teacher.post(f"{URL}/{claim['id']}", data={"hours": "40"}, files={"file": ("scan.jpg", jpg_bytes(), "image/jpeg")})
    assert r.status_code == 200, r.text
    again = r.json()
    assert (again["state"], again["hours"], again["title"], again["evidence"]["type"]) == \
        ("submitted", "40.00", claim["title"], "image/jpeg")

    # the county cannot review (the school's turn); the school approves; the school cannot confirm
    county = as_user("info_reviewer@360102")
    assert county.post(f"/api/v1/credit-claims/{claim['id']}/review", json={"approve": True}).json()["code"] == "W658"
    assert school.post(f"/api/v1/credit-claims/{claim['id']}/review", json={"approve": True}).json()["state"] == "approved"
    assert school.post(f"/api/v1/credit-claims/{claim['id']}/confirm", json={}).json()["code"] == "W658"
    assert claim["id"] in [c["id"] for c in county.get("/api/v1/credit-claims?state=waiting").json()["claims"]]
    r = county.post(f"/api/v1/credit-claims/{claim['id']}/confirm", json={})
    assert r.status_code == 200, r.text
    done = r.json()
    # 江西 2025 rules: 40 h / 20 = 2 credits (at most 2 per claim), the version frozen on the claim
    assert (done["state"], done["credits"], done["rule_version"]) == ("confirmed", "2.00", "36:2025")
    assert county.post(f"/api/v1/credit-claims/{claim['id']}/confirm", json={}).json()["code"] == "W655"

    bank = teacher.get(f"/api/v1/teachers/{tid}/credits").json()
    assert any(e["note"].endswith(claim["title"]) and e["credits"] == "2.00" and e["category"] == "self_study"
               for e in bank["entries"])


def test_evidence_is_downloaded_only_within_scope_and_audited(as_user, world, ctx):
    _tid, teacher = _teacher(as_user, world, "3601020002", 1)
    content = pdf_bytes()
    claim = teacher.post(URL, data=_form(), files={"file": ("a.pdf", content, "application/pdf")}).json()
    href = claim["evidence"]["href"]
    mine = teacher.get(href)
    assert (mine.status_code, mine.content, mine.headers["content-type"]) == (200, content, "application/pdf")
    assert mine.headers["x-content-type-options"] == "nosniff" and "attachment" in mine.headers["content-disposition"]

    other_school = as_user("info_reviewer@3601020001")
    assert other_school.get(href).status_code == 404
    assert claim["id"] not in [c["id"] for c in other_school.get("/api/v1/credit-claims").json()["claims"]]
    assert other_school.post(f"/api/v1/credit-claims/{claim['id']}/review", json={"approve": True}).status_code == 404
    other_teacher = _teacher(as_user, world, "3601020002", 2)[1]
    assert other_teacher.get(href).status_code == 404
    assert as_user("info_reviewer@360103").get(href).status_code == 404  # another county

    school = as_user("info_manager@3601020002")
    assert school.get(href).content == content
    with ctx.sessions() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "credits.claim.evidence",
                                                AuditEntry.target_id == str(claim["id"])))  is not None


def test_bad_files_are_refused_in_both_languages(as_user, world):
    _tid, teacher = _teacher(as_user, world, "3601020002", 2)
    renamed = b"PK\x03\x04" + b"\x00" * 200  # a zip (an .xlsx, say) renamed to .pdf
    r = teacher.post(URL, data=_form(), files={"file": ("证书.pdf", renamed, "application/pdf")})
    assert (r.status_code, r.json()["code"]) == (415, "W652"), r.text
    assert "PDF" in r.json()["message"] and r.json().get("message_en")
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    r = teacher.post(URL, data=_form(), files={"file": ("big.pdf", big, "application/pdf")})
    assert (r.status_code, r.json()["code"]) == (413, "W653"), r.text
    r = teacher.post(URL, data=_form(), files={"file": ("empty.pdf", b"", "application/pdf")})
    assert (r.status_code, r.json()["code"]) == (422, "W651"), r.text
    r = teacher.post(URL, data=_form(), files={"other": ("x.txt", b"x", "text/plain")})  # no field "file"
    assert (r.status_code, r.json()["code"]) == (422, "W651"), r.text
    r = teacher.post(URL, data=_form(hours="abc"), files={"file": ("a.pdf", pdf_bytes(), "application/pdf")})
    assert (r.status_code, r.json()["code"]) == (422, "W650"), r.text
    # staff file no claims
    r = Multipart(as_user("info_manager@3601020002")).post(URL, data=_form(), files={"file": ("a.pdf", pdf_bytes(), "application/pdf")})
    assert (r.status_code, r.json()["code"]) == (403, "W657"), r.text
    assert [c for c in teacher.get(URL).json()["claims"]] == []


def test_yearly_cap_of_self_study_credits(as_user, world):
    tid, teacher = _teacher(as_user, world, "3601030001", 0)
    school, county = as_user("info_reviewer@3601030001"), as_user("info_reviewer@360103")
    got = []
    for month in ("03", "05", "07"):  # 40 h each: 2 credits each, 4 a year at most (江西 2025)
        c = teacher.post(URL, data=_form(hours="40", start=f"2025-{month}-01", end=f"2025-{month}-20"),
                         files={"file": ("a.jpg", jpg_bytes(), "image/jpeg")}).json()
        school.post(f"/api/v1/credit-claims/{c['id']}/review", json={"approve": True})
        got.append(county.post(f"/api/v1/credit-claims/{c['id']}/confirm", json={}).json()["credits"])
    assert got == ["2.00", "2.00", "0.00"]
    assert teacher.get(f"/api/v1/teachers/{tid}/credits").json()["by_category"]["self_study"] == "4.00"


def test_confirmed_claim_appears_in_domestic_training_read_only_and_goes_when_revoked(as_user, world):
    tid, teacher = _teacher(as_user, world, "3602020001", 0)
    school, county = as_user("info_reviewer@3602020001"), as_user("info_reviewer@360202")
    c = teacher.post(URL, data=_form(title="自学《课堂观察》", hours="30"),
                     files={"file": ("a.pdf", pdf_bytes(), "application/pdf")}).json()
    school.post(f"/api/v1/credit-claims/{c['id']}/review", json={"approve": True})
    done = county.post(f"/api/v1/credit-claims/{c['id']}/confirm", json={}).json()
    assert done["credits"] == "1.50" and done["record_id"]
    rid = done["record_id"]

    # the records API: the record is there, marked 来自学分银行, not editable
    body = teacher.get(f"/api/v1/teachers/{tid}/sets/training").json()
    rec = next(r for r in body["records"] if r["id"] == rid)
    assert rec["values"]["project_name"] == "自主研修：自学《课堂观察》" and str(rec["values"]["source"]) == "1"
    assert str(rec["values"]["hours"]) == "30" and str(rec["values"]["credits"]) == "2"  # 1.5 rounded half up
    assert rec["editable"] is False
    # the form page shows it read-only with its source
    page = teacher.get(f"/forms/teachers/{tid}/sets/training/records/{rid}")
    assert page.status_code == 200 and "来自学分银行" in page.text
    assert 'name="project_name"' not in page.text
    # the write path refuses changing or deleting it, for the teacher and the school alike
    for who in (teacher, as_user("info_manager@3602020001")):
        r = who.http.put(f"/api/v1/teachers/{tid}/sets/training/records/{rid}",
                    json={"values": {**rec["values"], "hours": 99}, "version": rec["version"]},
                    headers={"If-Match": f'"{rec["version"]}"'})
        assert (r.status_code, r.json()["code"]) == (409, "W659"), r.text
        assert "学分银行" in r.json()["message"] and r.json()["message_en"]
        r = who.delete(f"/api/v1/teachers/{tid}/sets/training/records/{rid}", headers={"If-Match": f'"{rec["version"]}"'})
        assert (r.status_code, r.json()["code"]) == (409, "W659"), r.text
    # a person cannot type the source on a record of their own
    r = teacher.post(f"/api/v1/teachers/{tid}/sets/training",
                     json={"values": {**rec["values"], "project_name": "伪造", "source": "1"}})
    assert r.status_code == 422 and "W587" in r.text, r.text

    # revoked: a revoking entry, the record gone
    assert county.post(f"/api/v1/credit-claims/{c['id']}/revoke", json={}).json()["code"] == "W656"
    r = county.post(f"/api/v1/credit-claims/{c['id']}/revoke", json={"reason": "证明材料系伪造"})
    assert r.json()["state"] == "revoked", r.text
    assert rid not in [x["id"] for x in teacher.get(f"/api/v1/teachers/{tid}/sets/training").json()["records"]]
    bank = teacher.get(f"/api/v1/teachers/{tid}/credits").json()
    assert [e["kind"] for e in bank["entries"] if e["category"] == "self_study"] == ["earned", "revoked"]
    assert bank["by_category"]["self_study"] == "0.00"


def test_confirmed_results_appear_in_domestic_training(as_user, world):
    """A county project's passed results become 国内培训 records 来自学分银行 on confirmation (the
    failed one none), read-only like a claim's."""
    county = as_user("info_manager@360202")
    p = county.post("/api/v1/training/projects", json=dict(name="2025年昌江区信息技术应用能力培训", level="county",
                                                            type="online", hours=36, start="2025-05-01", end="2025-05-20"))
    assert p.status_code == 201, p.text
    t1, t2 = world.teachers["3602020001"][1], world.teachers["3602020001"][2]
    from modules.credits.tests.test_api import _row

    r = county.post(f"/api/v1/training/projects/{p.json()['id']}/results",
                    json={"rows": [_row(world, t1, 36), _row(world, t2, 10, passed=False)]})
    assert r.status_code == 200, r.text
    done = as_user("info_reviewer@360202").post(f"/api/v1/training/projects/{p.json()['id']}/results/confirm", json={})
    assert done.status_code == 200, done.text
    teacher = as_user(world.teacher_usernames[t1], entry="teacher")
    recs = [r for r in teacher.get(f"/api/v1/teachers/{t1}/sets/training").json()["records"]
            if r["values"].get("project_name") == "2025年昌江区信息技术应用能力培训"]
    assert len(recs) == 1 and str(recs[0]["values"]["source"]) == "1" and recs[0]["editable"] is False
    v = recs[0]["values"]
    assert (str(v["training_category"]), str(v["training_mode"]), str(v["hours"]), str(v["credits"])) == ("4", "3", "36", "4")  # 36 h / 10 = 3.6 credits (江西 2025), a whole 4 in the set
    assert "来自学分银行" in teacher.get(f"/forms/teachers/{t1}/sets/training/records/{recs[0]['id']}").text
    other = as_user(world.teacher_usernames[t2], entry="teacher").get(f"/api/v1/teachers/{t2}/sets/training").json()
    assert not [r for r in other["records"] if r["values"].get("project_name") == "2025年昌江区信息技术应用能力培训"]


def test_the_authority_returns_an_approved_claim_to_the_teacher(as_user, world, ctx):
    """The school passed it but the county finds the evidence does not fit: instead of confirming
    (and then revoking) it returns the claim with a reason, over the API and with 退回教师 on the
    claims page; the teacher reads why, corrects, resubmits, and the school reviews it again."""
    from tests.web.conftest import csrf_of

    _tid, teacher = _teacher(as_user, world, "3601020002", 2)
    school = as_user("info_reviewer@3601020002")
    county = as_user("info_reviewer@360102")

    def approved():
        c = teacher.post(URL, data=_form(title=f"退回测试{len(teacher.get(URL).json()['claims'])}"),
                         files={"file": ("a.pdf", pdf_bytes(), "application/pdf")}).json()
        assert school.post(f"/api/v1/credit-claims/{c['id']}/review", json={"approve": True}).json()["state"] == "approved"
        return c["id"]

    cid = approved()
    back = f"/api/v1/credit-claims/{cid}/return"
    assert county.post(back, json={}).json()["code"] == "W656"
    assert school.post(back, json={"reason": "x"}).json()["code"] == "W658"  # the school already passed it
    assert as_user("info_reviewer@360103").post(back, json={"reason": "x"}).status_code == 404
    r = county.post(back, json={"reason": "证明材料与研修内容不符"})
    assert r.status_code == 200 and r.json()["state"] == "returned", r.text
    assert county.post(back, json={"reason": "again"}).json()["code"] == "W655"  # not approved any more
    mine = [c for c in teacher.get(URL).json()["claims"] if c["id"] == cid]
    assert [(c["state"], c["reason"]) for c in mine] == [("returned", "证明材料与研修内容不符")]
    r = teacher.post(f"{URL}/{cid}", data={"hours": "20"}, files={"file": ("b.jpg", jpg_bytes(), "image/jpeg")})
    assert r.status_code == 200 and r.json()["state"] == "submitted", r.text
    assert cid in [c["id"] for c in school.get("/api/v1/credit-claims?state=waiting").json()["claims"]]
    with ctx.sessions() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "credits.claim.return",
                                                  AuditEntry.target_id == str(cid))) is not None

    # on the page: 退回教师 without a reason keeps the row and says why; with one, the claim is returned
    cid = approved()
    page = county.get("/credits/claims/")
    assert f'action="/credits/claims/{cid}/confirm"' in page.text and "退回教师" in page.text
    token = csrf_of(page.text)
    r = county.post(f"/credits/claims/{cid}/confirm", data={"_csrf_token": token, "decision": "return", "reason": ""})
    assert r.status_code == 422 and 'id="review-error"' in r.text and "W656" in r.text
    r = county.post(f"/credits/claims/{cid}/confirm", data={"_csrf_token": token, "decision": "return",
                                                            "reason": "学时与证明不符"}, follow_redirects=True)
    assert r.status_code == 200 and "已退回" in r.text.split('id="claim-done"')[1][:300]
    assert [c["state"] for c in teacher.get(URL).json()["claims"] if c["id"] == cid] == ["returned"]


def test_evidence_is_not_handed_to_a_reader_who_sees_personal_data_masked(as_user, world):
    """A scanned certificate shows the ID number and cannot be masked: the school's 信息查询员 (reads
    teachers, ID numbers masked) is refused the file (W663), its reviewer gets it."""
    _tid, teacher = _teacher(as_user, world, "3601020002", 2)
    content = pdf_bytes()
    href = teacher.post(URL, data=_form(title="证明材料的读者"), files={"file": ("a.pdf", content, "application/pdf")}).json()["evidence"]["href"]
    r = as_user("info_viewer@3601020002").get(href)
    assert r.status_code == 403 and r.json()["code"] == "W663" and r.json()["hint_en"], r.text
    assert as_user("info_reviewer@3601020002").get(href).content == content
    assert as_user("info_reviewer@360102").get(href).content == content
