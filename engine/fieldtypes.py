"""The field-type registry: one entry per type of the YAML language.

Each entry says, for its type: how a person's input (form text, Excel cell, JSON value) becomes
the canonical value stored in a record (``parse``), which structural checks the canonical value
must pass (``check``), its JSON Schema fragment, the Python type of the emitted pydantic model,
the constraints it accepts and the format shown in Excel headers. Adding a type = adding one entry.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from engine import errors as E

# A parse result: (value, None) or (None, (code, args)).
Failure = tuple[str, dict[str, Any]]
Parsed = tuple[Any, Failure | None]

_YM = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_COMPACT_YM = re.compile(r"^\s*(\d{4})(\d{2})\s*$")


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def halfwidth(text: str) -> str:
    """What a person typed into a numeric input, with full-width characters made half-width (NFKC:
    ３ → 3, １２．５ → 12.5, －１ → -1, as a Chinese input method types them) and the spaces around
    it gone: the one place every number typed in a form passes before it is read (the ID number
    has its own: engine.idnumber.normalize)."""
    return unicodedata.normalize("NFKC", text).strip()


def _fmt(expected_zh: str, expected_en: str, example: str) -> dict[str, Any]:
    return {"expected_zh": expected_zh, "expected_en": expected_en, "example": example}


def _date_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _DATE.match(value) or _COMPACT_DATE.match(value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def parse_text(raw: Any, f: Any) -> Parsed:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # Excel gives 123.0 for a cell typed 123
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None, (E.V_FORMAT, _fmt("文本", "text", "张三"))
    return raw.strip(), None


def parse_integer(raw: Any, f: Any) -> Parsed:
    if isinstance(raw, bool):
        return None, (E.V_FORMAT, _fmt("整数", "a whole number", "12"))
    if isinstance(raw, int):
        return raw, None
    if isinstance(raw, float) and raw.is_integer():
        return int(raw), None
    if isinstance(raw, str) and re.fullmatch(r"-?\d+", halfwidth(raw), re.ASCII):
        return int(halfwidth(raw)), None
    return None, (E.V_FORMAT, _fmt("整数", "a whole number", "12"))


def parse_decimal(raw: Any, f: Any) -> Parsed:
    if isinstance(raw, bool):
        return None, (E.V_FORMAT, _fmt("数字", "a number", "3500.50"))
    # + 0.0: -0 is read as 0, so that equal numbers are equal values however they were typed
    if isinstance(raw, (int, float)):
        return float(raw) + 0.0, None
    text = halfwidth(raw).replace(",", "") if isinstance(raw, str) else ""
    if re.fullmatch(r"-?\d+(\.\d+)?", text, re.ASCII):
        return float(text) + 0.0, None
    return None, (E.V_FORMAT, _fmt("数字", "a number", "3500.50"))


def parse_date(raw: Any, f: Any) -> Parsed:
    d = _date_of(raw)
    if d is None:
        return None, (E.V_FORMAT, _fmt("存在的日期（年-月-日）", "a real date (yyyy-MM-dd)", "2008-09-01"))
    return d.isoformat(), None


def parse_year_month(raw: Any, f: Any) -> Parsed:
    d = _date_of(raw)
    if d is not None:
        return f"{d.year:04d}-{d.month:02d}", None
    if isinstance(raw, str):
        m = _YM.match(raw) or _COMPACT_YM.match(raw)
        if m and 1 <= int(m[2]) <= 12:
            return f"{int(m[1]):04d}-{int(m[2]):02d}", None
    # a full date whose day does not exist (2008-09-31) ends here too: the wording covers it
    return None, (E.V_FORMAT, _fmt("年月（年-月，月份为 01–12；写到日的须是真实日期）",
                                   "a year and month (yyyy-MM, month 01–12; with a day, a real date)", "2008-09"))


def parse_year(raw: Any, f: Any) -> Parsed:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\d{4}\s*年?", halfwidth(raw), re.ASCII):
        raw = int(halfwidth(raw).rstrip("年").strip())
    if isinstance(raw, int) and not isinstance(raw, bool) and 1900 <= raw <= 2999:
        return raw, None
    return None, (E.V_FORMAT, _fmt("四位年份", "a four-digit year", "2023"))


_TRUE = {"是", "1", "true", "yes", "y", "t", "是的"}
_FALSE = {"否", "0", "false", "no", "n", "f"}


def parse_boolean(raw: Any, f: Any) -> Parsed:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw), None
    if isinstance(raw, str):
        low = raw.strip().lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
    return None, (E.V_FORMAT, _fmt("是或否", "yes or no", "是"))


def parse_passthrough(raw: Any, f: Any) -> Parsed:
    return raw, None


# Code and codes parsing needs the code table; engine.validate supplies it (see CodeLookup).


@dataclass(frozen=True)
class FieldType:
    name: str
    parse: Callable[[Any, Any], Parsed]
    json: Callable[[Any], dict[str, Any]]
    python: type | str
    constraints: frozenset[str] = frozenset()
    excel_format: str | None = None
    example: str = ""
    zh: str = ""
    en: str = ""
    widget: str = "text"
    stores: tuple[type, ...] = field(default=(str,))


def _text_json(f: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string"}
    if f.max_length:
        out["maxLength"] = f.max_length
    if f.min_length:
        out["minLength"] = f.min_length
    if f.pattern:
        out["pattern"] = f.pattern
    return out


def _number_json(kind: str) -> Callable[[Any], dict[str, Any]]:
    def build(f: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"type": kind}
        if f.min is not None:
            out["minimum"] = int(f.min) if kind == "integer" else f.min
        if f.max is not None:
            out["maximum"] = int(f.max) if kind == "integer" else f.max
        return out
    return build


def _year_json(f: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": int(f.min) if f.min is not None else 1900,
            "maximum": int(f.max) if f.max is not None else 2999}


REGISTRY: dict[str, FieldType] = {t.name: t for t in [
    FieldType("text", parse_text, _text_json, str, frozenset({"max_length", "min_length", "pattern"}),
              None, "张三", "文本", "text", "text"),
    FieldType("integer", parse_integer, _number_json("integer"), int, frozenset({"min", "max"}),
              None, "12", "整数", "whole number", "number", (int,)),
    FieldType("decimal", parse_decimal, _number_json("number"), float, frozenset({"min", "max", "places"}),
              None, "3500.50", "数字", "number", "number", (int, float)),
    FieldType("date", parse_date, lambda f: {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
              str, frozenset(), "yyyy-MM-dd", "2008-09-01", "日期", "date", "date"),
    FieldType("year_month", parse_year_month, lambda f: {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
              str, frozenset(), "yyyy-MM", "2008-09", "年月", "year and month", "year_month"),
    FieldType("year", parse_year, _year_json, int, frozenset({"min", "max"}), "yyyy", "2023", "年份", "year",
              "year", (int,)),
    FieldType("boolean", parse_boolean, lambda f: {"type": "boolean"}, bool, frozenset(), None, "是",
              "是/否", "yes/no", "boolean", (bool,)),
    FieldType("code", parse_passthrough, lambda f: {"type": "string"}, str, frozenset(), None, "",
              "代码", "code", "select"),
    FieldType("codes", parse_passthrough, lambda f: {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
              list, frozenset(), None, "", "多选代码", "codes", "multiselect", (list,)),
    FieldType("photo", parse_text, lambda f: {"type": "string"}, str, frozenset({"photo"}), None, "", "照片", "photo",
              "photo"),
    FieldType("attachment", parse_text, lambda f: {"type": "string"}, str, frozenset(), None, "", "附件",
              "attachment", "file"),
    FieldType("derived", parse_passthrough, lambda f: {}, "Any", frozenset(), None, "", "引用", "derived",
              "readonly", (str, int, float, bool, list)),
]}
