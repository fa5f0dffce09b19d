"""CSRF protection of the pages, bound to the session (issue 14, finding 11).

A page's token is ``HMAC(secret key, what it is bound to)``: the signed-in session (the SHA-256
of the session cookie, as the sessions table keeps it) or, before sign-in, a random value in the
``tmis_csrf`` cookie. A form (hidden ``_csrf_token``) or an htmx request (``x-csrftoken``
header) must carry the token of *this* session. A token/cookie pair taken from another session and
planted in a browser is refused, unlike a double-submit cookie, which only checks that the two
match each other; without the secret key no one can make a token for a session they do not hold.

The JSON API is not handled here (see web/app.py ``api_csrf_guard``): cookie-signed API writes must
be JSON or carry ``x-csrftoken``, which a cross-site form cannot send.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

ANON_COOKIE = "tmis_csrf"
FIELD = "_csrf_token"
HEADER = "x-csrftoken"
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
EXCLUDE = ("/api/", "/schema", "/static/")


def token_for(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def _cookies(scope: Scope) -> dict[str, str]:
    from http.cookies import SimpleCookie

    out: dict[str, str] = {}
    for key, value in scope.get("headers", ()):
        if key.lower() == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: treat as none
                continue
            out.update({k: m.value for k, m in jar.items()})
    return out


def session_csrf_middleware(secret: str, session_cookie: str) -> Any:
    """ASGI middleware factory (for ``Litestar(middleware=[…])``)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP or scope["path"].startswith(EXCLUDE):
                await app(scope, receive, send)
                return
            cookies = _cookies(scope)
            session = cookies.get(session_cookie)
            nonce = cookies.get(ANON_COOKIE)
            new_nonce = None
            if session:
                binding = "s:" + hashlib.sha256(session.encode()).hexdigest()
            else:
                if not nonce:
                    nonce = new_nonce = secrets.token_urlsafe(24)
                binding = "a:" + nonce
            expected = token_for(secret, binding)
            if scope["method"] not in SAFE:
                submitted = await _submitted(scope, receive)
                if not submitted or not hmac.compare_digest(submitted, expected):
                    raise PermissionDeniedException("CSRF token verification failed")
            ScopeState.from_scope(scope).csrf_token = expected
            if new_nonce is None:
                await app(scope, receive, send)
                return

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    https = scope.get("scheme") == "https"
                    cookie = Cookie(key=ANON_COOKIE, value=new_nonce, path="/", httponly=True,
                                    samesite="lax", secure=https)
                    MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
                await send(message)

            await app(scope, receive, send_with_cookie)
        return middleware
    return factory


async def _submitted(scope: Scope, receive: Receive) -> str | None:
    from litestar import Request

    request: Request = scope["litestar_app"].request_class(scope=scope, receive=receive)
    token = request.headers.get(HEADER)
    if token:
        return token
    content_type = request.content_type[0]
    if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        form = await request.form()  # cached in the scope: the handler reads it again for free
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    return None
