"""Contract (issue 18, "what must show"): every definition error code of the catalogue has a data-case
folder, tests/engine/errors/<CODE>/, holding the YAML a person might write (``repo/``, laid over
tests/engine/base) and ``expected.txt``: every problem and warning ``tmis check`` must report for it,
as ``file:line: CODE`` — the code of the folder at the line of the mistake, and nothing else.
``province.txt`` names the province to compile when it is not the one folder under repo/provinces/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.catalogue import check_repo, warnings_of
from engine.errors import CATALOGUE

HERE = Path(__file__).parent
CASES = HERE / "errors"
FOLDERS = sorted(d for d in CASES.iterdir() if d.is_dir())


def test_every_definition_error_code_has_a_case_folder() -> None:
    codes = sorted(c for c in CATALOGUE if c.startswith("E"))
    assert [c for c in codes if not (CASES / c / "expected.txt").is_file()] == []
    assert [d.name for d in FOLDERS if d.name not in CATALOGUE] == []


def _expected(folder: Path) -> list[str]:
    lines = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    return sorted(ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip())


@pytest.mark.parametrize("folder", FOLDERS, ids=[d.name for d in FOLDERS])
def test_error_case(folder: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(HERE / "base", repo)
    shutil.copytree(folder / "repo", repo, dirs_exist_ok=True)
    named = folder / "province.txt"
    provinces = sorted(d.name for d in (repo / "provinces").iterdir()) if (repo / "provinces").is_dir() else []
    wanted = [named.read_text(encoding="utf-8").strip()] if named.exists() else provinces
    catalogues, problems = check_repo(repo, wanted)
    found = sorted(f"{p.loc}: {p.code}" for p in [*problems, *warnings_of(catalogues)])
    expected = _expected(folder)
    assert found == expected, [str(p) for p in problems]
    assert any(e.endswith(f": {folder.name}") for e in expected)
