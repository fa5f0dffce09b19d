"""Response headers every answer carries (issue 14, finding 11), in one ASGI middleware.

- ``Content-Security-Policy``: scripts only from this site (``/static``: htmx is vendored, the
  page scripts are files; no inline script or ``on…=`` handler anywhere), no framing, forms post
  only here, no plugins. Inline ``style`` attributes stay allowed (htmx adds an indicator style);
  they run no code. ``/schema`` (the OpenAPI viewer) is left to its own page.
- ``X-Frame-Options: DENY`` (older browsers), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``, ``Permissions-Policy`` (no camera, microphone, location).
- ``Cache-Control: no-store`` on every answer that is not a static file (pages, API, exports all may
  carry personal data) unless the handler chose its own; ``Strict-Transport-Security`` over HTTPS.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
       "object-src 'none'")
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000"
STATIC = "/static/"
OWN_PAGE = ("/schema",)  # the OpenAPI viewer: its own policy, SCHEMA_CSP
# Redoc (vendored, web/openapi.py) starts from an inline script and runs a worker from a blob; nothing
# leaves this site (its sidebar logo on a CDN is blocked and hidden), so /schema works offline
SCHEMA_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; "
              "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
              "frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: runs for every answer, refusals and 404s included."""
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    path: str = scope["path"]
    headers = MutableScopeHeaders.from_message(message)
    for key, value in ALWAYS.items():
        headers[key] = value
    headers["content-security-policy"] = SCHEMA_CSP if path.startswith(OWN_PAGE) else CSP
    if not path.startswith(STATIC) and "cache-control" not in headers:
        headers["cache-control"] = "no-store"
    if scope.get("scheme") == "https":
        headers["strict-transport-security"] = HSTS
