"""``tmis check``, ``tmis validate`` and ``tmis schema``: the definition author's tools."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer

ROOT_HELP = "Repository root holding schemas/, rules/, provinces/ (default: $TMIS_REPO_ROOT or the source checkout)."


def _root(root: Optional[Path]) -> Path:
    from engine.catalogue import repo_root

    if root is not None:
        return root
    env = os.environ.get("TMIS_REPO_ROOT")
    return Path(env) if env else repo_root()


def _fail(message_zh: str, message_en: str) -> None:
    typer.echo(f"错误：{message_zh}\nError: {message_en}", err=True)
    raise typer.Exit(2)


def check(
    provinces: list[str] = typer.Argument(None, help="Province codes to compile (default: all)."),
    root: Optional[Path] = typer.Option(None, help=ROOT_HELP),
    lang: str = typer.Option("zh", help="zh or en: language of the messages."),
) -> None:
    """Compile the national core and each province; print every problem as file:line: CODE message.

    编译国家核心指标和各省扩展，逐条列出问题（文件:行: 代码 说明 + 修改建议）。有错误时退出码为 1。
    """
    from engine.catalogue import check_repo, warnings_of

    catalogues, problems = check_repo(_root(root), provinces or None)
    for p in problems:
        _print_problem(p, lang)
    for w in warnings_of(catalogues):  # rules that compile but cannot decide anything: said, not fatal
        _print_problem(w, lang, warning=True)
    if problems:
        typer.echo(f"\n{len(problems)} problem(s) / 共 {len(problems)} 个问题", err=True)
        raise typer.Exit(1)
    for code, cat in catalogues.items():
        nsets = len(cat.sets)
        nfields = sum(len(s.all_fields()) for s in cat.sets.values())
        typer.echo(f"ok {code:<8} {cat.name.get(lang)}: {nsets} sets, {nfields} fields, "
                   f"{len(cat.compiler.rules)} rules, {len(cat.codes)} code tables, version {cat.version}")


def _print_problem(p: Any, lang: str, warning: bool = False) -> None:
    col = f":{p.loc.col}" if p.loc.line and p.loc.col else ""
    tag = ("warning " if lang == "en" else "警告 ") if warning else ""
    typer.echo(f"{p.loc}{col}: {tag}{p.code} {p.message(lang)}")
    if p.other is not None:
        typer.echo(f"    {'see also' if lang == 'en' else '另见'} {p.other}")
    hint = p.hint(lang)
    if hint:
        typer.echo(f"    {'fix' if lang == 'en' else '修改建议'}: {hint}")


def _catalogue(root: Optional[Path], province: str) -> Any:
    from engine import errors as E
    from engine.catalogue import check_repo

    base = _root(root)
    # A province is a folder under provinces/ (as engine.load.load_repo finds them). A code with no
    # folder is a typo or the wrong --root, not a broken definition: say so and list the known ones
    # rather than send the user to tmis check.
    folder = base / "provinces"
    known = sorted(d.name for d in folder.iterdir() if d.is_dir()) if folder.is_dir() else []
    if province != "national" and province not in known:
        args = {"province": province, **E.suggestion(province, known)}
        head_zh, head_en = E.render(E.E_NO_PROVINCE, args, "zh"), E.render(E.E_NO_PROVINCE, args, "en")
        listed_zh = "、".join(known) if known else f"无（{folder} 下没有省份文件夹，请检查 --root 或 $TMIS_REPO_ROOT）"
        listed_en = (", ".join(known) if known
                     else f"none (no province folders in {folder}: check --root or $TMIS_REPO_ROOT)")
        overlay = folder / province / "overlay.yaml"
        _fail(f"{head_zh}{'' if head_zh.endswith('？') else '。'}已有的省份：{listed_zh}。"
              f"请用 --province（或 $TMIS_PROVINCE）指定其中之一；新增省份请创建 {overlay}。",
              f"{head_en}{' ' if head_en.endswith('?') else '. '}Known provinces: {listed_en}. "
              f"Name one with --province (or $TMIS_PROVINCE); to add a province, create {overlay}.")
    catalogues, problems = check_repo(base, [province])
    if problems:
        for p in problems[:20]:
            typer.echo(str(p), err=True)
        _fail("定义有错误，请先运行 tmis check 并修正。", "the definitions have errors: run tmis check and fix them first.")
    return catalogues[province]


def _read_records(path: Path) -> Any:
    import yaml

    if not path.exists():
        _fail(f"找不到文件 {path}", f"no such file: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        _fail(f"{path} 不是有效的 JSON/YAML：{exc}", f"{path} is not valid JSON/YAML: {exc}")
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return data
    _fail(f"{path} 应包含一条记录（映射）或记录列表", f"{path} must hold one record (a mapping) or a list of records")


def validate(
    file: Path = typer.Argument(..., help="JSON or YAML: one record or a list of records."),
    province: str = typer.Option(..., "--province", "-p", help="Province code, e.g. 36."),
    set_key: str = typer.Option(..., "--set", "-s", help="Set key, e.g. basic."),
    school_type: str = typer.Option("primary_secondary", "--school-type", "-t", help="School type or family."),
    root: Optional[Path] = typer.Option(None, help=ROOT_HELP),
    lang: Optional[str] = typer.Option(None, help="zh or en; default both."),
) -> None:
    """Validate records (keyed by field key or label; codes by code or label); print violations as JSON.

    校验记录文件（键可以是指标键或中文名称，代码可以是代码或名称），以 JSON 输出问题；有错误时退出码为 1。
    """
    cat = _catalogue(root, province)
    if set_key not in cat.sets:
        from engine.errors import suggestion

        hint = suggestion(set_key, list(cat.sets))
        _fail(f"没有信息集「{set_key}」{hint['suggestion_zh']}", f"no set '{set_key}'{hint['suggestion_en']}")
    validator = cat.validator(set_key, school_type)
    raws = _read_records(file)
    many = cat.sets[set_key].cardinality == "many"
    # as the form has them: a field the file does not mention starts with its default (民族 汉族,
    # 政治面貌 群众 …), and defaults computed from other fields (出生日期 from 身份证件号) fill in
    read = [validator.coerce(raw, i) for i, raw in enumerate(raws)]
    defaults = validator.defaults()
    coerced = []
    for record, _ in read:
        for key, value in defaults.items():
            record.setdefault(key, value)
        record.update(validator.fill_defaults(record))
        coerced.append(record)
    violations = []
    for i, (record, problems) in enumerate(read):  # every violation says which record: "index" 0, 1, …
        cleaned = validator.clean(record, records=coerced if many else None)
        unreadable = {v.field for v in problems}
        violations += problems + validator.validate(cleaned, records=coerced if many else None, index=i,
                                                    skip=unreadable)
    json.dump([v.as_dict(lang) for v in violations], sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    if any(v.severity == "error" for v in violations):
        raise typer.Exit(1)


def schema(
    province: str = typer.Option(..., "--province", "-p"),
    set_key: str = typer.Option(..., "--set", "-s"),
    school_type: str = typer.Option("primary_secondary", "--school-type", "-t"),
    root: Optional[Path] = typer.Option(None, help=ROOT_HELP),
) -> None:
    """Print the JSON Schema (Draft 2020-12) of a set. 输出信息集的 JSON Schema。"""
    cat = _catalogue(root, province)
    if set_key not in cat.sets:
        _fail(f"没有信息集「{set_key}」", f"no set '{set_key}'")
    json.dump(cat.json_schema(set_key, school_type), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def explain(
    province: str = typer.Argument(..., help="Province code, e.g. 44 (or national)."),
    set_key: Optional[str] = typer.Option(None, "--set", "-s", help="Only this set, e.g. basic."),
    routes: bool = typer.Option(False, "--routes", help="Only the review routes."),
    root: Optional[Path] = typer.Option(None, help=ROOT_HELP),
    lang: str = typer.Option("zh", help="zh or en."),
) -> None:
    """Show what a province's catalogue resolves to: sets, fields in order with where each comes
    from (file:line), rules, review routes step by step, layers applied. Nothing is submitted.

    显示一个省份的指标体系最终是什么样：各信息集、按顺序的指标及其出处（文件:行）、规则、逐级审核流程、启用的模块。
    """
    from engine.explain import explain as lines

    cat = _catalogue(root, province)
    if set_key is not None and set_key not in cat.sets:
        from engine.errors import suggestion

        hint = suggestion(set_key, list(cat.sets))
        _fail(f"没有信息集「{set_key}」{hint['suggestion_zh']}（可用：{', '.join(cat.sets)}）",
              f"no set '{set_key}'{hint['suggestion_en']} (sets: {', '.join(cat.sets)})")
    for line in lines(cat, set_key=set_key, routes_only=routes, lang=lang):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("explain")(explain)
    app.command("validate")(validate)
    app.command("schema")(schema)
