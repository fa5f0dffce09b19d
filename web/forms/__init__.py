"""Generated forms for teachers and schools (issue 4): pages, HTMX fragments, the JSON API."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    """The handlers this package adds to the app (registered by ``web.app.create_app``)."""
    from web.forms.pages import FormPages

    handlers: list[Any] = [FormPages]
    for name, attr in (("web.forms.admin", "AdminPages"), ("web.forms.api", "RecordsAPI"),
                       ("web.forms.printing", "PrintPages")):
        try:
            module = __import__(name, fromlist=[attr])
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        handlers.append(getattr(module, attr))
    return handlers
