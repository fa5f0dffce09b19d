"""The national tier never writes province data (issue 19): a ``before_request`` that refuses every
state-changing request except signing in and out, the account's own password, and the national
tier's own work (its duplicates queue and identifiers: /national, /api/v1/national). The database
refuses too: ``tmis tier grant-app-role`` gives the app's role SELECT only on province data."""

from __future__ import annotations

from typing import Any, Callable

from litestar import Request

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# what a national account may still send (exact paths, or prefixes ending in /)
ALLOWED = ("/admin/login", "/teacher/login", "/logout", "/account/password",
           "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/password",
           "/national/", "/api/v1/national/")


def allowed(path: str) -> bool:
    return any(path == a or (a.endswith("/") and path.startswith(a)) for a in ALLOWED)


def national_write_guard(settings: Any) -> Callable[[Request], None]:
    national = getattr(settings, "tier", "province") == "national"

    def guard(request: Request) -> None:
        if not national or request.method not in UNSAFE or allowed(request.url.path):
            return
        from web.errors import Refusal
        from web.tier.errors import W_NATIONAL_READ_ONLY

        raise Refusal(W_NATIONAL_READ_ONLY, path=request.url.path)
    return guard
