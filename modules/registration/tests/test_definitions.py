"""The conditions as a provincial author writes them: a typo in a province's registration.yaml is
reported by tmis check at its file and line with a did-you-mean; a province's condition replaces
the national one of the same key and keeps the others, in their order."""

from __future__ import annotations

from pathlib import Path

from engine import registration as R
from engine.catalogue import check_repo, repo_root
from tests.web.test_modules import make_root


def test_a_typo_in_a_province_file_is_named_at_its_line(tmp_path: Path):
    root = make_root(tmp_path, example=False)
    target = root / "provinces" / "36" / "registration.yaml"
    target.unlink()
    target.write_text("registration:\n  conditons:\n    - {key: training, kind: training_credits, required: 100}\n",
                      encoding="utf-8")
    _, problems = check_repo(root, ["36"])
    found = [(str(p.loc), p.code, p.message("en")) for p in problems]
    assert [(loc, code) for loc, code, _ in found] == [("provinces/36/registration.yaml:2", "E102")], found
    assert "did you mean 'conditions'" in found[0][2]


def test_a_province_replaces_a_condition_by_key_and_keeps_the_rest():
    national = R.conditions_for(repo_root(), None)
    jiangxi = R.conditions_for(repo_root(), "36")
    assert [c.key for c in jiangxi.conditions] == [c.key for c in national.conditions] == ["training", "assessment", "ethics"]
    assert (jiangxi.conditions[0].kind, int(jiangxi.conditions[0].required)) == ("training_credits", 120)
    assert (national.conditions[0].kind, int(national.conditions[0].required)) == ("training_hours", 360)
    assert jiangxi.cycle_years == national.cycle_years == 5 and jiangxi.warn_months == 12


def test_the_first_cycle_start_is_a_province_datum_checked_by_tmis_check(tmp_path: Path):
    import datetime as dt

    assert R.conditions_for(repo_root(), None).first_cycle_start == dt.date(2013, 8, 15)   # national default
    assert R.conditions_for(repo_root(), "36").first_cycle_start == dt.date(2023, 1, 1)    # 江西's own
    root = make_root(tmp_path, example=False)
    target = root / "provinces" / "36" / "registration.yaml"
    target.unlink()
    target.write_text("registration:\n  first_cycle_start: 1899-01-01\n", encoding="utf-8")
    _, problems = check_repo(root, ["36"])
    found = [(str(p.loc), p.code, p.message("zh")) for p in problems]
    assert [(loc, code) for loc, code, _ in found] == [("provinces/36/registration.yaml:2", "E565")], found
    assert "1899-01-01" in found[0][2]
    target.write_text("registration:\n  first_cycle_start: next spring\n", encoding="utf-8")
    _, problems = check_repo(root, ["36"])
    assert [str(p.loc) for p in problems] == ["provinces/36/registration.yaml:2"], [p.message("en") for p in problems]
