"""The rule-language reference is executable: every example in docs/rule-language.md runs here,
and its generated tables (types, functions, errors) match the registries."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.engine.checks import assert_check
from engine import docs
from engine.catalogue import check_repo

HERE = Path(__file__).parent
DOC = docs.DOC
FENCE = re.compile(r"^## |```yaml ([^\n]*)\n(.*?)```", re.S | re.M)


def _groups() -> list[tuple[str, dict[str, str], str, str]]:
    """(title, files, info, body) for each check/problems block, with the files written before it
    in the same chapter (a later file of the same path replaces the earlier one)."""
    files: dict[str, str] = {}
    out = []
    for m in FENCE.finditer(DOC.read_text(encoding="utf-8")):
        if m[0] == "## ":
            files = {}
            continue
        info, body = m[1].strip(), m[2]
        if info.startswith("file="):
            files[info.removeprefix("file=").strip()] = body
        elif info.startswith(("check", "problems", "derive", "routes", "warnings")):
            out.append((f"{len(out) + 1}-{info}", dict(files), info, body))
    return out


GROUPS = _groups()


def _options(info: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in info.split()[0:] if "=" in part)


@pytest.mark.parametrize("group", GROUPS, ids=[g[0] for g in GROUPS])
def test_example(group, tmp_path: Path) -> None:
    _, files, info, body = group
    repo = tmp_path / "repo"
    shutil.copytree(HERE / "base", repo)
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    opts = _options(info)
    province = opts.get("province")
    catalogues, problems = check_repo(repo, [province] if province else [])
    if info.startswith("problems"):
        expected = yaml.safe_load(body)
        assert sorted(f"{p.loc.file}:{p.loc.line} {p.code}" for p in problems) == sorted(expected), \
            [str(p) for p in problems]
        return
    assert [str(p) for p in problems] == []
    if info.startswith("warnings"):
        from engine.catalogue import warnings_of

        found = warnings_of(catalogues)
        assert sorted(f"{w.loc.file}:{w.loc.line} {w.code}" for w in found) == sorted(yaml.safe_load(body)), \
            [str(w) for w in found]
        return
    cat = catalogues[province or "national"]
    if info.startswith("routes"):
        for kind, levels in yaml.safe_load(body).items():
            assert [s.level for s in cat.routes[kind].steps] == levels
        return
    if info.startswith("derive"):
        for case in yaml.safe_load(body):
            assert cat.derive(opts["derive"], opts.get("family"), case["file"]) == case["expect"]
        return
    validator = cat.validator(opts["check"], opts.get("family"), today=dt.date(2026, 11, 22))
    for case in yaml.safe_load(body):
        assert_check(validator, case)


def test_generated_tables_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert docs.render(text) == text, "run: python -m engine.docs"


def test_every_error_code_and_function_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    from engine.celfuncs import all_functions
    from engine.errors import CATALOGUE

    assert [c for c in CATALOGUE if f"| {c} |" not in text] == []
    assert [f.name for f in all_functions() if f"`{f.name}(" not in text] == []
