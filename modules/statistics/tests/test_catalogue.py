"""Statistics as data: the national tables and a province's additions compile against the province's
catalogue; a mistake is reported by tmis check at file:line with its code (every code has its case
folder under tests/engine/errors/E501…E509); the app serves a province's own tables to its users."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from engine.catalogue import build_catalogues, check_repo
from engine.statistics import compile

ROOT = Path(__file__).resolve().parents[3]


def test_the_national_tables_and_jiangxis_compile():
    cats = build_catalogues(ROOT)
    national = compile(ROOT, cats["national"], "national")
    jiangxi = compile(ROOT, cats["36"], "36")
    gansu = compile(ROOT, cats["62"], "62")
    assert national.problems == jiangxi.problems == gansu.problems == []
    for standard in ("overview", "age_structure", "subject", "urban_rural", "gender", "title_level"):
        assert standard in national.tables
    assert national.tables["overview"].dims == ("school_type", "education", "title_level")
    assert "jx.rural_age" in jiangxi.tables and "jx.rural_age" not in gansu.tables
    # a dimension reads its labels from the catalogue: 最高学历 rolled up to the GB/T 4658 groups
    edu = national.dimensions["education"]
    assert edu.code("14") == "10" and edu.label_of("10") == "研究生教育"
    assert national.dimensions["title_level"].code("411") == "3"  # 小学高级教师 is 中级
    assert national.dimensions["age_band"].band(24) == "1" and national.dimensions["age_band"].band(60) == "9"


def _repo(tmp_path: Path, tables: str) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "engine" / "base", repo)
    shutil.copytree(ROOT / "tests" / "engine" / "errors" / "E501" / "repo" / "schemas", repo / "schemas", dirs_exist_ok=True)
    (repo / "modules" / "statistics").mkdir(parents=True)
    (repo / "modules" / "statistics" / "tables.yaml").write_text(tables, encoding="utf-8")
    return repo


def test_an_unknown_key_is_reported_at_its_line_with_a_suggestion(tmp_path):
    repo = _repo(tmp_path, "statistics: national\ndimensions:\n  - key: gender\n    label: {zh: 性别}\n"
                           "    field: t.g\ntables:\n  - key: g\n    label: {zh: 性别}\n    dimms: [gender]\n")
    _, problems = check_repo(repo, [])
    found = sorted((str(p.loc), p.code) for p in problems)
    assert found == [("modules/statistics/tables.yaml:7", "E103"),  # dims: missing …
                     ("modules/statistics/tables.yaml:9", "E102")]  # … because it was written dimms
    assert "dims" in next(p for p in problems if p.code == "E102").message("zh")


def test_tmis_check_prints_the_problem_with_its_fix(tmp_path):
    from web.cli import app

    repo = _repo(tmp_path, "statistics: national\ndimensions:\n  - key: gender\n    label: {zh: 性别}\n"
                           "    field: t.gendre\n")
    result = CliRunner().invoke(app, ["check", "--root", str(repo)])
    assert result.exit_code == 1
    assert "modules/statistics/tables.yaml:5" in result.output and "E501" in result.output
    assert "t.g" in result.output  # the field it meant


def test_without_the_module_there_is_nothing_to_check(tmp_path):
    repo = _repo(tmp_path, "")
    shutil.rmtree(repo / "modules")
    _, problems = check_repo(repo, [])
    assert problems == []
