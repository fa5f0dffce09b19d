"""Helpers shared by the administration pages: form reading, running service calls off the event
loop with one commit or rollback, and redirects that carry a short message."""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import quote

import anyio
from litestar import Request
from litestar.response import Redirect
from sqlalchemy.orm import Session

from web.deps import run_unit_of_work

Form = dict[str, list[str]]
PAGE = 50


async def read_form(request: Request) -> tuple[Form, dict[str, bytes]]:
    """Text fields (repeated keys kept) and uploaded files' contents."""
    data = await request.form()
    fields: Form = {}
    files: dict[str, bytes] = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
        elif hasattr(value, "read"):
            files[key] = await value.read()
    return fields, files


def one(form: Form, key: str, default: str = "") -> str:
    return (form.get(key) or [default])[0].strip()


def page_of(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        return 1


run = run_unit_of_work  # the pages' name for it


async def show(fn: Callable[[], Any]) -> Any:
    """Render (reads only) in a worker thread."""
    return await anyio.to_thread.run_sync(fn)


def back(url: str, msg: str) -> Redirect:
    sep = "&" if "?" in url else "?"
    return Redirect(path=f"{url}{sep}msg={quote(msg)}", status_code=303)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(filename: str) -> dict[str, str]:
    return {"content-disposition": f"attachment; filename=\"{filename}\""}


def page(request: Request, db: Session, name: str, *, me: Any, status_code: int = 200, **context: Any) -> Any:
    """``web.pages.common.render`` plus the signed-in account's own unit (for the menu)."""
    from web.db.models import Unit
    from web.pages.common import render

    return render(request, name, me=me, me_unit=db.get(Unit, me.unit_id), status_code=status_code, **context)
