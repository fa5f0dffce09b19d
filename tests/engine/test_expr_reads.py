"""What an expression reads: the import builds only those documents and fields for the rules it
still has to run (web/excel/pipeline._FileRules), so a reading missed here is a rule run on a
document without the field it needs."""

from __future__ import annotations

import pytest

from engine.expr import file_fields, reads_only_members


@pytest.mark.parametrize("src, expected", [
    ("record.start_month > ym(file.basic.birth_date)", {"basic": {"birth_date"}}),
    ("has(file.basic.x) && file.basic.y == 2", {"basic": {"x", "y"}}),
    ("file.basic_info.x == file.basic.z", {"basic_info": {"x"}, "basic": {"z"}}),
    ("file.education.exists(e, e.edu_level == '21')", {"education": None}),
    ("size(file.work) > 0 && file.work[0].x == 1", {"work": None}),
    ("file.basic.x == 1 && size(file.basic) > 3", {"basic": None}),
    ("has(file.basic) && has(file.basic.birth_date) && record.m > ym(file.basic.birth_date)", {"basic": {"birth_date"}}),
    ("has(file.education)", {"education": set()}),
    ("record.x == 1", {}),
])
def test_file_fields(src: str, expected: dict[str, set[str] | None]) -> None:
    assert file_fields(src) == expected


@pytest.mark.parametrize("src, variable, expected", [
    ("record.a > 1 && file.basic.b == 2", "record", True),
    ("record.a > 1 && file.basic.b == 2", "file", True),
    ("size(record) > 1", "record", False),
    ("'x' in file", "file", False),
])
def test_reads_only_members(src: str, variable: str, expected: bool) -> None:
    assert reads_only_members(src, variable) is expected
