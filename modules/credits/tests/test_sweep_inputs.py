"""Security review of issue 17: hostile JSON bodies (wrong types, huge numbers, NUL, formulas, long
text, nested objects) on every state-changing credits/registration API and hostile query parameters
on their lists and pages are refused with a catalogue code, never a server error."""

from __future__ import annotations

import io
import zipfile

from modules.credits.tests.test_api import _n, _project, institution  # noqa: F401
from modules.credits.tests.test_claims import Multipart, _form, pdf_bytes
from modules.credits.tests.test_sweep_scope import _own_teacher
from tests.web.conftest import csrf_of, post_form

VALUES = [None, True, -1, 0, 1e308, -1e308, "x" * 20000, "١٢٣", "\u0000", "'; drop table x;--", [], {}, [1, 2],
          {"a": {"b": [None]}}, "=HYPERLINK(\"http://evil\")", 2**70, -2**70, "NaN", "Infinity", "2024-02-30", "9999-12-31"]



def test_hostile_bodies_and_queries_are_refused_never_server_errors(ctx, as_user, world, institution):
    inst_id, inst_user = institution("360102")
    county = as_user("info_manager@360102")
    p = _project(county, institution_id=inst_id, name=f"探测{next(_n)}")
    t1, n1 = _own_teacher(ctx, world, "3601020001", f"输入测试{next(_n)}")  # this file's own: others' totals stay
    plan = _project(as_user("info_manager@3601020001"), level="school", type="school_based", name=f"探测校本{next(_n)}", hours=8)
    inst = as_user(inst_user)
    rev = as_user("info_reviewer@360102")
    out = []
    bodies = {
        ("inst", f"/api/v1/training/projects/{p['id']}/results"): ["rows", "dry_run"],
        ("rev", f"/api/v1/training/projects/{plan['id']}/approve"): ["approve", "reason"],
        ("rev", f"/api/v1/teachers/{t1}/credits/adjustments"): ["category", "credits", "hours", "effective", "reason"],
        ("rev", "/api/v1/registration/batches"): ["teacher_ids", "as_of", "all_eligible"],
        ("county", "/api/v1/training/projects"): ["name", "level", "type", "hours", "start", "end", "organiser", "institution_id"],
        ("rev", "/api/v1/registration/batches/1/decisions"): ["decisions", "version"],
        ("rev", "/api/v1/registration/batches/1/forward"): ["version"],
        ("rev", "/api/v1/training/projects/1/results/1/reject"): ["reason"],
        ("rev", "/api/v1/training/projects/1/results/1/revoke"): ["reason"],
        ("rev", "/api/v1/credit-claims/1/review"): ["approve", "reason"],
        ("rev", "/api/v1/credit-claims/1/revoke"): ["reason"],
    }
    who = {"inst": inst, "rev": rev, "county": county}
    base = {"rows": [{"id_number": n1, "hours": 24, "passed": True}], "approve": False, "reason": "r", "category": "professional", "credits": 1,
            "effective": "2024-07-10", "teacher_ids": [t1], "name": "n", "level": "county", "type": "online", "hours": 10,
            "start": "2024-03-01", "end": "2024-03-02", "decisions": [{"teacher_id": t1, "decision": "approve"}], "version": 1,
            "dry_run": True, "as_of": None, "all_eligible": False, "organiser": None, "institution_id": None}
    for (w, url), fields in bodies.items():
        for f in fields:
            for v in VALUES:
                body = {k: base[k] for k in fields} | {f: v}
                r = who[w].post(url, json=body)
                if r.status_code >= 500:
                    out.append((url, f, repr(v)[:40], r.status_code, r.text[:150]))
        for raw in ([], "x", 1, None, [{}]):
            r = who[w].post(url, json=raw)
            if r.status_code >= 500:
                out.append((url, "body", repr(raw), r.status_code, r.text[:150]))
    # balances / credits query params
    for q in ["as_of=9999-99-99", "year=-1", "year=99999999999999999999", "unit=%00", "q=" + "x" * 5000, "limit=-5",
              "offset=99999999999999999999", "limit=abc", "as_of=2024-01-01&as_of=2024-01-02"]:
        for u in ["/api/v1/training/balances?", "/credits/?", f"/api/v1/teachers/{t1}/credits?", f"/credits/teachers/{t1}?",
                  f"/api/v1/teachers/{t1}/registration?", "/api/v1/registration/warnings?", "/registration/?",
                  "/api/v1/credit-claims?", "/api/v1/registration/batches?"]:
            r = rev.get(u + q)
            if r.status_code >= 500:
                out.append((u, q[:40], r.status_code, r.text[:150]))
    assert not out, "\n".join(map(str, out))


URLS = ["/api/v1/training/projects/{i}/results", "/api/v1/training/projects/{i}/results/template.xlsx",
        "/api/v1/teachers/{i}/credits", "/api/v1/teachers/{i}/registration", "/api/v1/credit-claims/{i}/evidence",
        "/credits/teachers/{i}", "/credits/teachers/{i}/transcript", "/credits/projects/{i}",
        "/api/v1/registration/batches/{i}", "/registration/batches/{i}"]
POSTS = ["/api/v1/training/projects/{i}/results/confirm", "/api/v1/training/projects/{i}/approve",
         "/api/v1/training/projects/{i}/results/{i}/reject", "/api/v1/credit-claims/{i}/review",
         "/api/v1/teachers/{i}/credits/adjustments", "/api/v1/registration/batches/{i}/decisions",
         "/api/v1/registration/batches/{i}/forward"]

def test_ids_past_any_number_in_paths_are_refused_never_server_errors(as_user, world):
    out = []
    for user in ["info_reviewer@360102", "info_manager@36"]:
        c = as_user(user)
        for i in ["-1", "0", "99999999999999999999", "9223372036854775808", "9223372036854775807", "2147483648"]:
            for u in URLS:
                r = c.get(u.format(i=i))
                if r.status_code >= 500: out.append((user, u, i, r.status_code, r.text[:200]))
            for u in POSTS:
                r = c.post(u.format(i=i), json={"approve": True, "reason": "x"})
                if r.status_code >= 500: out.append((user, "POST", u, i, r.status_code, r.text[:200]))
    assert not out, "\n".join(map(str, out))


NUMS = ["1e999999", "-1e999999", "1E-999999", "9" * 3000, "0.0000000000000000000000001", "1_000", " 1 ", "０１", "sNaN", "-0"]

def test_numbers_with_huge_exponents_or_digits_are_refused_never_server_errors(ctx, as_user, world, institution):  # noqa: F811
    out = []
    inst_id, inst_user = institution("360102")
    county = as_user("info_manager@360102")
    p = _project(county, institution_id=inst_id, name=f"探测{next(_n)}")
    inst = as_user(inst_user)
    t1, n1 = _own_teacher(ctx, world, "3601020001", f"输入测试{next(_n)}")
    t3, n3 = _own_teacher(ctx, world, "3601020002", f"输入测试{next(_n)}")
    rev = as_user("info_reviewer@360102")
    teacher = Multipart(as_user(n3, entry="teacher"))
    for v in NUMS:
        checks = [
            ("results.hours", inst.post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [{"id_number": n1, "hours": v, "passed": True}], "dry_run": True})),
            ("results.score", inst.post(f"/api/v1/training/projects/{p['id']}/results", json={"rows": [{"id_number": n1, "hours": 10, "passed": True, "score": v}], "dry_run": True})),
            ("project.hours", county.post("/api/v1/training/projects", json=dict(name=f"探{next(_n)}", level="county", type="online", hours=v, start="2024-03-01", end="2024-03-02"))),
            ("adjust.credits", rev.post(f"/api/v1/teachers/{t1}/credits/adjustments", json={"category": "professional", "credits": v, "effective": "2024-07-10", "reason": "r"})),
            ("adjust.hours", rev.post(f"/api/v1/teachers/{t1}/credits/adjustments", json={"category": "professional", "credits": 1, "hours": v, "effective": "2024-07-10", "reason": "r"})),
            ("claim.hours", teacher.post("/api/v1/teachers/me/credit-claims", data=_form(title=f"探{next(_n)}", hours=v), files={"file": ("a.pdf", pdf_bytes(), "application/pdf")})),
            ("carry.credits", rev.post("/api/v1/training/carry-over", json={"rows": [{"id_number": n1, "name": "x", "category": "professional", "credits": v, "hours": v, "earned_on": "2024-01-01", "source": "s"}], "dry_run": True})),
            ("page.adjust", post_form(rev, f"/credits/teachers/{t1}", f"/credits/teachers/{t1}/adjustments", {"category": "professional", "credits": v, "hours": v, "effective": "2024-07-10", "reason": "r"})),
        ]
        for name, r in checks:
            if r.status_code >= 500:
                out.append((name, v[:20], r.status_code))
    assert not out, "\n".join(map(str, out))


def _zip(files):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return b.getvalue()

BAD = [b"", b"<html><script>alert(1)</script></html>", b"PK\x03\x04garbage", _zip({"a.txt": "x"}),
       _zip({"[Content_Types].xml": "<x", "xl/workbook.xml": "<<<"}), b"=cmd|' /C calc'!A0,1,2\n", b"\x00" * 1000,
       b"%PDF-1.4\n<html>"]

def test_files_that_are_not_what_they_say_are_refused_never_server_errors(ctx, as_user, world, institution):  # noqa: F811
    """Not-Excel, broken zips, CSV formulas, NUL bytes, path-like and 300-character names on the results
    page and API, the carry-over page and a claim's evidence: refused (a claim takes only real PDF/JPG/PNG)."""
    out = []
    inst_id, inst_user = institution("360102")
    p = _project(as_user("info_manager@360102"), institution_id=inst_id, name=f"探测{next(_n)}")
    inst = as_user(inst_user)
    rev = as_user("info_reviewer@360102")
    t3, n3 = _own_teacher(ctx, world, "3601020002", f"输入测试{next(_n)}")
    teacher = Multipart(as_user(n3, entry="teacher"))
    for i, content in enumerate(BAD):
        for name in ("a.xlsx", "a.pdf", "../../etc/passwd", "a" * 300 + ".xlsx", "名单.xls"):
            tok = csrf_of(inst.get(f"/credits/projects/{p['id']}").text)
            r = inst.post(f"/credits/projects/{p['id']}/upload", data={"_csrf_token": tok}, files={"file": (name, content, "application/octet-stream")})
            if r.status_code >= 500: out.append(("page upload", i, name[:10], r.status_code))
            r = inst.post(f"/api/v1/training/projects/{p['id']}/results", headers={"x-csrftoken": "1"}, files={"data": (name, content, "text/plain")})
            if r.status_code >= 500: out.append(("api results", i, name[:10], r.status_code))
            tok = csrf_of(rev.get("/credits/carry-over/").text)
            r = rev.post("/credits/carry-over/upload", data={"_csrf_token": tok}, files={"file": (name, content, "application/pdf")})
            if r.status_code >= 500: out.append(("carry page", i, name[:10], r.status_code))
            r = teacher.post("/api/v1/teachers/me/credit-claims", data=_form(title=f"探{next(_n)}"), files={"file": (name, content, "application/pdf")})
            if r.status_code >= 500 or (r.status_code == 201 and not content.startswith(b"%PDF")): out.append(("claim", i, name[:10], r.status_code))
    assert not out, "\n".join(map(str, out))
