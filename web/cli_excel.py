"""``tmis template``, ``tmis import`` and ``tmis export``: Excel templates, imports and exports.

    tmis template --province 36 --school-type primary -o 模板.xlsx
    tmis import 教师.xlsx --unit 3601020001 [--dry-run] [--subtables append|replace] [--report 错误.xlsx] [--json]
    tmis export --unit 3601020001 -o 导出.xlsx [--sets basic,education]

Exit codes: 0 imported (or a clean dry run), 1 errors found (nothing written), 2 bad usage.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from web.cli_engine import ROOT_HELP, _catalogue, _fail
from web.errors import Refusal

PHASES = {"read": "读取 Reading", "check": "校验并写入 Checking and writing"}


def _sessions(database_url: Optional[str]) -> Any:
    from web.db.base import make_engine, make_sessionmaker
    from web.settings import Settings

    settings = Settings.from_env(**({"database_url": database_url} if database_url else {}))
    return make_sessionmaker(make_engine(settings.database_url)), settings


def _check_school_type(cat: Any, school_type: str) -> None:
    known = set(cat.school_types) | set(cat.families)
    if school_type not in known:
        from engine.errors import suggestion

        hint = suggestion(school_type, sorted(known))
        _fail(f"没有学校类型「{school_type}」{hint['suggestion_zh']}", f"no school type '{school_type}'{hint['suggestion_en']}")


def _check_writable(path: Path, option: str) -> None:
    """Refuse an output path that cannot be written, before any work: otherwise the template,
    the import (which may already have written its teachers) or a long export ends in a
    traceback at the very end."""
    folder = path.parent  # Path("x.xlsx").parent is Path("."): the current folder
    if path.suffix.lower() != ".xlsx" and not path.is_dir():  # Excel would not open it by a double click
        _fail(f"{option} {path}：文件名须以 .xlsx 结尾，例如 {path.with_suffix('.xlsx')}。",
              f"{option} {path}: the file name must end in .xlsx, e.g. {path.with_suffix('.xlsx')}.")
    if path.is_dir():
        _fail(f"{option} {path} 是一个文件夹，不是文件：请在后面加上文件名，例如 {path / '教师.xlsx'}。",
              f"{option} {path} is a folder, not a file: add a file name, e.g. {path / 'teachers.xlsx'}.")
    if not folder.exists():
        _fail(f"{option} {path} 所在的文件夹 {folder} 不存在：请先创建该文件夹（mkdir -p {folder}），或选择其他路径。",
              f"{option} {path}: the folder {folder} does not exist: create it first (mkdir -p {folder}) "
              f"or choose another path.")
    if not folder.is_dir():
        _fail(f"{option} {path}：{folder} 不是文件夹：请选择其他路径。",
              f"{option} {path}: {folder} is not a folder: choose another path.")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        _fail(f"{option} {path} 无法写入：没有写入 {path if path.exists() else folder} 的权限。"
              f"请选择可写的文件夹，或修改其权限。",
              f"{option} {path} cannot be written: no permission to write {path if path.exists() else folder}. "
              f"Choose a folder you may write to, or change its permissions.")


def _set_keys(sets: Optional[str]) -> Optional[list[str]]:
    """--sets as keys (spaces and empty items dropped); None when not given."""
    if sets is None:
        return None
    keys = [k.strip() for k in sets.split(",") if k.strip()]
    if not keys:
        _fail("--sets 为空：请写信息集的键，用逗号分隔，例如 --sets basic,education；或去掉 --sets 以包含全部信息集。",
              "--sets is empty: give set keys separated by commas, e.g. --sets basic,education, "
              "or leave --sets out for every set.")
    return keys


def _check_sets(cat: Any, keys: Optional[list[str]], family: Optional[str]) -> None:
    """Refuse set keys the catalogue does not know (or that the family's template has not got):
    left alone they are silently dropped and the workbook lacks what was asked for."""
    if not keys:
        return
    from engine.emit.excel_template import ordered_sets
    from engine.errors import suggestion

    known = ordered_sets(cat, family) if family else sorted(cat.sets, key=lambda k: (cat.sets[k].order, k))
    where_zh = f"{cat.family_label(family)}模板中" if family else ""
    where_en = f" in the {cat.family_label(family, 'en')} template" if family else ""
    listed_zh = "、".join(f"{k}（{cat.sets[k].label.zh}）" for k in known)
    listed_en = ", ".join(f"{k} ({cat.sets[k].label.en or cat.sets[k].label.zh})" for k in known)
    for key in keys:
        if key in known:
            continue
        if key in cat.sets:  # a real set, but not of this school type's template
            head_zh = f"{where_zh}没有信息集「{key}」（该学校类型不使用它）。"
            head_en = f"set '{key}' is not{where_en} (that school type does not use it)."
        else:
            hint = suggestion(key, known)  # "，是否想写「basic」？" / "; did you mean 'basic'?"
            head_zh = f"{where_zh}没有信息集「{key}」{hint['suggestion_zh'] or '。'}"
            head_en = f"no set '{key}'{where_en}{hint['suggestion_en'] or '.'}"
        _fail(f"{head_zh}可用的信息集：{listed_zh}。请在 --sets 中写这些键，用逗号分隔。",
              f"{head_en} Known sets: {listed_en}. Give these keys to --sets, separated by commas.")


def template(
    province: str = typer.Option(..., "--province", "-p", help="Province code, e.g. 36."),
    school_type: str = typer.Option("primary", "--school-type", "-t", help="School type or family, e.g. primary, kindergarten."),
    output: Path = typer.Option(..., "-o", "--output", help="The .xlsx file to write."),
    sets: Optional[str] = typer.Option(None, help="Only these sets (comma-separated keys)."),
    root: Optional[Path] = typer.Option(None, help=ROOT_HELP),
) -> None:
    """Write the Excel import template of a province and school type. 生成导入模板。"""
    from web.excel.service import render_template

    _check_writable(output, "-o")
    keys = _set_keys(sets)
    cat = _catalogue(root, province)
    _check_school_type(cat, school_type)
    _check_sets(cat, keys, cat.family_of(school_type))
    content = render_template(cat, school_type, sets=keys)
    try:
        output.write_bytes(content)
    except OSError as exc:  # checked above, but the disk may be full or the folder gone since
        _fail(f"无法写入 {output}：{exc.strerror}。请选择其他路径。",
              f"cannot write {output}: {exc.strerror}. Choose another path.")
    typer.echo(f"已生成 written: {output} (province {cat.province}, {cat.family_of(school_type)}, version {cat.version})")


def import_(
    file: Path = typer.Argument(..., help="The filled template (.xlsx)."),
    unit: str = typer.Option(..., "--unit", "-u", help="Code of the school the teachers belong to."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, write nothing."),
    subtables: str = typer.Option("append", "--subtables", help="append: add records to repeating sets; replace: replace the teacher's records of each set in the file."),
    partial: bool = typer.Option(False, "--partial", help="Write the teachers without errors (default: all or nothing)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the annotated workbook here."),
    as_json: bool = typer.Option(False, "--json", help='Print {"rows", "imported", "errors": [...]} as JSON.'),
    lang: str = typer.Option("zh", help="zh or en: language of the messages."),
    database_url: Optional[str] = typer.Option(None, "--database-url", help="Default: $TMIS_DATABASE_URL."),
    province: Optional[str] = typer.Option(None, "--province", "-p", help="Default: $TMIS_PROVINCE."),
    root: Optional[Path] = typer.Option(None, help=ROOT_HELP),
) -> None:
    """Import teachers from a filled template. 导入教师信息（默认全部通过才写入）。"""
    from web.excel.limits import BadLimit, Limits
    from web.excel.service import import_workbook

    if subtables not in ("append", "replace"):
        _fail("--subtables 只能是 append 或 replace", "--subtables must be append or replace")
    if lang not in ("zh", "en"):
        _fail(f"--lang 只能是 zh 或 en（不是 {lang}）", f"--lang must be zh or en (not {lang})")
    if not file.exists():
        _fail(f"找不到文件 {file}", f"no such file: {file}")
    if report is not None:
        _check_writable(report, "--report")
    try:
        limits = Limits.from_env()
    except BadLimit as exc:
        _fail(exc.zh, exc.en)
    sessions, settings = _sessions(database_url)
    cat = _catalogue(root or settings.repo_root, province or settings.province)
    outcome = _run_with_progress(lambda progress: import_workbook(
        sessions, cat, file, unit, mode=subtables, all_or_nothing=not partial, dry_run=dry_run,
        limits=limits, report=report, progress=progress), quiet=as_json)
    result = outcome.result
    if as_json:
        json.dump(result.as_json(lang), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for p in result.problems:
            where = p.where(lang)
            # a problem of the whole file (not a zip, encrypted, no unit…) has no place to name
            said = f"{p.rule} {p.message(lang)}"
            if p.severity == "warning":  # does not stop the import: say so
                said = f"[{'warning' if lang == 'en' else '警告'}] {said}"
            typer.echo(f"{where}: {said}" if where else said)
            hint = p.hint(lang)
            if hint:
                typer.echo(f"  → {hint}")
        if result.dropped:
            typer.echo(f"… 另有 {result.dropped} 个问题未列出 / {result.dropped} more not listed")
        state = ("试运行，未写入 dry run, nothing written" if dry_run else
                 "已写入 written" if result.written else "未写入 nothing written")
        typer.echo(f"{result.rows} 行 rows, {result.imported} 行已导入 imported, {result.errors} 个错误 errors, "
                   f"{result.warnings} 个警告 warnings; {state} ({result.seconds:.1f}s)")
        if result.teachers_unchanged:
            typer.echo(f"{result.teachers_unchanged} 位教师的各行与档案相同，未改动 / "
                       f"{result.teachers_unchanged} teachers' rows match their files: left as they are")
        if dry_run and (partial or not result.errors):  # all or nothing with errors: it would write nothing
            typer.echo(f"正式导入将导入 {result.would_import} 行，新建 {result.would_create} 位、更新 "
                       f"{result.would_update} 位教师 / the import would take {result.would_import} rows: "
                       f"{result.would_create} teachers created, {result.would_update} updated")
        if outcome.report:
            typer.echo(f"错误报告 report: {outcome.report}")
    if result.errors:
        raise typer.Exit(1)


def _run_with_progress(work: Any, quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return work(None)
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=max(total, done))

        return work(progress)


def export(
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help="Export the teachers of this unit (and below)."),
    output: Path = typer.Option(..., "-o", "--output", help="The .xlsx file to write."),
    sets: Optional[str] = typer.Option(None, help="Only these sets (comma-separated keys)."),
    only_this_unit: bool = typer.Option(False, "--only-this-unit", help="Not the units below."),
    school_type: Optional[str] = typer.Option(None, "--school-type", "-t", help="Template family (default: the unit's)."),
    database_url: Optional[str] = typer.Option(None, "--database-url"),
    province: Optional[str] = typer.Option(None, "--province", "-p"),
    root: Optional[Path] = typer.Option(None, help=ROOT_HELP),
) -> None:
    """Export teachers in the template's format (importable again). 导出教师信息（可再导入）。

    A unit whose schools use several templates (primary schools and kindergartens, say) gives
    one workbook per template family: OUTPUT for the family of most of its teachers, the others
    beside it as OUTPUT-<family>.xlsx (OUTPUT-幼儿园.xlsx). --school-type exports one family only.
    所辖学校使用不同模板时，每类模板导出一个文件。"""
    from web.excel.service import export_workbooks

    if not unit:
        _fail("请用 --unit 指定单位", "name a unit with --unit")
    _check_writable(output, "-o")  # the other families' workbooks go beside it, in the same folder
    keys = _set_keys(sets)
    sessions, settings = _sessions(database_url)
    cat = _catalogue(root or settings.repo_root, province or settings.province)
    if school_type:
        _check_school_type(cat, school_type)
    # with --school-type the sets must be in that family's template; without it the unit's
    # families are known only from the database, so any set of the catalogue is accepted (as the web does)
    _check_sets(cat, keys, cat.family_of(school_type) if school_type else None)

    def path_for(i: int, family: str) -> Path:  # the first as asked, the others beside it
        return output if i == 0 else output.with_name(f"{output.stem}-{cat.family_label(family)}{output.suffix}")

    try:
        books = export_workbooks(sessions, cat, path_for, unit_code=unit, include_below=not only_this_unit,
                                 sets=keys, school_type=school_type)
    except Refusal as exc:
        _fail(f"{exc.message('zh')}（{unit}）", f"{exc.message('en')} ({unit})")
    except OSError as exc:  # checked above, but the disk may be full or the folder gone since
        _fail(f"无法写入 {exc.filename or output}：{exc.strerror}。请选择其他路径。",
              f"cannot write {exc.filename or output}: {exc.strerror}. Choose another path.")
    for family, out, result in books:
        typer.echo(f"已导出 exported（{cat.family_label(family)}）: {result.teachers} 位教师 teachers, "
                   f"{result.records} 条记录 records → {out}")


def register(app: typer.Typer) -> None:
    app.command("template")(template)
    app.command("import")(import_)
    app.command("export")(export)
