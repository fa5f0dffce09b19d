"""Conditions of a set's fields in words, for the people who fill a template.

``record.nationality == "156"`` becomes 「国籍/地区」为「中国」 / "国籍/地区 (Nationality) is 中国".
Only the shapes the catalogues use are worded, one entry each in ``_SHAPES``: a field compared
with a value, one of several values, a yes/no field, and both or either of two such conditions.
Anything else gives None, and the caller says "in some cases" as before.
"""

from __future__ import annotations

from typing import Any, Callable

from engine import celfast as F
from engine.validate import FieldView, SetView

Words = tuple[str, str]  # Chinese, English


def describe(src: str, view: SetView) -> Words | None:
    """The condition ``src`` (CEL over ``record``) in words, or None when it is not a simple one."""
    try:
        tree = F.parse(src)
    except (F.CelSyntaxError, RecursionError):
        return None
    fields = {f.key: f for f in view.fields}
    return _words(tree, fields)


def _words(node: tuple[Any, ...], fields: dict[str, FieldView]) -> Words | None:
    shape = _SHAPES.get(node[0] if node[0] != "binary" else f"binary {node[1]}")
    return shape(node, fields) if shape is not None else None


def _field(node: tuple[Any, ...], fields: dict[str, FieldView]) -> FieldView | None:
    """The field ``record.<key>`` names, if ``node`` is that."""
    if node[0] == "select" and node[1] == ("ident", "record"):
        return fields.get(node[2])
    return None


def _value(f: FieldView, node: tuple[Any, ...]) -> str | None:
    """A literal as the template shows it: a code by its label, a yes/no as 是/否."""
    if node[0] != "lit":
        return None
    value = node[1]
    if isinstance(value, bool):
        return "是" if value else "否"
    if f.codes is not None:  # a code by its label; one the table lacks is not worded
        return f.codes.cell_text(value) if isinstance(value, str) and value in f.codes.by_code else None
    return None if value is None else str(value)


def _is(f: FieldView, values: list[str], negated: bool = False, en_values: list[str] | None = None) -> Words:
    """「label」为「v1」或「v2」 / label (Label) is v1 or v2 (``en_values``: how English says them)."""
    zh = f"「{f.label('zh')}」{'不为' if negated else '为'}「{'」或「'.join(values)}」"
    en = f"{f.label('zh')} ({f.label('en')}) is {'not ' if negated else ''}{' or '.join(en_values or values)}"
    return zh, en


def _compared(negated: bool) -> Callable[[tuple[Any, ...], dict[str, FieldView]], Words | None]:
    def word(node: tuple[Any, ...], fields: dict[str, FieldView]) -> Words | None:
        f = _field(node[2], fields)
        value = _value(f, node[3]) if f is not None else None
        return _is(f, [value], negated) if f is not None and value is not None else None
    return word


def _one_of(node: tuple[Any, ...], fields: dict[str, FieldView]) -> Words | None:
    f = _field(node[2], fields)
    if f is None or node[3][0] != "list":
        return None
    values = [_value(f, item) for item in node[3][1]]
    if not values or None in values:
        return None
    return _is(f, values)  # type: ignore[arg-type]


def _flag(yes: bool) -> Callable[[tuple[Any, ...], dict[str, FieldView]], Words | None]:
    """``record.x`` (yes) or ``!record.x`` (no) of a yes/no field."""
    def word(node: tuple[Any, ...], fields: dict[str, FieldView]) -> Words | None:
        if not yes and node[1] != "!":
            return None
        f = _field(node if yes else node[2], fields)
        if f is None or f.spec.type != "boolean":
            return None
        return _is(f, ["是" if yes else "否"], en_values=["是 (yes)" if yes else "否 (no)"])
    return word


def _both(zh: str, en: str) -> Callable[[tuple[Any, ...], dict[str, FieldView]], Words | None]:
    def word(node: tuple[Any, ...], fields: dict[str, FieldView]) -> Words | None:
        left, right = _words(node[1], fields), _words(node[2], fields)
        if left is None or right is None:
            return None
        return f"{left[0]}{zh}{right[0]}", f"{left[1]} {en} {right[1]}"
    return word


_SHAPES: dict[str, Callable[[tuple[Any, ...], dict[str, FieldView]], Words | None]] = {
    "binary ==": _compared(False),
    "binary !=": _compared(True),
    "binary in": _one_of,
    "select": _flag(True),
    "unary": _flag(False),
    "and": _both("且", "and"),
    "or": _both("或", "or"),
}
