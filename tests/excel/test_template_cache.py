"""Issue 20.9: the generated import template is kept per province, school type, catalogue
version and set selection: a second download is the same workbook, not a new build, and a
changed catalogue gives a new template. Real catalogues built from a copy of the fixture
repository, real workbooks; no timing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl

from engine.catalogue import check_repo
from tests.excel.conftest import REPO
from web.excel import template_cache
from web.excel.service import render_template


def _catalogue(root: Path):
    cats, problems = check_repo(root, ["36"])
    assert not problems, problems
    return cats["36"]


def _meta(content: bytes) -> dict:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return {r[0].value: r[1].value for r in wb["_tmis"].iter_rows()} | {"sheets": wb.sheetnames}


def test_the_second_download_is_the_kept_template_and_a_catalogue_change_makes_a_new_one(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO, root)
    cat = _catalogue(root)
    template_cache.clear()
    first = render_template(cat, "primary")
    built = template_cache.stats["built"]
    assert render_template(cat, "primary") is first  # kept, not generated again
    assert template_cache.stats["built"] == built
    # another school type, or a selection of sets, is another template
    kg = render_template(cat, "kindergarten")
    assert kg is not first and _meta(kg)["family"] == "kindergarten"
    assert render_template(cat, "primary", sets=["basic"]) is not first

    # the province renames a set: a new catalogue version, a new template with the new name
    basic = root / "schemas" / "sets" / "basic.yaml"
    text = basic.read_text(encoding="utf-8")
    assert "zh: 基本信息" in text
    basic.write_text(text.replace("zh: 基本信息", "zh: 教师基本信息", 1), encoding="utf-8")
    changed = _catalogue(root)
    assert changed.version != cat.version
    again = render_template(changed, "primary")
    assert again is not first
    meta = _meta(again)
    assert meta["catalogue_version"] == changed.version and "教师基本信息" in meta["sheets"]
    assert _meta(first)["catalogue_version"] == cat.version and "基本信息" in _meta(first)["sheets"]
