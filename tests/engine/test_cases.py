"""Data-first engine tests: every YAML file under cases/ is one case.

A case builds a small repository (tests/engine/base/ plus the case's ``definitions``), runs the
whole pipeline, and compares:
- ``problems``: the definition problems expected, as "file:line CODE" (or "file CODE");
- ``warnings``: the warnings expected (rules that compile but cannot decide anything), "file:line CODE";
- ``routes``, ``teacher_number``, ``field_order``: what the merged catalogue must hold;
- ``checks``: records validated against a set, with the violations expected as "field CODE"
  (``index`` prefixes as "[i] field CODE" for repeating sets).
Adding a case needs no Python. See cases/README.md.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.engine.checks import assert_check
from engine.catalogue import check_repo, warnings_of

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").rglob("*.yaml"))


def _build_repo(tmp: Path, definitions: dict[str, str]) -> Path:
    shutil.copytree(HERE / "base", tmp, dirs_exist_ok=True)
    for rel, text in definitions.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp


def _problem_key(p: Any, with_line: bool) -> str:
    return f"{p.loc.file}:{p.loc.line} {p.code}" if with_line else f"{p.loc.file} {p.code}"


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(HERE / "cases")) for c in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    repo = _build_repo(tmp_path / "repo", spec.get("definitions", {}))
    province = spec.get("province")
    catalogues, problems = check_repo(repo, [province] if province else [])

    expected = sorted(spec.get("problems", []))
    with_line = all(":" in e.split(" ")[0] for e in expected)
    assert sorted(_problem_key(p, with_line) for p in problems) == expected, [str(p) for p in problems]
    warned = sorted(_problem_key(w, True) for w in warnings_of(catalogues))
    assert warned == sorted(spec.get("warnings", [])), [str(w) for w in warnings_of(catalogues)]
    for fragment in spec.get("messages", []):  # text that must appear in some problem or warning
        assert any(fragment in p.message("zh") + p.message("en") + p.hint("zh") + p.hint("en")
                   for p in [*problems, *warnings_of(catalogues)]), fragment
    if expected:
        return

    cat = catalogues[province or "national"]
    for kind, levels in spec.get("routes", {}).items():
        assert [s.level for s in cat.routes[kind].steps] == levels
    if "teacher_number" in spec:
        assert cat.teacher_number is not None and cat.teacher_number.format == spec["teacher_number"]
    for key, fields in spec.get("field_order", {}).items():
        assert [f.key for f in cat.view(key).fields] == fields
    for check in spec.get("checks", []):
        set_key = check.get("set", spec.get("set"))
        assert_check(cat.validator(set_key, check.get("family"), today=dt.date(2026, 11, 22)), check)
