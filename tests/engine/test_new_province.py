"""Issue 18 point 9 and "what must show": docs/new-province.md's complete example compiles against the
real national catalogue and does what it says; a held-out province written from the docs alone
(tests/engine/heldout/44) compiles, and each deliberate mistake in its twin (heldout/44-mistakes) is
reported once, at its own line."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from engine.catalogue import check_repo, repo_root, warnings_of

ROOT = repo_root()
HERE = Path(__file__).parent
DOC = ROOT / "docs" / "new-province.md"


def _national_copy(tmp: Path) -> Path:
    for top in ("schemas", "rules", "modules"):
        if (ROOT / top).is_dir():
            shutil.copytree(ROOT / top, tmp / top)
    return tmp


def test_the_documented_example_compiles_and_behaves(tmp_path: Path) -> None:
    repo = _national_copy(tmp_path)
    blocks = re.findall(r"```yaml file=(\S+)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert {path for path, _ in blocks} >= {"provinces/44/overlay.yaml", "provinces/44/codes/gd.yaml",
                                            "provinces/44/rules/gd.yaml"}
    for path, text in blocks:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")
    catalogues, problems = check_repo(repo, ["44"])
    assert [str(p) for p in problems] == []
    assert [str(w) for w in warnings_of(catalogues)] == []
    cat = catalogues["44"]
    keys = [f.key for f in cat.sets["basic"].all_fields()]
    assert keys.index("gd.talent") == keys.index("political_status") + 1
    assert keys.index("gd.cert_number") == keys.index("gd.talent") + 1
    assert cat.sets["post"].filled_by == "teacher"
    assert [s.level for s in cat.routes["first_submission"].steps] == ["school", "county", "city", "province"]
    v = cat.validator("basic", None, today=dt.date(2026, 11, 22))
    found = [x for x in v.validate({"gd.talent": "1", "gd.cert_number": "GD12345"}) if x.field == "gd.cert_number"]
    assert {x.code for x in found} == {"V005", "gd.cert_for_talent"}
    assert "例如 粤12345" in next(x.message_zh for x in found if x.code == "V005")
    assert "gd.cert_number" in {x.field for x in v.validate({"gd.talent": "2"}) if x.code == "V001"}
    assert "gd.cert_number" not in {x.field for x in v.validate({"gd.talent": "0"})}


def _with_province(tmp: Path, folder: str) -> Path:
    repo = _national_copy(tmp)
    shutil.copytree(HERE / "heldout" / folder, repo / "provinces" / "44",
                    ignore=shutil.ignore_patterns("expected.txt"))
    return repo


def test_the_held_out_province_compiles(tmp_path: Path) -> None:
    catalogues, problems = check_repo(_with_province(tmp_path, "44"), ["44"])
    assert [str(p) for p in problems] == []
    assert [str(w) for w in warnings_of(catalogues)] == []


def test_each_mistake_is_reported_once_at_its_own_line(tmp_path: Path) -> None:
    catalogues, problems = check_repo(_with_province(tmp_path, "44-mistakes"), ["44"])
    expected = [ln.split("#")[0].strip() for ln in
                (HERE / "heldout" / "44-mistakes" / "expected.txt").read_text(encoding="utf-8").splitlines()]
    found = [f"{p.loc.file}:{p.loc.line}: {p.code}" for p in [*problems, *warnings_of(catalogues)]]
    assert sorted(found) == sorted(e for e in expected if e), [str(p) for p in problems]
    for p in problems:
        assert p.hint("zh") and p.hint("en"), p.code  # every one says how to fix it
