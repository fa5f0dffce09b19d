"""engine.emit.conditions words a field's condition for the template's help: one case per shape
(on the real national catalogue, province 36), and the shapes it does not word give None."""

from __future__ import annotations

import pytest

from engine.catalogue import build_catalogues, repo_root
from engine.emit.conditions import describe

CAT = build_catalogues(repo_root(), ["36"])["36"]
FAMILY = "primary_secondary"

CASES = [
    ("basic", 'record.nationality == "156"', "「国籍/地区」为「中国」", "国籍/地区 (Nationality or region) is 中国"),
    ("education", 'record.degree_level != "0"', "「学位层次」不为「无」", "学位层次 (Degree level) is not 无"),
    ("basic", "record.on_establishment == false", "「是否在编」为「否」", "是否在编 (On the establishment) is 否"),
    ("basic", "record.on_establishment", "「是否在编」为「是」", "是否在编 (On the establishment) is 是 (yes)"),
    ("basic", "!record.on_establishment", "「是否在编」为「否」", "是否在编 (On the establishment) is 否 (no)"),
    ("basic", 'record.nationality in ["156", "344"]', "「国籍/地区」为「中国」或「香港」",
     "国籍/地区 (Nationality or region) is 中国 or 香港"),
    ("basic", 'record.nationality == "156" && record.on_establishment',
     "「国籍/地区」为「中国」且「是否在编」为「是」",
     "国籍/地区 (Nationality or region) is 中国 and 是否在编 (On the establishment) is 是 (yes)"),
]


@pytest.mark.parametrize("set_key,src,zh,en", CASES, ids=[c[1] for c in CASES])
def test_simple_conditions_are_worded(set_key: str, src: str, zh: str, en: str) -> None:
    assert describe(src, CAT.view(set_key, FAMILY)) == (zh, en)


@pytest.mark.parametrize("src", [
    '!("00" in record.school_duty)',                  # a list field's membership
    'record.teach_stages.exists(s, s in ["2"])',      # a macro
    'record.nationality == record.birth_place',       # two fields
    'record.no_such_field == "1"',                    # not a field of the set
    'record.nationality == "999999"',                 # not a code of its table
    "record.nationality ==",                          # not even CEL
])
def test_other_conditions_are_not_worded(src: str) -> None:
    assert describe(src, CAT.view("basic", FAMILY)) is None
