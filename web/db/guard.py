"""Every row is checked against its columns before it is written (issue 14, finding 8).

PostgreSQL refuses a text longer than its ``String(n)``, a NUL character and an integer beyond
its column; SQLite stores all three silently. One ``before_flush`` hook on every session turns
each into the same catalogue refusal on both databases, whatever wrote the row (API, page,
import, command line): W934 names the field and its limit, W930 the NUL, W931 the range.
Labels of the columns people fill come from LABELS; others are named by their column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, String, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from web.errors import Refusal

INT_RANGES = {Integer: (-(2**31), 2**31 - 1), BigInteger: (-(2**63), 2**63 - 1)}

LABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("accounts", "username"): ("用户名", "username"),
    ("accounts", "real_name"): ("真实姓名", "real name"),
    ("accounts", "phone"): ("联系电话", "phone"),
    ("units", "name"): ("单位名称", "unit name"),
    ("units", "code"): ("单位代码", "unit code"),
    ("teachers", "name"): ("姓名", "name"),
    ("teachers", "id_number"): ("身份证件号", "ID number"),
}


def _label(table: str, column: str) -> tuple[str, str]:
    return LABELS.get((table, column), (column, column))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def check_row(obj: Any) -> None:
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        value = getattr(obj, attr.key, None)
        if value is None:
            continue
        table = column.table.name
        zh, en = _label(table, column.key)
        if _has_nul(value):
            raise Refusal("W930", where=f"「{zh}」", where_en=f"'{en}'")
        col_type = column.type
        if isinstance(value, str) and isinstance(col_type, String) and col_type.length and len(value) > col_type.length:
            raise Refusal("W934", field=zh, field_en=en, max=col_type.length, length=len(value))
        if isinstance(value, int) and not isinstance(value, bool):
            for kind, (low, high) in INT_RANGES.items():
                if type(col_type) is kind and not low <= value <= high:
                    raise Refusal("W931", field=zh, low=low, high=high)


def before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        check_row(obj)


def install(maker: sessionmaker) -> sessionmaker:
    event.listen(maker, "before_flush", before_flush)
    return maker
