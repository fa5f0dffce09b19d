"""The OpenAPI document tells the truth about the answers (issue 14 finding 12), and /schema works
offline (issue 20 point 15): Redoc is served from this site, and so is the favicon."""

from __future__ import annotations

import pytest

from web.openapi import ERROR_STATUSES, MEDIA, XLSX, ZIP


@pytest.fixture(scope="module")
def document(app, world) -> dict:
    from tests.web.conftest import Client

    r = Client(app).get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield method, path, op


def test_every_operation_documents_the_refusals_in_their_real_shape(document) -> None:
    refusal = document["components"]["schemas"]["Refusal"]
    assert set(refusal["required"]) == {"code", "message"}
    for method, path, op in _operations(document):
        for status in ERROR_STATUSES:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Refusal"}, (method, path, status)
        # the framework's own 400 body (status_code, detail, extra) is never sent, so never documented
        assert "ValidationException" not in str(op["responses"]["400"])


def test_a_refusal_has_the_documented_shape(as_user, document) -> None:
    import fastjsonschema

    schema = {**document["components"]["schemas"]["Refusal"], "components": document["components"]}
    check = fastjsonschema.compile(schema)
    c = as_user("info_manager@3601020001")
    for r in (c.get("/api/v1/teachers/999999"), c.get("/api/v1/no-such-path"), c.get("/api/v1/teachers?limit=x"),
              c.post("/api/v1/review/cases/approve", json={"versions": {"x": 1}})):
        assert r.status_code in (400, 404)
        check(r.json())
        assert str(r.status_code) in document["paths"].get(r.request.url.path, {"x": {"responses": ERROR_STATUSES}}
                                                          ).get("get", {"responses": ERROR_STATUSES})["responses"]


def test_files_are_declared_with_their_media_types(document) -> None:
    for (method, path), media in MEDIA.items():
        ok = document["paths"][path][method]["responses"]["200"]["content"]
        assert set(ok) == set(media), (method, path)
    assert set(document["paths"]["/api/v1/exports"]["post"]["responses"]["200"]["content"]) == {XLSX, ZIP}


def test_the_teacher_accounts_export_answers_the_documented_media_type(as_user, document) -> None:
    r = as_user("system_admin@3601020001").get("/api/v1/teacher-accounts/export", params={"unit": "3601020001"})
    assert r.status_code == 200
    declared = document["paths"]["/api/v1/teacher-accounts/export"]["get"]["responses"]["200"]["content"]
    assert r.headers["content-type"].split(";")[0] in declared


def test_schema_page_loads_the_viewer_from_this_site_and_the_favicon_is_served(app, world) -> None:
    from tests.web.conftest import Client

    c = Client(app)
    page = c.get("/schema").text
    assert 'src="/static/vendor/redoc-2.5.4.standalone.js"' in page
    assert "cdn." not in page and "fonts.googleapis" not in page
    js = c.get("/static/vendor/redoc-2.5.4.standalone.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    icon = c.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon" and icon.content[:4] == b"\x00\x00\x01\x00"


@pytest.mark.browser
def test_schema_renders_offline_in_a_browser(app, world) -> None:
    """Chromium with every request outside this site blocked: Redoc still renders the API."""
    from tests.web.conftest import require_chromium
    from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, serve(app) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            outside: list[str] = []

            def route(r):
                if r.request.url.startswith(base):
                    return r.continue_()
                outside.append(r.request.url)
                return r.abort()
            page.route("**/*", route)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/schema")
            page.wait_for_selector("text=tmis API", timeout=20_000)
            page.wait_for_selector("text=Refusal", timeout=20_000)
            assert errors == [] and outside == []
        finally:
            browser.close()
