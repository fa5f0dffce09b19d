"""Issue 18 point 8: ``tmis explain`` shows what a province's catalogue resolves to — fields in order
with where each comes from, rules, routes step by step — without filling or submitting anything."""

from __future__ import annotations

import re

from engine.catalogue import build_catalogues, repo_root
from tests.engine.test_engine_cli import run


def test_explain_a_set_lists_its_fields_in_order_with_their_origin() -> None:
    out = run("explain", "62", "--set", "basic")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    numbered = [ln.split(".", 1)[1].split()[0] for ln in lines if re.match(r"^\s+\d+\. ", ln)]
    cat = build_catalogues(repo_root())["62"]
    assert numbered == [f.key for f in cat.sets["basic"].all_fields()]
    added = next(ln for ln in lines if " gs.bilingual_level " in ln)
    assert re.search(r"省份 62 provinces/62/overlay\.yaml:\d+$", added)
    name = next(ln for ln in lines if re.match(r"^\s+1\. name ", ln))
    assert "必填" in name and re.search(r"国家 schemas/sets/basic\.yaml:\d+$", name)
    assert "basic.id_valid" in out.stdout  # the set's rules, with their places


def test_explain_routes_step_by_step() -> None:
    out = run("explain", "62", "--routes", "--lang", "en")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    block = text[text.index("first_submission"):text.index("addition")]
    assert "provinces/62/overlay.yaml:" in block.splitlines()[0]
    assert re.findall(r"step (\d): (\w+)", block) == [("1", "school"), ("2", "county")]
    assert "fields" not in text  # --routes shows the routes only


def test_explain_an_unknown_set_says_which_sets_there_are() -> None:
    out = run("explain", "36", "--set", "basci")
    assert out.returncode == 2
    assert "did you mean 'basic'" in out.stderr and "basic" in out.stderr
