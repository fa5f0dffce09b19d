"""W932/W933 say in Chinese as much as in English, in words a person acts on: which parameter or
field, where it was sent and what kind of value is expected, never the framework's internals
(the walk's finding 21: "格式不符" beside an English detail, "（ParamType.QUERY）", "int | null")."""

from __future__ import annotations

import re

from tests.web.conftest import csrf_of

INTERNALS = re.compile(r"ParamType|int \| null|`|\bstr\b|Expected|Expecting|msgspec")


def _check(r, status, code, *words):
    body = r.json()
    assert r.status_code == status and body["code"] == code, r.text
    for text in (body["message"], body["message_en"]):
        assert not INTERNALS.search(text), text
    assert "格式不符" not in body["message"]
    for w in words:
        assert w in body["message"] + " | " + body["message_en"], (w, body["message"], body["message_en"])
    return body


def test_a_query_parameter_of_the_wrong_kind_is_named_in_words(as_user):
    admin = as_user("system_admin@360102")
    _check(admin.get("/api/v1/accounts/?limit=abc"), 400, "W933",
           "查询参数「limit」：应为整数", "query parameter 'limit': expected a whole number")


def test_a_body_of_the_wrong_shape_is_named_in_words(as_user):
    county = as_user("info_manager@360102")
    h = {"x-csrftoken": csrf_of(county.get("/credits/projects/").text)}
    url = "/api/v1/training/projects"
    _check(county.post(url, data={"name": "x"}, headers=h), 400, "W933",
           "请求体不是有效的 JSON：第 4 个字节处有无效字符", "不接受表单格式", "an invalid character at byte 4")
    _check(county.post(url, json={"name": "x", "hours": [1]}, headers=h), 400, "W933",
           "请求体字段「hours」：应为数字，收到的是列表", "body field 'hours': expected a number, got a list")
    _check(county.post(url, json={"name": "x"}, headers=h), 400, "W933",
           "缺少必填字段「", "the required field '")
    _check(county.post(url, json=["x"], headers=h), 400, "W933", "请求体：应为JSON 对象", "expected a JSON object")


def test_malformed_json_names_line_and_column_in_both_languages(as_user):
    county = as_user("info_manager@360102")
    h = {"x-csrftoken": csrf_of(county.get("/credits/projects/").text), "content-type": "application/json"}
    url = "/api/v1/training/projects"
    _check(county.post(url, content=b"name=x", headers=h), 400, "W932",
           "第 1 行第 1 列：此处应为一个值", "line 1, column 1: a value was expected")
    _check(county.post(url, content=b'{"name": "x",}', headers=h), 400, "W932",
           "第 1 行第 14 列：应为用双引号括起的字段名", "line 1, column 14: a field name in double quotes")


def test_every_framework_message_has_chinese_words():
    from web.security.wording import translate

    for message, source, zh, en in [
        ("Expected `int | null`, got `str`", "query", "应为整数（可不填）", "expected a whole number (or nothing)"),
        ("Expected `date`, got `int` - at `$.start`", "body", "应为日期（如 2024-12-31），收到的是整数", "got a whole number"),
        ("Expected `str` of length <= 100", "body", "长度须 <= 100", "length must be <= 100"),
        ("Expected `int` >= 0", "body", "须 >= 0", "must be >= 0"),
        ("Object contains unknown field `zzz`", "body", "有未知字段「zzz」", "unknown field 'zzz'"),
        ("Missing required query parameter 'q'", "query", "缺少必填的查询参数「q」", "required query parameter 'q'"),
        ("Input data was truncated", "body", "不是完整的 JSON", "not complete JSON"),
        ("something nobody foresaw", "", "值的格式不符合接口说明", "does not have the documented form"),
    ]:
        got = translate(message, source)
        assert zh in got[0] and en in got[1], (message, got)
        assert not INTERNALS.search(got[0] + got[1]), got
