"""Conversion rules as data (engine/credits.py): the national default and a province's own file,
the version valid on a day, rounding, factors and per-project maxima; wrong YAML is reported at
file:line with a did-you-mean, like every other definition."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine import credits as C
from engine.catalogue import check_repo

ROOT = Path(__file__).resolve().parents[3]
D = Decimal


def test_the_repository_rules_compile_without_problems():
    assert C.check_all(ROOT) == []
    from engine.definitions import KINDS

    credits = next(k for k in KINDS if k.key == "credits")
    assert "modules/credits/credits.yaml" in credits.files_in(ROOT)


@pytest.mark.parametrize("province, level, kind, hours, on, credits, version", [
    ("36", "national", "face_to_face", 24, date(2023, 5, 1), "2.50", "36:2021"),   # 24/10×1.2=2.88 → 0.5 down
    ("36", "province", "face_to_face", 24, date(2023, 5, 1), "2.00", "36:2021"),
    ("36", "national", "face_to_face", 24, date(2025, 5, 1), "3.60", "36:2025"),   # 24/8×1.2, 0.1 half-up
    ("36", "county", "online", 25, date(2025, 5, 1), "2.50", "36:2025"),
    ("36", "school", "self_study", 100, date(2025, 5, 1), "2.00", "36:2025"),      # max 2 per project
    ("62", "province", "online", 30, date(2023, 5, 1), "2.50", "national:2021"),   # 甘肃: the national default
])
def test_hours_convert_under_the_version_valid_that_day(province, level, kind, hours, on, credits, version):
    rules, problems = C.load(ROOT, province)
    assert problems == []
    got = C.convert(rules, level=level, kind=kind, hours=D(hours), on=on)
    assert (got.credits, got.version) == (D(credits), version)


def test_no_version_valid_on_a_day_is_a_clear_refusal():
    rules, _ = C.load(ROOT, "36")
    with pytest.raises(C.NoRule, match="2019-12-31"):
        C.convert(rules, level="province", kind="online", hours=D(10), on=date(2019, 12, 31))


def test_cycle_windows():
    rules, _ = C.load(ROOT, "36")
    assert rules.cycle.window(date(2024, 7, 1)) == (date(2021, 1, 1), date(2025, 12, 31))
    assert rules.cycle.window(date(2026, 1, 1)) == (date(2026, 1, 1), date(2030, 12, 31))
    assert rules.cycle.window(date(2019, 3, 1)) == (date(2016, 1, 1), date(2020, 12, 31))


def _repo_with(tmp_path: Path, province_yaml: str) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "schemas", repo / "schemas")
    shutil.copytree(ROOT / "rules", repo / "rules")
    (repo / "modules" / "credits").mkdir(parents=True)
    shutil.copy(ROOT / "modules" / "credits" / "credits.yaml", repo / "modules" / "credits" / "credits.yaml")
    shutil.copytree(ROOT / "provinces" / "36", repo / "provinces" / "36")
    (repo / "provinces" / "36" / "credits.yaml").write_text(province_yaml, encoding="utf-8")
    return repo


def test_an_unknown_key_is_reported_at_its_line_with_did_you_mean(tmp_path):
    repo = _repo_with(tmp_path, "credits:\n  versions:\n    - version: x\n      valid_from: 2024-01-01\n"
                                "      rules:\n        - {hour_per_credit: 10, category: online}\n")
    _, problems = check_repo(repo, ["36"])
    found = [(str(p.loc), p.code, p.message("en")) for p in problems]
    assert any(loc.startswith("provinces/36/credits.yaml:6") and code == "E102" and "hours_per_credit" in msg
               for loc, code, msg in found), found


def test_without_the_module_there_are_no_rules_and_nothing_to_check(tmp_path):
    repo = _repo_with(tmp_path, "credits: {versions: []}\n")
    shutil.rmtree(repo / "modules")
    assert C.load(repo, "36") == (None, [])
    assert C.check_all(repo) == []
