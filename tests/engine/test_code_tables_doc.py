"""docs/code-tables.md is the one place a province finds which code tables are partly
reconstructed (issue 20, "Also"): it lists exactly the tables whose note says [L], and the
project's own codes outside any standard."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _tables() -> dict[str, str]:
    out = {}
    for path in sorted(ROOT.glob("schemas/codes/*.yaml")) + sorted(ROOT.glob("provinces/*/codes/*.yaml")):
        for t in yaml.safe_load(path.read_text(encoding="utf-8"))["tables"]:
            out[t["table"]] = t.get("note") or ""
    return out


def test_the_doc_lists_every_partly_reconstructed_table_and_no_other() -> None:
    doc = (ROOT / "docs" / "code-tables.md").read_text(encoding="utf-8")
    part = doc.split("## Partly reconstructed tables")[1].split("\n## ")[0]
    listed = set(re.findall(r"^\| `[^`]+` \| `([a-z0-9_.]+)` \|", part, flags=re.M))
    tables = _tables()
    assert listed == {k for k, note in tables.items() if "[L]" in note}
    assert f"{len(listed)} tables" in part
    project = doc.split("## Project codes outside a standard")[1].split("\n## ")[0]
    assert "`id_type`" in project and "C 港澳居民居住证" in project and "D 台湾居民居住证" in project
    assert "this project's" in tables["id_type"] or "project's codes" in tables["id_type"]
