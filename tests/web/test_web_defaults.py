"""Safer defaults of the web tier (issue 14, finding 11, first part): CSRF tokens bound to the
session, security headers on every answer, no inline script for the Content-Security-Policy to
block, and Secure cookies whenever the request is HTTPS (directly or through a trusted proxy)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from tests.web.conftest import PASSWORD, Client, csrf_of, make_settings
from tests.web.test_proxies import _serve
from web.app import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def _signed_in_page(app, username: str) -> tuple[Client, str]:
    c = Client(app, username)
    page = c.get("/account/password")
    assert page.status_code == 200
    return c, csrf_of(page.text)


def test_a_planted_token_and_cookie_from_another_session_are_refused(app, world):
    victim, own = _signed_in_page(app, "info_viewer@360103")
    attacker, theirs = _signed_in_page(app, "info_viewer@360202")
    planted = attacker.http.cookies.get("tmis_csrf") or ""
    victim.http.cookies.set("tmis_csrf", planted)
    r = victim.post("/logout", data={"_csrf_token": theirs}, follow_redirects=False)
    assert r.status_code == 403 and "页面已过期" in r.text
    # a pair an anonymous visitor got from the sign-in page does not work either
    anon = Client(app)
    anon_token = csrf_of(anon.get("/admin/login").text)
    victim.http.cookies.set("tmis_csrf", anon.http.cookies.get("tmis_csrf") or "")
    r = victim.post("/logout", data={"_csrf_token": anon_token}, follow_redirects=False)
    assert r.status_code == 403
    assert victim.get("/api/v1/auth/me").status_code == 200  # still signed in: nothing happened
    # the session's own token works (form field or htmx header)
    r = victim.post("/logout", data={}, headers={"x-csrftoken": own}, follow_redirects=False)
    assert r.status_code == 303 and victim.get("/api/v1/auth/me").status_code == 401


def test_the_sign_in_form_token_belongs_to_its_visitor(app, world):
    one, other = Client(app), Client(app)
    token = csrf_of(one.get("/admin/login").text)
    other.get("/admin/login")
    r = other.post("/admin/login", data={"username": "info_viewer@36", "password": PASSWORD, "_csrf_token": token},
                   follow_redirects=False)
    assert r.status_code == 403
    r = one.post("/admin/login", data={"username": "info_viewer@36", "password": PASSWORD, "_csrf_token": token},
                 follow_redirects=False)
    assert r.status_code == 303


@pytest.mark.parametrize("path,signed_in", [
    ("/admin/login", False), ("/admin/", True), ("/api/v1/auth/me", True), ("/api/v1/teachers", True),
    ("/no/such/page", False), ("/forms/teachers", True),
])
def test_security_headers_on_pages_and_api(app, world, path, signed_in):
    c = Client(app, "info_manager@360102") if signed_in else Client(app)
    r = c.get(path)
    csp = r.headers.get("content-security-policy", "")
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and script_src.group(1).strip() == "'self'", csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers.get("x-frame-options") == "DENY"
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("referrer-policy") == "same-origin"
    assert r.headers.get("cache-control") == "no-store"
    assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS


def test_static_files_stay_cacheable(app):
    r = Client(app).get("/static/tmis.js")
    assert r.status_code == 200 and r.headers.get("cache-control") != "no-store"
    assert r.headers.get("x-content-type-options") == "nosniff"


def test_no_template_has_inline_script():
    """The policy allows scripts from /static only: an inline <script> or on…= handler would
    silently stop working in the browser."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for m in inline_script.finditer(text)]
        found += [f"{path.name}: {m.group(0)}" for m in handler.finditer(text)]
        found += [f"{path.name}: javascript:" for _ in re.finditer(r"javascript:", text)]
    assert found == []


def test_session_cookie_is_secure_over_https(app, world):
    http = TestClient(app, base_url="https://testserver")
    r = http.post("/api/v1/auth/login", json={"username": "info_viewer@36", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "tmis_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert r.headers.get("strict-transport-security", "").startswith("max-age=")
    plain = Client(app).post("/api/v1/auth/login", json={"username": "info_viewer@36", "password": PASSWORD})
    assert "Secure" not in plain.headers["set-cookie"]


@pytest.mark.parametrize("trusted,secure", [(("127.0.0.1",), True), ((), False), (("10.0.0.0/8",), False)])
def test_session_cookie_is_secure_behind_a_trusted_proxy_that_says_https(db_url, world, trusted, secure):
    app = create_app(make_settings(db_url, trusted_proxies=trusted))
    try:
        with _serve(app) as base:
            r = httpx.post(f"{base}/api/v1/auth/login", json={"username": "info_viewer@36", "password": PASSWORD},
                           headers={"x-forwarded-proto": "https"})
            assert r.status_code == 200
            assert ("Secure" in r.headers["set-cookie"]) is secure
            assert ("strict-transport-security" in r.headers) is secure
    finally:
        app.state.ctx.engine.dispose()
