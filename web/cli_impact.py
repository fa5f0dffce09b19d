"""``tmis impact [PROVINCE]``: which records already in the database a catalogue change would make
invalid (or valid), per rule and per unit, before the change is deployed. Reads only."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Optional

import typer

DEFINITIONS = ("schemas", "rules", "provinces", "modules")


def _from_git(root: Path, rev: str, into: Path) -> Path:
    """The definition folders of ``root`` as they are at git revision ``rev``."""
    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True).stdout

    try:
        names = git("ls-tree", "--name-only", rev).decode().split()
        wanted = [d for d in DEFINITIONS if d in names]
        data = git("archive", "--format=tar", rev, *wanted)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc, subprocess.CalledProcessError) else str(exc)
        typer.echo(f"错误：无法从 git 版本「{rev}」取出定义文件：{detail}\nError: cannot read the definitions at git revision "
                   f"'{rev}': {detail}", err=True)
        raise typer.Exit(2)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def _catalogue(root: Path, province: str, what_zh: str, what_en: str) -> Any:
    from engine.catalogue import check_repo

    catalogues, problems = check_repo(root, [province])
    if problems or province not in catalogues:
        for p in problems[:20]:
            typer.echo(str(p), err=True)
        typer.echo(f"错误：{what_zh}的定义有错误，请先运行 tmis check。\nError: the {what_en} definitions have errors: "
                   "run tmis check first.", err=True)
        raise typer.Exit(2)
    return catalogues[province]


def _print(report: Any, lang: str) -> None:
    en = lang == "en"
    r = report
    typer.echo((f"catalogue {r.old_version} → {r.new_version}; sets changed: {', '.join(r.sets) or 'none'}; "
                f"records checked: {r.records}") if en else
               (f"指标版本 {r.old_version} → {r.new_version}；有变化的信息集：{'、'.join(r.sets) or '无'}；"
                f"检查记录 {r.records} 条"))
    if r.other_versions:
        typer.echo(f"  ({r.other_versions} records were last saved under another catalogue version)" if en else
                   f"  （其中 {r.other_versions} 条记录最后保存时是其他指标版本）")
    typer.echo(f"would become invalid: {r.became_invalid} records; would become valid: {r.became_valid}" if en else
               f"将不再通过：{r.became_invalid} 条记录；将变为通过：{r.became_valid} 条记录")
    for c in sorted(r.codes.values(), key=lambda c: (-c.invalid, -c.valid, c.code)):
        msg = c.message_en if en else c.message_zh
        typer.echo(f"\n{c.code}  {msg}")
        typer.echo(f"  newly failing: {c.invalid}, no longer failing: {c.valid}" if en else
                   f"  新增不通过：{c.invalid}，不再不通过：{c.valid}")
        for unit, (inv, val) in sorted(c.units.items()):
            typer.echo(f"    {unit}: {inv} / {val}")
        for ex in c.examples:
            typer.echo(f"    e.g. {ex['unit']} {ex['teacher']} {ex['id_number']} {ex['set']}[{ex['record']}].{ex['field']}"
                       if en else f"    例：{ex['unit']} {ex['teacher']} {ex['id_number']} {ex['set']}[{ex['record']}].{ex['field']}")


def impact(
    province: Optional[str] = typer.Argument(None, help="Province code (default: $TMIS_PROVINCE)."),
    root: Optional[Path] = typer.Option(None, help="The changed definitions (default: the source checkout)."),
    against: Optional[Path] = typer.Option(None, help="The definitions the records were validated against "
                                                       "(a folder with schemas/, rules/, provinces/)."),
    against_git: str = typer.Option("HEAD", help="…or the git revision of --root they are at (default HEAD: "
                                                 "the working tree's uncommitted changes are what is assessed)."),
    database_url: Optional[str] = typer.Option(None, "--database-url", help="default: $TMIS_DATABASE_URL"),
    examples: int = typer.Option(3, help="Examples per rule (masked)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    lang: str = typer.Option("zh", help="zh or en."),
) -> None:
    """Which existing records a catalogue change would make invalid or valid, per rule and per unit,
    with the first examples (masked). Writes nothing.

    评估指标或规则修改对数据库中已有记录的影响（按规则、按单位统计，附脱敏示例），不写入任何数据。
    """
    from engine.catalogue import repo_root
    from web.db.base import make_engine, make_sessionmaker
    from web.services.impact import impact as assess
    from web.settings import Settings

    settings = Settings.from_env(**({"database_url": database_url} if database_url else {}))
    province = province or settings.province
    new_root = root or repo_root()
    with tempfile.TemporaryDirectory() as tmp:
        old_root = against or _from_git(new_root, against_git, Path(tmp))
        old = _catalogue(old_root, province, "部署中（记录据以校验）", "deployed")
        new = _catalogue(new_root, province, "修改后", "changed")
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            report = assess(db, old, new, examples=examples)
            db.rollback()  # read only
    finally:
        engine.dispose()
    if as_json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print(report, lang)


def register(app: typer.Typer) -> None:
    app.command("impact")(impact)
