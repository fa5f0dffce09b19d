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
