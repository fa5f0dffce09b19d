"""Shared helpers for pages: the template context (language, who is signed in)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from web.deps import lang_of
from web.principal import Principal

ENTRIES = {"admin": "/admin/login", "teacher": "/teacher/login"}


def entry_of_path(path: str) -> str:
    return "teacher" if path.startswith("/teacher") else "admin"


def render(request: Request, name: str, *, me: Principal | None = None, status_code: int = 200,
           **context: Any) -> Template:
    lang = lang_of(request)
    response = Template(template_name=name, context={"lang": lang, "me": me, "path": request.url.path, **context},
                        status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("tmis_lang", lang, samesite="lax", path="/")
    return response
