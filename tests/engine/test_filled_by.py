"""Issue 18 point 11: a province may say who fills a set (seed 003: teachers fill 岗位聘任 and 教育教学
at some schools); the forms' own check (web.forms.service.may_edit_set) follows the province's word."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from engine.catalogue import check_repo, repo_root
from tests.engine.test_cases import _build_repo
from web.forms.service import may_edit_set
from web.principal import Principal
from web.roles import load_roles

SET = """\
set: post
label: {zh: 岗位聘任}
cardinality: many
filled_by: school
order: 4
fields:
  - {key: post_type, label: {zh: 岗位类别}, type: text}
"""
OVERLAY = """\
province: "44"
name: {zh: 广东省}
namespace: gd
sets:
  post:
    filled_by: teacher
"""


def test_a_province_lets_teachers_fill_a_school_set(tmp_path: Path) -> None:
    repo = _build_repo(tmp_path, {"schemas/sets/post.yaml": SET, "provinces/44/overlay.yaml": OVERLAY})
    catalogues, problems = check_repo(repo, ["44"])
    assert problems == []
    assert catalogues["national"].sets["post"].filled_by == "school"
    assert catalogues["44"].sets["post"].filled_by == "teacher"

    roles = load_roles(repo_root(), "36")
    teacher = Principal(account_id=1, username="t", real_name="t", kind="teacher", unit_id=1, teacher_id=7,
                        grants=((1, "teacher"),), roles=roles)
    file = SimpleNamespace(id=7)
    assert not may_edit_set(teacher, catalogues["national"].sets["post"], file)  # type: ignore[arg-type]
    assert may_edit_set(teacher, catalogues["44"].sets["post"], file)  # type: ignore[arg-type]


def test_filled_by_takes_teacher_or_school_only(tmp_path: Path) -> None:
    repo = _build_repo(tmp_path, {"schemas/sets/post.yaml": SET,
                                  "provinces/44/overlay.yaml": OVERLAY.replace("filled_by: teacher", "filled_by: parents")})
    _, problems = check_repo(repo, ["44"])
    assert [(p.loc.file, p.loc.line, p.code) for p in problems] == [("provinces/44/overlay.yaml", 6, "E104")]
