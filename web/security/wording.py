"""The framework's and the JSON parser's messages in words a person can act on, in Chinese and
English alike (W932, W933): which parameter or field, where it was sent (query, path, body) and
what kind of value is expected ("a whole number", "a date such as 2024-12-31"), never the
framework's internals ("ParamType.QUERY", "expected `int | null`")."""

from __future__ import annotations

import re
from typing import Any

# a type name of the framework → (Chinese, English)
TYPES: dict[str, tuple[str, str]] = {
    "int": ("整数", "a whole number"),
    "float": ("数字", "a number"),
    "decimal": ("数字", "a number"),
    "str": ("文字", "text"),
    "bool": ("true 或 false", "true or false"),
    "object": ("JSON 对象 {…}", "a JSON object {…}"),
    "array": ("列表 […]", "a list […]"),
    "date": ("日期（如 2024-12-31）", "a date such as 2024-12-31"),
    "datetime": ("日期时间（如 2024-12-31T08:00:00）", "a date and time such as 2024-12-31T08:00:00"),
    "time": ("时间（如 08:00）", "a time such as 08:00"),
    "uuid": ("UUID", "a UUID"),
    "bytes": ("文件或 base64 文字", "a file or base64 text"),
}

# where a value was sent (the framework's ParamType or msgspec's source) → (Chinese, English)
SOURCES: dict[str, tuple[str, str]] = {
    "query": ("查询参数", "query parameter"),
    "path": ("路径参数", "path parameter"),
    "header": ("请求头", "header"),
    "cookie": ("Cookie", "cookie"),
    "body": ("请求体字段", "body field"),
}


def kind(expr: str) -> tuple[str, str]:
    """``int | null`` → ("整数（可不填）", "a whole number (or nothing)")."""
    names = [n.strip() for n in expr.split("|") if n.strip()]
    optional = "null" in names or "None" in names
    names = [n for n in names if n not in ("null", "None")] or ["null"]
    zh = "或".join(TYPES.get(n, ("空值 null", "null") if n == "null" else (n, n))[0] for n in names)
    en = " or ".join(TYPES.get(n, ("空值 null", "null") if n == "null" else (n, n))[1] for n in names)
    return (zh + "（可不填）", en + " (or nothing)") if optional else (zh, en)


def source_of(item: dict[str, Any]) -> str:
    """"query", "path", "body" … of a validation error item ("ParamType.QUERY" → "query")."""
    raw = item.get("source")
    value = getattr(raw, "value", raw)
    return str(value or "").rsplit(".", 1)[-1].lower()


def where(item: dict[str, Any]) -> tuple[str, str]:
    """「year」 as a query parameter, a body field at ``$.rows[0].hours``, or the body itself."""
    key = str(item.get("key") or "")
    source = source_of(item)
    at = re.search(r"at `\$([^`]*)`", str(item.get("message", "")))
    inner = (at.group(1) if at else "").strip(".")
    if source == "body" or key == "data":  # the framework names the whole body "data"
        path = inner if key in ("", "data") else (key + ("." + inner if inner else ""))
        if not path:
            return "请求体：", "the request body: "
        return f"请求体字段「{path}」：", f"body field '{path}': "
    path = (key + ("." + inner if inner else "")).strip(".")
    if not path:
        return "", ""
    zh, en = SOURCES.get(source, ("参数", "parameter"))
    return f"{zh}「{path}」：", f"{en} '{path}': "


_MALFORMED = {
    "invalid character": ("有无效字符", "an invalid character"),
    "trailing characters": ("JSON 结束后还有多余的字符", "characters after the end of the JSON"),
    "invalid number": ("数字写法无效", "an invalid number"),
    "invalid escape character in string": ("字符串中有无效的转义符", "an invalid escape in a string"),
    "unexpected character": ("有意外的字符", "an unexpected character"),
}


def _malformed(what: str, byte: str) -> tuple[str, str]:
    zh, en = _MALFORMED.get(what, (None, None))
    if zh is None:
        m = re.fullmatch(r"expected (.+)", what)
        zh, en = (f"此处应为 {m.group(1)}", f"{m.group(1)} was expected") if m else ("格式错误", what)
    return (f"请求体不是有效的 JSON：第 {byte} 个字节处{zh}。接口的请求体须为 JSON（Content-Type: application/json），"
            "不接受表单格式（name=…&…）",
            f"the body is not valid JSON: {en} at byte {byte}. API bodies are JSON (Content-Type: application/json); "
            "form bodies (name=…&…) are not accepted")


# msgspec's and the framework's messages: (pattern, a function of the match → (zh, en))
RULES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"Object missing required field `(?P<a>[^`]+)`"),
     lambda m: (f"缺少必填字段「{m['a']}」", f"the required field '{m['a']}' is missing")),
    (re.compile(r"Object contains unknown field `(?P<a>[^`]+)`"),
     lambda m: (f"有未知字段「{m['a']}」（请删除它）", f"unknown field '{m['a']}' (remove it)")),
    (re.compile(r"Expected `(?P<a>[^`]+)`, got `(?P<b>[^`]+)`"), None),  # needs the source: see translate
    (re.compile(r"Expected `(?P<a>[^`]+)` of length (?P<b>[<>]=?) (?P<c>\d+)"),
     lambda m: (f"长度须 {m['b']} {m['c']}", f"its length must be {m['b']} {m['c']}")),
    (re.compile(r"Expected `(?P<a>[^`]+)` (?P<b>[<>]=?) (?P<c>-?[\d.]+)"),
     lambda m: (f"须 {m['b']} {m['c']}", f"must be {m['b']} {m['c']}")),
    (re.compile(r"Invalid enum value (?P<a>.+)"),
     lambda m: (f"{m['a']} 不是可选值之一", f"{m['a']} is not one of the allowed values")),
    (re.compile(r"Missing required (?P<a>\w+) parameter '?(?P<b>[^'\s]+)'?"),
     lambda m: (f"缺少必填的{SOURCES.get(m['a'].lower(), ('参数', ''))[0]}「{m['b']}」",
                f"the required {SOURCES.get(m['a'].lower(), ('', 'parameter'))[1]} '{m['b']}' is missing")),
    (re.compile(r"JSON is malformed: (?P<a>.+?) \(byte (?P<b>\d+)\)"), lambda m: _malformed(m["a"], m["b"])),
    (re.compile(r"Input data was truncated"),
     lambda m: ("请求体不是完整的 JSON（在结束前中断了）", "the body is not complete JSON (it ends too early)")),
    (re.compile(r"Invalid (?P<a>date|datetime|time|uuid|decimal)"),
     lambda m: (f"应为{TYPES[m['a']][0]}", f"expected {TYPES[m['a']][1]}")),
]


def translate(message: str, source: str = "") -> tuple[str, str]:
    """One framework message in (Chinese, English), as specific in both."""
    for pattern, words in RULES:
        m = pattern.search(message)
        if not m:
            continue
        if words is None:  # Expected `a`, got `b`
            want_zh, want_en = kind(m["a"])
            got = m["b"]
            if source in ("query", "path", "header", "cookie") or got not in TYPES:
                return f"应为{want_zh}", f"expected {want_en}"  # such values always arrive as text
            got_zh, got_en = TYPES[got]
            return f"应为{want_zh}，收到的是{got_zh}", f"expected {want_en}, got {got_en}"
        return words(m)
    return "值的格式不符合接口说明（见 /schema）", "the value does not have the documented form (see /schema)"


# Python's json module (web/security/edge.py): "Expecting value: line 1 column 1 (char 0)"
_PY_JSON = {
    "Expecting value": ("此处应为一个值（表单格式 name=… 不是 JSON）", "a value was expected (a form body name=… is not JSON)"),
    "Expecting property name enclosed in double quotes": ("应为用双引号括起的字段名（或多了一个逗号）",
                                                          "a field name in double quotes was expected (or there is a comma too many)"),
    "Expecting ',' delimiter": ("缺少逗号", "a comma is missing"),
    "Expecting ':' delimiter": ("缺少冒号", "a colon is missing"),
    "Extra data": ("JSON 结束后还有多余的内容", "there is more after the end of the JSON"),
    "Unterminated string starting at": ("字符串缺少结束的双引号", "a string has no closing quote"),
    "Invalid control character at": ("字符串中有控制字符（如未转义的换行）", "a string holds a control character (an unescaped line break)"),
    "Invalid \\escape": ("字符串中有无效的转义符", "a string holds an invalid escape"),
}


def json_error(text: str) -> tuple[str, str]:
    """A message of Python's json module → (Chinese, English) naming line and column."""
    m = re.match(r"(?P<msg>.+?): line (?P<l>\d+) column (?P<c>\d+) \(char \d+\)", text)
    if not m:
        return "无法解析", text[:120] or "cannot be parsed"
    zh, en = _PY_JSON.get(m["msg"], (None, None))
    if zh is None:
        zh, en = "格式错误", m["msg"][:80]
    return f"第 {m['l']} 行第 {m['c']} 列：{zh}", f"line {m['l']}, column {m['c']}: {en}"
