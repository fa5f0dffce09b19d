"""The OpenAPI document, true to what the server answers (issue 14 finding 12, issue 20 point 15).

The framework documents each operation from its signature; what it cannot see is added here, once,
for every operation:

- every refusal is ``Refusal`` (web/errors.py ``Refusal.as_json``: code, message, message_en, hint,
  hint_en, args; the forms' and imports' refusals add their own fields beside these), under the
  statuses any API route can answer (ERROR_STATUSES: the edge's 400/413/415, sign-in 401,
  permission 403, not found 404, conflicts 409, invalid data 422, a missing version 428, too many
  sign-ins 429, the 500 with a reference number); the framework's own ``400`` body (status_code,
  detail, extra) is never sent (web/security/errorlog.py) and so not documented;
- the success statuses a handler chooses at run time (SUCCESS) and the media types of the files
  it answers with (MEDIA: xlsx, zip), where the signature says only ``Response``.

``/schema`` is Redoc, vendored under web/static/vendor (no CDN, no web fonts: it works offline);
``/favicon.ico`` is served (browsers ask for it on every page).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any

from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin
from litestar.response import File

STATIC = Path(__file__).resolve().parent / "static"
REDOC = "/static/vendor/redoc-2.5.4.standalone.js"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"

REFUSAL = {
    "type": "object",
    "description": "A refusal: a catalogue code, the message in Chinese and English and how to fix it "
                   "(web/errors.py). Some carry more fields: the forms' errors and warnings, a conflict's "
                   "current values, an import's problems.",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "examples": ["W402"]},
        "message": {"type": "string"},
        "message_en": {"type": "string"},
        "hint": {"type": "string"},
        "hint_en": {"type": "string"},
        "args": {"type": "object"},
    },
}

ERROR_STATUSES = {
    "400": "Malformed request: a NUL character, a number out of range, a body that does not fit (W930–W933)",
    "401": "Not signed in (W105), or a wrong password (W101)",
    "403": "Not allowed (scope, role, CSRF, a locked or disabled account)",
    "404": "No such thing within your scope",
    "409": "A conflict: taken, changed meanwhile (with the current version), a state that forbids it",
    "413": "The request or upload is too large (W938)",
    "415": "Unsupported request content type (W940)",
    "422": "Invalid data (the message says which field and why)",
    "428": "The write must name the version it read (If-Match or version)",
    "429": "Too many sign-in attempts at once (W113)",
    "500": "Server error (W935), with a reference number for the administrator",
}

# (method, path) → success statuses chosen at run time
SUCCESS: dict[tuple[str, str], tuple[str, ...]] = {
    ("post", "/api/v1/auth/login"): ("200",),
    ("post", "/api/v1/teacher-accounts/import"): ("200", "202"),
    ("post", "/api/v1/teachers/{tid}/sets/{set_key}"): ("200", "201"),
}

# (method, path) → media types of the success answer (files)
MEDIA: dict[tuple[str, str], tuple[str, ...]] = {
    ("get", "/api/v1/teacher-accounts/export"): (XLSX,),
    ("get", "/api/v1/teacher-accounts/imports/{job_id}/report"): (XLSX,),
    ("get", "/api/v1/imports/{job_id}/report"): (XLSX,),
    ("get", "/api/v1/template"): (XLSX,),
    ("post", "/api/v1/exports"): (XLSX, ZIP),
}

METHODS = ("get", "put", "post", "delete", "patch")


def config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="tmis API", version="1", path="/schema",
        description="Teacher Management Information System, JSON API v1. Every refusal has the shape "
                    "`Refusal`: a catalogue code and the message in Chinese and English.",
        render_plugins=[RedocRenderPlugin(js_url=REDOC, google_fonts=False, path="/",
                                          favicon='<link rel="icon" href="/static/favicon.svg">')],
    )


def _success(op: dict[str, Any], method: str, path: str) -> None:
    responses = op.setdefault("responses", {})
    wanted = SUCCESS.get((method, path))
    ok = [s for s in responses if s.startswith("2")]
    if wanted:
        template = responses.get(ok[0]) if ok else {"description": "OK"}
        for s in ok:
            if s not in wanted:
                del responses[s]
        for s in wanted:
            responses.setdefault(s, {**template, "description": HTTPStatus(int(s)).phrase})
    media = MEDIA.get((method, path))
    if media:
        for s in [s for s in responses if s.startswith("2")]:
            responses[s] = {"description": responses[s].get("description") or "A file",
                            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media}}


def true_to_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the refusals and the run-time successes to every operation (in place, once)."""
    if schema.get("x-tmis-responses"):
        return schema
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Refusal"] = REFUSAL
    ref = {"$ref": "#/components/schemas/Refusal"}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            _success(op, method, path)
            responses = op["responses"]
            for status, description in ERROR_STATUSES.items():
                responses[status] = {"description": description, "content": {"application/json": {"schema": ref}}}
    schema["x-tmis-responses"] = True
    return schema


def install(app: Litestar) -> None:
    """Post-process the document the framework builds (served at /schema/openapi.json and by Redoc):
    the app's OpenAPI plugin becomes one that adds the refusals when it first builds the document."""
    from litestar._openapi.plugin import OpenAPIPlugin

    class TrueOpenAPIPlugin(OpenAPIPlugin):
        __slots__ = ()

        def provide_openapi_schema(self) -> dict[str, Any]:
            return true_to_responses(super().provide_openapi_schema())

    app.plugins.get(OpenAPIPlugin).__class__ = TrueOpenAPIPlugin


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> File:
    return File(path=STATIC / "favicon.ico", media_type="image/x-icon",
                headers={"cache-control": "public, max-age=86400"})
