"""Issue 18 point 5: a value that does not match a field's pattern is told what the value should look
like (the field's help and example), not just "格式不符合要求"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.catalogue import check_repo
from tests.engine.test_cases import _build_repo

SET = """\
set: basic
label: {zh: 基本信息}
cardinality: one
filled_by: teacher
order: 1
fields:
  - {key: name, label: {zh: 姓名}, type: text}
  - {key: cert, label: {zh: 教师证号}, type: text, pattern: "^[0-9]{6}$"}
"""
OVERLAY = """\
province: "44"
name: {zh: 广东省}
namespace: gd
sets:
  basic:
    add_fields:
      - key: gd.cert
        label: {zh: 粤籍教师证号}
        type: text
        pattern: "^粤[0-9]{5}$"
        help: {zh: 粤字加 5 位数字, en: 粤 followed by 5 digits}
        example: 粤12345
    tighten_fields:
      cert: {example: "440101", help: {zh: 6 位数字}}
"""


def _validator(tmp_path: Path):
    repo = _build_repo(tmp_path, {"schemas/sets/basic.yaml": SET, "provinces/44/overlay.yaml": OVERLAY})
    catalogues, problems = check_repo(repo, ["44"])
    assert problems == []
    return catalogues["44"].validator("basic", None, today=dt.date(2026, 11, 22))


def test_pattern_failure_shows_the_fields_help_and_example(tmp_path: Path) -> None:
    _, found = _validator(tmp_path).run({"name": "张三", "gd.cert": "GD12345", "cert": "12345"})
    by_field = {v.field: v for v in found}
    assert by_field["gd.cert"].code == "V005"
    assert by_field["gd.cert"].message_zh == "「粤籍教师证号」格式不符合要求：粤字加 5 位数字；例如 粤12345"
    assert by_field["gd.cert"].message_en.endswith(": 粤 followed by 5 digits; for example 粤12345")
    # a national field given an example by the province shows it too
    assert by_field["cert"].message_zh == "「教师证号」格式不符合要求：6 位数字；例如 440101"
