"""Malformed input stops at the edge with a catalogue message (issue 14, finding 8).

One check for every route, before any handler, service or database sees the request:

- no NUL character anywhere a string can travel: the path, the query, a JSON body (any string,
  any key, any depth), an urlencoded form (PostgreSQL refuses NUL in text and JSON; a NUL is never
  data a person typed);
- integers within their columns: every ``int`` path or query parameter (read from the handler's
  own signature, so a new route is covered without being named here) within INT32, every
  integer in a JSON body within ±(2**53 − 1) (I-JSON, RFC 7493); body fields that hold ids use
  :data:`Int32` (web/api and web/review declare them so);
- a JSON body nests at most :data:`MAX_DEPTH` levels and parses (not 10,000 nested arrays);

then the answers of everything the framework itself refuses (a body that does not fit the
declared type, an unknown path or method, a body too large) are catalogue refusals of the same
JSON shape as every other (``web.errors.Refusal.as_json``), and an error nobody foresaw is a 500
with a reference number, logged once with its traceback but without the request's body, query or
any value bound to a database statement (web/security/errorlog.py).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Callable
from urllib.parse import parse_qsl

import msgspec
from litestar import Request

from web.errors import (W_FIELD_BAD, W_INT_RANGE, W_JSON_BAD, W_NUL, Refusal)

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
JSON_INT_MAX = 2**53 - 1
MAX_DEPTH = 32

# a body field that names a row (teacher, case, record, version): the range of the column
Int32 = Annotated[int, msgspec.Meta(ge=INT32_MIN, le=INT32_MAX)]

# ---------------------------------------------------------------- the checks

def _no_nul(value: str, where: str, where_en: str | None = None) -> None:
    if "\x00" in value:
        raise Refusal(W_NUL, where=where, where_en=where_en or where)


def _int_in_range(value: int, field: str, low: int = INT32_MIN, high: int = INT32_MAX) -> None:
    if not low <= value <= high:
        raise Refusal(W_INT_RANGE, field=field, low=low, high=high)


def _int_kinds(definition: Any) -> tuple[bool, bool]:
    """(is an int parameter, is a collection of ints) from a handler parameter's type."""
    def plain_int(t: Any) -> bool:
        return t is int

    ann = definition.annotation
    inner = [t.annotation for t in definition.inner_types] if definition.inner_types else []
    if plain_int(ann) or (definition.is_optional and any(plain_int(t) for t in inner)):
        return True, False
    if definition.is_non_string_collection and any(plain_int(t) for t in inner):
        return False, True
    return False, False


def _query_ints(request: Request) -> dict[str, tuple[bool, bool]]:
    handler = request.scope.get("route_handler")
    if handler is None:
        return {}
    out: dict[str, tuple[bool, bool]] = {}
    for name, definition in handler.parsed_fn_signature.parameters.items():
        kinds = _int_kinds(definition)
        if not any(kinds):
            continue
        alias = getattr(definition.kwarg_definition, "query", None) if definition.kwarg_definition else None
        out[alias or name] = kinds
    return out


def check_path_and_query(request: Request) -> None:
    _no_nul(request.scope.get("path", ""), "地址", "the address")
    for key, value in request.path_params.items():
        if isinstance(value, str):
            _no_nul(value, f"地址中的「{key}」", f"'{key}' in the address")
        elif isinstance(value, int) and not isinstance(value, bool):
            _int_in_range(value, key)
    ints = _query_ints(request)
    for key, value in request.query_params.multi_items():
        _no_nul(key + value, f"查询参数「{key}」", f"the query parameter '{key}'")
        if key in ints and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            digits = value.strip().lstrip("+-").lstrip("0")
            # past 20 digits no column holds it (and int() refuses 4300 or more: a 500)
            _int_in_range(int(value) if len(digits) <= 20 else INT32_MAX + 1, key)


def _walk(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Refusal(W_JSON_BAD, detail=f"嵌套超过 {MAX_DEPTH} 层", detail_en=f"nested more than {MAX_DEPTH} levels",
                      depth=MAX_DEPTH)
    if isinstance(value, str):
        _no_nul(value, f"字段「{path or '请求体'}」", f"the field '{path or 'body'}'")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -JSON_INT_MAX <= value <= JSON_INT_MAX:
            raise Refusal(W_INT_RANGE, field=path or "body", low=-JSON_INT_MAX, high=JSON_INT_MAX)
    elif isinstance(value, dict):
        for k, v in value.items():
            _no_nul(k, f"字段名「{path}」", f"a field name under '{path}'")
            _walk(v, f"{path}.{k}" if path else k, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, f"{path}[{i}]", depth + 1)


_DEPTH_SCAN = re.compile(rb"[\[\]{}\"\\]")


def _too_deep(raw: bytes) -> bool:
    """Nesting deeper than MAX_DEPTH, found by a linear scan before any parser recurses."""
    depth, in_string, skip = 0, False, -1
    for m in _DEPTH_SCAN.finditer(raw):
        i = m.start()
        if i == skip:  # the character after a backslash
            continue
        ch = raw[i]
        if in_string:
            if ch == 0x5C:
                skip = i + 1
            elif ch == 0x22:
                in_string = False
        elif ch == 0x22:
            in_string = True
        elif ch in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


async def check_body(request: Request) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        raw = await request.body()
        if not raw.strip():
            return
        if _too_deep(raw):
            raise Refusal(W_JSON_BAD, detail=f"嵌套超过 {MAX_DEPTH} 层", detail_en=f"nested more than {MAX_DEPTH} levels",
                          depth=MAX_DEPTH)
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            from web.security.wording import json_error

            zh, en = json_error(_short(exc))
            raise Refusal(W_JSON_BAD, detail=zh, detail_en=en, depth=MAX_DEPTH) from None
        _walk(parsed, "", 0)
    elif media == "application/x-www-form-urlencoded":
        raw = await request.body()
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise Refusal(W_FIELD_BAD, where="", where_en="", detail="表单不是 UTF-8 编码",
                          detail_en="the form is not UTF-8") from None
        for key, value in pairs:
            _no_nul(key + value, f"表单字段「{key}」", f"the form field '{key}'")


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


async def edge_guard(request: Request) -> None:
    """``before_request`` of every route: see the module docstring."""
    check_path_and_query(request)
    await check_body(request)


def as_int(text: Any) -> int | None:
    """A form field or header as an id: ASCII digits within INT32, else None. (``str.isdigit``
    also takes ² and other digits ``int`` refuses, and any length.)"""
    value = str(text).strip() if text is not None else ""
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if number <= INT32_MAX else None


def chain(*hooks: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """One ``before_request`` made of several (sync or async); the first answer wins."""
    import inspect

    async def run(request: Request) -> Any:
        for hook in hooks:
            out = hook(request)
            if inspect.isawaitable(out):
                out = await out
            if out is not None:
                return out
        return None
    return run
