"""Workflows with two parties (engine/workflow.py): the YAML is parsed strictly and checked with
file:line (unknown roles or levels, unreachable steps, a province dropping a national step), and
each step resolves to the unit that acts, from the unit tree."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from engine import workflow as W
from engine.catalogue import check_repo, repo_root

ROOT = repo_root()


def _repo(tmp_path: Path, national: str, province: str | None = None) -> Path:
    (tmp_path / "schemas").mkdir(parents=True)
    shutil.copy(ROOT / "schemas" / "roles.yaml", tmp_path / "schemas" / "roles.yaml")
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "mobility.yaml").write_text(national, encoding="utf-8")
    if province is not None:
        (tmp_path / "provinces" / "36").mkdir(parents=True)
        (tmp_path / "provinces" / "36" / "workflows.yaml").write_text(province, encoding="utf-8")
    return tmp_path


BASE = """workflows:
  transfer:
    label: {zh: 教师调动}
    start: {roles: [info_manager]}
    steps:
      - key: receiving_authority
        label: {zh: 调入}
        unit: initiator_authority
        level: county
        roles: [info_reviewer]
      - key: sending_school
        label: {zh: 调出学校}
        unit: counterpart
        roles: [info_manager]
"""


def test_the_shipped_workflows_pass_tmis_check():
    assert W.check_all(ROOT) == []
    _, problems = check_repo(ROOT, ["36"])
    assert [p for p in problems if p.code.startswith("E44")] == []


def test_an_unknown_role_is_reported_with_file_line_and_a_suggestion(tmp_path):
    root = _repo(tmp_path, BASE.replace("roles: [info_manager]\n", "roles: [info_manger]\n", 1)
                 .replace("start: {roles: [info_manager]}", "start: {roles: [info_manager]}"))
    problems = W.check_all(root, [])
    assert [p.code for p in problems] == ["E440"]
    assert str(problems[0].loc) == "workflows/mobility.yaml:11"
    assert "info_manager" in problems[0].message("zh") and "info_manger" in problems[0].message("en")


def test_an_unknown_level_or_party_is_a_strict_parse_error(tmp_path):
    root = _repo(tmp_path, BASE.replace("level: county", "level: township"))
    problems = W.check_all(root, [])
    assert [p.code for p in problems] == ["E104"]
    assert str(problems[0].loc) == "workflows/mobility.yaml:9" and "county" in problems[0].message("en")
    root2 = _repo(tmp_path / "b", BASE.replace("unit: counterpart\n", "unit: sender\n"))
    assert [str(p.loc) for p in W.check_all(root2, [])] == ["workflows/mobility.yaml:13"]


def test_an_authority_step_needs_a_level(tmp_path):
    root = _repo(tmp_path, BASE.replace("        level: county\n", ""))
    problems = W.check_all(root, [])
    assert [p.code for p in problems] == ["E441"]
    assert str(problems[0].loc) == "workflows/mobility.yaml:6"


def test_an_unreachable_step_is_reported(tmp_path):
    text = BASE.replace("        roles: [info_reviewer]\n", "        roles: [info_reviewer]\n        next: done\n") + """\
      - key: done
        label: {zh: 完成}
        unit: counterpart_authority
        level: county
        roles: [info_manager]
"""
    problems = W.check_all(_repo(tmp_path, text), [])
    assert [(p.code, p.args["step"]) for p in problems] == [("E442", "sending_school")]
    assert str(problems[0].loc).startswith("workflows/mobility.yaml:12")


def test_a_province_may_add_levels_but_never_drop_a_national_step(tmp_path):
    added = BASE.replace("      - key: sending_school", """\
      - key: receiving_city
        label: {zh: 市级复审}
        unit: initiator_authority
        level: city
        roles: [info_reviewer]
      - key: sending_school""")
    assert W.check_all(_repo(tmp_path / "ok", BASE, added), ["36"]) == []
    dropped = BASE.split("      - key: sending_school")[0]
    problems = W.check_all(_repo(tmp_path / "bad", BASE, dropped), ["36"])
    assert [(p.code, p.args["step"]) for p in problems] == [("E444", "sending_school")]
    assert "provinces/36/workflows.yaml" in str(problems[0].loc)
    assert "workflows/mobility.yaml:11" in problems[0].args["other"]


@dataclass
class U:
    id: int
    code: str
    name: str
    level: str
    parent: "U | None" = None


def _tree():
    prov = U(1, "36", "江西省", "province")
    nc, jdz = U(2, "3601", "南昌市", "city", prov), U(3, "3602", "景德镇市", "city", prov)
    dh, xh, cj = U(4, "360102", "东湖区", "county", nc), U(5, "360103", "西湖区", "county", nc), U(6, "360202", "昌江区", "county", jdz)
    return {u.code: u for u in (prov, nc, jdz, dh, xh, cj, U(7, "3601020001", "一小", "school", dh),
                                U(8, "3601020002", "二中", "school", dh), U(9, "3601030001", "幼儿园", "school", xh),
                                U(10, "3602020001", "职中", "school", cj))}


def _ancestor(unit, level):
    while unit is not None and unit.level != level:
        unit = unit.parent
    return unit


def _acting(province, receiving, sending):
    t = _tree()
    wf = W.workflows_for(ROOT, province)["transfer"]
    return [p.unit_code for p in W.resolve_steps(wf, t[receiving], t[sending], _ancestor)]


def test_transfer_steps_resolve_from_the_unit_tree():
    # within one county: its authority acts once, then the sending school
    assert _acting(None, "3601020002", "3601020001") == ["360102", "3601020001"]
    # across counties: each side's county
    assert _acting(None, "3601030001", "3601020001") == ["360103", "3601020001", "360102"]
    # across cities
    assert _acting(None, "3602020001", "3601020001") == ["360202", "3601020001", "360102"]
    # 江西 re-reviews level by level on the receiving side
    assert _acting("36", "3602020001", "3601020001") == ["360202", "3602", "36", "3601020001", "360102"]


def test_status_change_steps_depend_on_the_variant():
    t = _tree()
    wf = W.workflows_for(ROOT, None)["status_change"]
    assert [p.unit_code for p in W.resolve_steps(wf, t["3601020001"], None, _ancestor, "retired")] == ["360102"]
    assert W.resolve_steps(wf, t["3601020001"], None, _ancestor, "absent") == []


# ------------------------------------------------------------------ modules' workflows

def _with_module(root: Path, name: str, workflows: str) -> Path:
    folder = root / "modules" / name
    folder.mkdir(parents=True)
    (folder / "module.yaml").write_text(f'module: {name}\nname: {{zh: {name}}}\nversion: "1"\nnamespace: {name}\n',
                                        encoding="utf-8")
    (folder / "workflows.yaml").write_text(workflows, encoding="utf-8")
    return folder


def test_a_module_brings_its_workflows_and_a_province_overrides_them_per_key(tmp_path):
    added = BASE.replace("      - key: sending_school", """\
      - key: receiving_city
        label: {zh: 市级复审}
        unit: initiator_authority
        level: city
        roles: [info_reviewer]
      - key: sending_school""")
    root = _repo(tmp_path, "workflows: {}\n", added)
    _with_module(root, "transfer", BASE)
    assert W.check_all(root) == []
    assert [s.key for s in W.workflows_for(root, None)["transfer"].steps] == ["receiving_authority", "sending_school"]
    assert [s.key for s in W.workflows_for(root, "36")["transfer"].steps] == [
        "receiving_authority", "receiving_city", "sending_school"]
    # the module folders are passed in: without the module (off in the province, or deleted) its
    # workflow is not in force, and the province's version of it is unused
    assert "transfer" not in W.workflows_for(root, None, modules=[])
    assert "transfer" not in W.workflows_for(root, "36", modules=[])
    # a province still may not drop the module's national step
    dropped = BASE.split("      - key: sending_school")[0]
    (root / "provinces" / "36" / "workflows.yaml").write_text(dropped, encoding="utf-8")
    problems = W.check_all(root, ["36"])
    assert [(p.code, p.args["step"]) for p in problems] == [("E444", "sending_school")]
    assert "modules/transfer/workflows.yaml:11" in problems[0].args["other"]


def test_a_module_workflow_is_checked_with_its_file_and_line(tmp_path):
    root = _repo(tmp_path, "workflows: {}\n")
    _with_module(root, "transfer", BASE.replace("roles: [info_reviewer]", "roles: [info_reviwer]"))
    problems = W.check_all(root, [])
    assert [(p.code, str(p.loc)) for p in problems] == [("E440", "modules/transfer/workflows.yaml:6")]
    _with_module(root, "copy", BASE)  # the same key in a second module: both places named
    twice = [p for p in W.check_all(root, []) if p.code == "E446"]
    assert sorted(str(p.loc) for p in twice) == ["modules/copy/workflows.yaml:3", "modules/transfer/workflows.yaml:3"]


def test_deleting_a_module_leaves_tmis_check_and_the_other_workflows(tmp_path):
    """The shipped repository without modules/transfer: 江西's own transfer route remains its own,
    every definition still compiles, and the other modules' workflows are in force."""
    root = tmp_path / "repo"
    root.mkdir()
    for item in ROOT.iterdir():
        if item.name in ("schemas", "rules", "provinces", "workflows"):
            (root / item.name).symlink_to(item)
    (root / "modules").mkdir()
    for mod in (ROOT / "modules").iterdir():
        if (mod / "module.yaml").exists() and mod.name != "transfer":
            (root / "modules" / mod.name).symlink_to(mod)
    _, problems = check_repo(root)
    assert [str(p) for p in problems] == []
    national = W.workflows_for(root, None)
    assert "transfer" not in national and "transfer" not in W.workflows_for(root, "36") and {"rotation", "rotation_relation", "status_change"} <= set(national)
    assert str(national["rotation"].loc).startswith("modules/rotation/workflows.yaml")
