"""Issue 18 point 12: ``tmis impact`` tells, on the real database and before a change is deployed,
which records a rule change would make invalid (or valid), per rule and per unit, with masked
examples, and writes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.catalogue import check_repo, repo_root
from tests.web.conftest import fresh_database, make_settings
from web.db.base import make_engine, make_sessionmaker
from web.db.models import Record, Teacher, Unit
from web.demo import build_demo
from web.services.impact import changed_sets, impact

RULE = (Path(__file__).parent / "data" / "impact_rule.yaml").read_text(encoding="utf-8")  # shared with benchmarks/impact.py


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("impact")) as url:
        build_demo(make_settings(url), password="Demo@2024x", teachers=36, seed=7)
        yield url


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("changed")
    for top in ("schemas", "rules", "provinces", "modules"):
        if (repo_root() / top).is_dir():
            shutil.copytree(repo_root() / top, root / top)
    (root / "provinces" / "36" / "rules").mkdir(exist_ok=True)
    (root / "provinces" / "36" / "rules" / "jx_short_name.yaml").write_text(RULE, encoding="utf-8")
    return root


def _catalogue(root: Path):
    catalogues, problems = check_repo(root, ["36"])
    assert problems == []
    return catalogues["36"]


def _long_names(db) -> Counter:
    rows = db.execute(select(Record.document, Unit.code).join(Teacher, Teacher.id == Record.teacher_id)
                      .join(Unit, Unit.id == Teacher.unit_id).where(Record.set_key == "basic")).all()
    return Counter(unit for doc, unit in rows if len(doc.get("name") or "") > 2)


def test_a_new_rule_is_reported_per_rule_and_unit_with_masked_examples(database, changed) -> None:
    old, new = _catalogue(repo_root()), _catalogue(changed)
    assert changed_sets(old, new) == ["basic"]
    engine = make_engine(database)
    try:
        with make_sessionmaker(engine)() as db:
            expected = _long_names(db)
            before = db.scalar(select(func.max(Record.updated_at)))
            report = impact(db, old, new)
            db.rollback()
            assert db.scalar(select(func.max(Record.updated_at))) == before  # nothing written
    finally:
        engine.dispose()
    assert sum(expected.values()) > 0
    rule = report.codes["jx.short_name"]
    assert rule.invalid == sum(expected.values()) == report.became_invalid
    assert {u: c[0] for u, c in rule.units.items()} == dict(expected)
    assert rule.valid == 0 and report.became_valid == 0
    assert 0 < len(rule.examples) <= 3
    for ex in rule.examples:
        assert "*" in ex["teacher"] and "*" in ex["id_number"] and ex["field"] == "name"
    # the other way round: taking the rule away makes the same records valid
    back = impact_report(database, new, old)
    assert back.codes["jx.short_name"].valid == rule.invalid == back.became_valid


def impact_report(url, old, new):
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            return impact(db, old, new)
    finally:
        engine.dispose()


def test_the_command_compares_the_changed_definitions_with_the_deployed_ones(database, changed) -> None:
    out = subprocess.run([sys.executable, "-m", "web.cli", "impact", "36", "--root", str(changed),
                          "--against", str(repo_root()), "--database-url", database, "--json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["sets"] == ["basic"]
    first = found["codes"][0]
    assert first["code"] == "jx.short_name" and first["invalid"] == found["became_invalid"] > 0
    text = subprocess.run([sys.executable, "-m", "web.cli", "impact", "36", "--root", str(changed),
                           "--against", str(repo_root()), "--database-url", database],
                          capture_output=True, text=True, timeout=300)
    assert "jx.short_name" in text.stdout and "将不再通过" in text.stdout


def test_a_tightened_field_is_checked_in_full(database, tmp_path) -> None:
    root = tmp_path / "tight"
    for top in ("schemas", "rules", "provinces", "modules"):
        if (repo_root() / top).is_dir():
            shutil.copytree(repo_root() / top, root / top)
    overlay = root / "provinces" / "36" / "overlay.yaml"
    text = overlay.read_text(encoding="utf-8")
    assert "\nsets:\n" in text and "\n  basic:\n" not in text
    overlay.write_text(text.replace("\nsets:\n", "\nsets:\n  basic:\n    tighten_fields:\n      name: {max_length: 2}\n", 1),
                       encoding="utf-8")
    old, new = _catalogue(repo_root()), _catalogue(root)
    report = impact_report(database, old, new)
    engine = make_engine(database)
    try:
        with make_sessionmaker(engine)() as db:
            expected = _long_names(db)
    finally:
        engine.dispose()
    assert report.codes["V003"].invalid == sum(expected.values()) > 0


def test_a_one_rule_change_evaluates_only_that_rule_on_only_its_set(database, changed) -> None:
    """The rule's set alone is read (its records, not the file's), the rule alone is evaluated and only
    the field it reads is fetched; the examples are the first records in file order all the same."""
    old, new = _catalogue(repo_root()), _catalogue(changed)
    report = impact_report(database, old, new)
    assert report.evaluated == {"basic": ["jx.short_name"]} and report.fields == ["name"]
    assert report.as_json()["evaluated"] == {"basic": ["jx.short_name"]}
    engine = make_engine(database)
    try:
        with make_sessionmaker(engine)() as db:
            basic = db.scalar(select(func.count()).select_from(Record).where(Record.set_key == "basic",
                                                                             Record.copy_of_id.is_(None)))
            everything = db.scalar(select(func.count()).select_from(Record))
            first = db.execute(select(Teacher.id, Record.position).join(Record, Record.teacher_id == Teacher.id)
                               .where(Record.set_key == "basic", Record.copy_of_id.is_(None),
                                      func.length(Teacher.name) > 2)
                               .order_by(Teacher.id, Record.position).limit(3)).all()
            masked_ids = [db.get(Teacher, tid).id_number for tid, _ in first]
    finally:
        engine.dispose()
    assert report.records == basic < everything
    rule = report.codes["jx.short_name"]
    assert [(e["id_number"][:4], e["record"]) for e in rule.examples] == [(n[:4], p) for n, (_, p) in zip(masked_ids, first)]
    assert set(report.codes) == {"jx.short_name"}
