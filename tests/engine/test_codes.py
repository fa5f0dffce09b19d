"""Codes as spreadsheets show them: what a template offers and an export writes reads back."""

from __future__ import annotations

import pytest

from engine.catalogue import build_catalogues, repo_root

CATALOGUES = build_catalogues(repo_root(), ["36", "62"])


@pytest.mark.parametrize("province", sorted(CATALOGUES))
def test_every_code_reads_back_as_the_spreadsheet_shows_it(province: str) -> None:
    """Templates and exports show a code by ``Codes.cell_text``; an import must read the same
    code back, also where two items of a table share a label (课程: 语文 under two stages)."""
    ambiguous = 0
    for key, codes in CATALOGUES[province].codes.items():
        for code in codes.by_code:
            text = codes.cell_text(code)
            assert codes.lookup(text) == code, (key, code, text)
            ambiguous += text != codes.label(code)
    assert ambiguous, "no table shares a label any more: the case this guards is gone"


def test_a_label_of_several_codes_names_none_and_the_reader_lists_them() -> None:
    """朝阳区 is in Beijing (110105) and in Changchun (220104): typed alone it must not quietly
    become one of them; the reader names both, and "code-label" picks one."""
    cat = CATALOGUES["36"]
    region = cat.codes["region"]
    assert region.lookup("朝阳区") is None and set(region.ambiguous["朝阳区"]) == {"110105", "220104"}
    assert region.lookup("110105-朝阳区") == "110105" and region.lookup("220104") == "220104"
    assert region.lookup("东湖区") == "360102"  # a name only one place has still reads
    field = next((s, f) for s in cat.sets for f in cat.view(s, "primary_secondary").fields
                 if f.codes is not None and f.codes.table.table == "region" and f.spec.type == "code")
    validator = cat.validator(field[0], "primary_secondary")
    _, _, problem = validator._reader(field[1])("朝阳区", None)
    assert problem is not None and problem.code == "V017"
    assert "110105-朝阳区" in problem.message_zh and "220104-朝阳区" in problem.message_zh
    _, value, problem = validator._reader(field[1])("220104-朝阳区", None)
    assert problem is None and value == "220104"


def test_a_shared_label_reads_as_the_item_that_may_be_chosen_or_as_before_where_when_tells_them_apart() -> None:
    codes = CATALOGUES["36"].codes
    title = codes["professional_title"]  # English: the category 080 and the title 083 are both "Engineer"
    assert title.lookup("Engineer") == "083" and not title.ambiguous
    course = codes["teaching_course"]  # 信息技术 of senior (26) and of primary/junior (61) stages
    assert course.lookup("信息技术") == "26" and course.cell_text("61") == "61-信息技术"
