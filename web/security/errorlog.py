"""What the framework refuses, and what nobody foresaw, answered like every other refusal.

- ``ValidationException`` (a body or parameter that does not fit its declared type): W933 naming
  the parameter or field, where it was sent and, as specifically in Chinese as in English, what
  kind of value is expected (web/security/wording.py; never "ParamType.QUERY" or "int | null");
- the framework's other HTTP errors by status (STATUS_CODES: 404 W936, 405 W937, 413 W938, or W730 naming the limit a page's upload form states, 415
  W940, any other 4xx W933), in the refusal JSON shape for the API and on the error page for pages;
- a form field the framework cannot decode (``UnicodeDecodeError``): 400 W933;
- a value the database cannot store (``DataError``, ``OverflowError``; web/db/guard.py stops the
  usual ones before the database sees them): 422 W939, logged as a warning with its traceback;
- anything else: 500 W935 with a reference number, logged at ERROR with the traceback.

The log names the method, the path (never the query: searches may carry ID numbers) and the
reference; statements are logged without their bound values, database ``DETAIL`` lines (which
quote the offending key) are dropped and anything shaped like an ID or phone number is masked.
The request body is never read for the log.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from typing import Any, Callable

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DataError, StatementError

from web.errors import (W_FIELD_BAD, W_MEDIA, W_METHOD, W_NO_PATH, W_NOT_SIGNED_IN, W_SERVER, W_STORE_RANGE,
                        W_TOO_LARGE, W_UPLOAD_TOO_LARGE, Refusal)
from web.security import wording

log = logging.getLogger("tmis.errors")

STORAGE_RANGE = (DataError, OverflowError)


def _translate(message: str, source: str = "") -> tuple[str, str]:
    return wording.translate(message, source)


def validation_refusal(exc: ValidationException) -> Refusal:
    """W933 naming the parameter or field, where it was sent and what kind of value is expected,
    as specifically in Chinese as in English (web/security/wording.py)."""
    extra = exc.extra if isinstance(exc.extra, list) and exc.extra else [{"message": str(exc.detail)}]
    first = extra[0] if isinstance(extra[0], dict) else {"message": str(extra[0])}
    where_zh, where_en = wording.where(first)
    zh, en = _translate(str(first.get("message", "")), wording.source_of(first))
    return Refusal(W_FIELD_BAD, where=where_zh, where_en=where_en, detail=zh, detail_en=en)


def _upload_limit(request: Request) -> str:
    """The upload limit a page's form states (its route's ``opt={"upload_limit": "5 MB"}``), or ""."""
    handler = request.scope.get("route_handler")
    opt = getattr(handler, "opt", None) or {}
    return str(opt.get("upload_limit") or "")[:20]


def _http_refusal(request: Request, exc: HTTPException) -> Refusal:
    if isinstance(exc, ValidationException):
        return validation_refusal(exc)
    status = exc.status_code
    if status == 401:
        return Refusal(W_NOT_SIGNED_IN)
    if status == 404:
        return Refusal(W_NO_PATH, path=request.url.path[:200])
    if status == 405:
        allowed = (exc.headers or {}).get("allow", "")
        return Refusal(W_METHOD, method=request.method, allowed=allowed or "—")
    if status == 413:
        limit = _upload_limit(request)
        return Refusal(W_UPLOAD_TOO_LARGE, limit=limit) if limit else Refusal(W_TOO_LARGE)
    if status == 415:
        return Refusal(W_MEDIA, media=request.headers.get("content-type", "")[:80] or "—")
    zh, en = _translate(str(exc.detail))
    return Refusal(W_FIELD_BAD, where="", where_en="", detail=zh, detail_en=en)


# ---------------------------------------------------------------- logging without personal data

_DETAIL_LINE = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{5,11}([\dXx]?)(?![0-9A-Za-z])")


def _hide_parameters(exc: BaseException | None, seen: set[int] | None = None) -> None:
    seen = seen if seen is not None else set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, StatementError):
            exc.hide_parameters = True
        _hide_parameters(exc.__cause__, seen)
        exc = exc.__context__


def redacted_traceback(exc: BaseException) -> str:
    _hide_parameters(exc)
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    text = _DETAIL_LINE.sub("DETAIL: (hidden)", text)
    return _ID_LIKE.sub(lambda m: m.group(1) + "*" * 8, text)


def log_error(request: Request, exc: BaseException, ref: str, level: int) -> None:
    log.log(level, "%s %s failed (ref %s)\n%s", request.method, request.url.path, ref, redacted_traceback(exc))


# ---------------------------------------------------------------- the handlers

def make_handlers(answer: Callable[[Request, Refusal], Response]) -> dict[Any, Callable[[Request, Any], Response]]:
    """Exception handlers for ``Litestar(exception_handlers=…)``; ``answer`` renders a refusal
    (JSON for the API, the error page for pages: web/app.py's ``refusal_handler``)."""

    def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code >= 500:
            return server_error(request, exc)
        return answer(request, _http_refusal(request, exc))

    def server_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, UnicodeDecodeError):  # a form field that is not UTF-8 (the framework decodes it)
            return answer(request, Refusal(W_FIELD_BAD, where="", where_en="", detail="表单或文件名不是 UTF-8 编码的文本",
                                           detail_en="a form field or file name is not UTF-8 text"))
        ref = secrets.token_hex(4)
        if isinstance(exc, STORAGE_RANGE):
            log_error(request, exc, ref, logging.WARNING)
            return answer(request, Refusal(W_STORE_RANGE))
        log_error(request, exc, ref, logging.ERROR)
        return answer(request, Refusal(W_SERVER, ref=ref))

    return {HTTPException: http_error, Exception: server_error}
