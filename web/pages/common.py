"""Shared helpers for pages: the template context (language, who is signed in)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from litestar import Request
from litestar.response import Template

from web.deps import lang_of
from web.principal import Principal

ENTRIES = {"admin": "/admin/login", "teacher": "/teacher/login"}


def entry_of_path(path: str) -> str:
    return "teacher" if path.startswith("/teacher") else "admin"


def lang_href(request: Request, lang: str) -> str:
    """The header's language switch (base.html): on a page answering a GET, the same address with
    ``?lang=``. A page answering a POST (a form shown again with its message, an error page) has an
    address that takes no GET (405), so the switch leads to the page the form was sent from (the
    Referer: this site's own path, another one than this, that takes a GET), else the start page."""
    other = "zh" if lang == "en" else "en"
    if request.method in ("GET", "HEAD"):
        return f"?lang={other}"
    ref = urlsplit(request.headers.get("referer") or "")
    path: str = "/"
    query: list[tuple[str, str]] = []
    if (ref.scheme in ("http", "https") and ref.netloc == request.headers.get("host", "")
            and ref.path.startswith("/") and not ref.path.startswith("//")
            and ref.path.rstrip("/") != request.url.path.rstrip("/") and _takes_get(request, ref.path)):
        path = ref.path
        query = [(k, v) for k, v in parse_qsl(ref.query, keep_blank_values=True) if k != "lang"]
    return f"{quote(path)}?{urlencode(query + [('lang', other)])}"


def _takes_get(request: Request, path: str) -> bool:
    try:
        request.app.asgi_router.handle_routing(path.rstrip("/") or "/", "GET")
    except Exception:  # no such address, or not by GET
        return False
    return True


def render(request: Request, name: str, *, me: Principal | None = None, status_code: int = 200,
           **context: Any) -> Template:
    lang = lang_of(request)
    response = Template(template_name=name, context={"lang": lang, "me": me, "path": request.url.path,
                                                     "lang_href": lang_href(request, lang), **context},
                        status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("tmis_lang", lang, samesite="lax", path="/")
    return response
