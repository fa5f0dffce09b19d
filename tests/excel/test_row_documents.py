"""Phase 2 reads a teacher's rows as documents (web/excel/pipeline._picker): the fields the file
rules read, filled ones only. A fast row is unpacked only as far as the last field picked; the
document must be the one the whole row would give, for a packed row and a plain one alike."""

from __future__ import annotations

from typing import Any

import pytest

from web.excel.pipeline import FastRow, PlainRow, _picker, filled_doc

KEYS = ("name", "gender", "birth_date", "skills", "hours", "note")
VALUES: tuple[Any, ...] = ("张三", "1", "1990-03-07", ["01", "02"], 72, None)


@pytest.mark.parametrize("picked", [None, (), ("birth_date",), ("name", "hours"), ("skills", "note"), ("note",)],
                         ids=["all", "none", "one", "two", "list-and-empty", "only-empty"])
@pytest.mark.parametrize("kind", ["fast", "plain"])
def test_a_picked_document_is_the_whole_documents_fields(picked: tuple[str, ...] | None, kind: str) -> None:
    row = FastRow.of(7, VALUES) if kind == "fast" else PlainRow(7, VALUES)
    pick = None if picked is None else tuple((k, KEYS.index(k)) for k in picked)
    whole = filled_doc(KEYS, VALUES)
    expected = whole if picked is None else {k: v for k, v in whole.items() if k in picked}
    assert _picker(KEYS, pick)(row) == expected


def test_values_after_the_last_picked_field_are_not_needed() -> None:
    """A 基本信息 row has 34 fields; the rules of the benchmark read one, the eighth."""
    keys = tuple(f"f{i}" for i in range(34))
    values = tuple(f"v{i}" for i in range(34))
    assert _picker(keys, (("f7", 7),))(FastRow.of(2, values)) == {"f7": "v7"}
    assert _picker(keys, (("f33", 33), ("f0", 0)))(FastRow.of(2, values)) == {"f33": "v33", "f0": "v0"}
