"""The definition author's commands, run as a person runs them (a real subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema

HERE = Path(__file__).parent
TMIS = [sys.executable, "-m", "web.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TMIS, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_check_passes_on_the_repository() -> None:
    out = run("check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ok 36" in out.stdout and "ok 62" in out.stdout


def test_check_reports_file_line_code_and_fix(tmp_path: Path) -> None:
    shutil.copytree(HERE / "base", tmp_path, dirs_exist_ok=True)
    (tmp_path / "schemas" / "sets").mkdir(parents=True)
    (tmp_path / "schemas" / "sets" / "t.yaml").write_text(
        "set: t\nlabel: {zh: 测试}\ncardinality: one\nfilled_by: teacher\norder: 1\nfields:\n"
        "  - {key: a, label: {zh: 甲}, type: text, requird: true}\n", encoding="utf-8")
    out = run("check", "--root", str(tmp_path))
    assert out.returncode == 1
    assert "schemas/sets/t.yaml:7:42: E102" in out.stdout  # file:line:column of the key that is wrong
    assert "是否想写「required」" in out.stdout
    out_en = run("check", "--root", str(tmp_path), "--lang", "en")
    assert "did you mean 'required'" in out_en.stdout


def test_validate_reads_labels_and_code_labels_and_exits_1_on_errors(tmp_path: Path) -> None:
    records = tmp_path / "records.yaml"
    records.write_text("- {身份证件类型: 居民身份证, 身份证件号: '110105194912310021', 姓名: 张三}\n", encoding="utf-8")
    out = run("validate", "--province", "36", "--set", "basic", str(records), "--lang", "en")
    assert out.returncode == 1
    found = json.loads(out.stdout)
    assert {"set", "field", "rule", "severity", "message", "path"} <= set(found[0])
    assert any(v["field"] == "id_number" and v["rule"] == "basic.id_valid" for v in found)
    assert any(v["rule"] == "V001" and v["field"] == "work_start_month" for v in found)
    # defaults are filled as the form fills them (issue 18 point 10): 民族 and 政治面貌 from their
    # defaults, 出生日期 from a valid ID number; each violation names its record, also in a one-record file
    missing = {v["field"] for v in found if v["rule"] == "V001"}
    assert not {"ethnic_group", "political_status", "nationality"} & missing
    assert {v["index"] for v in found} == {0}
    records.write_text("{身份证件类型: 居民身份证, 身份证件号: '11010519491231002X', 姓名: 张三}\n", encoding="utf-8")
    found = json.loads(run("validate", "--province", "36", "--set", "basic", str(records)).stdout)
    assert "birth_date" not in {v["field"] for v in found} and {v["index"] for v in found} == {0}


def test_validate_explains_a_missing_file() -> None:
    out = run("validate", "--province", "36", "--set", "basic", "/no/such/file.yaml")
    assert out.returncode == 2
    assert "找不到文件" in out.stderr and "no such file" in out.stderr


def test_schema_prints_a_valid_draft_2020_12_schema() -> None:
    out = run("schema", "--province", "62", "--set", "basic", "--school-type", "kindergarten")
    assert out.returncode == 0, out.stderr
    schema = json.loads(out.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["entry_month"]["title"] == "进本园年月"
    assert "gs.bilingual_level" in schema["properties"]
