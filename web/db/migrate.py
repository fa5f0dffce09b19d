"""Alembic driven from code: ``upgrade(url)`` is what ``tmis db upgrade`` and the tests run.

The core's migrations live in web/db/migrations/versions; every business module of the code
base keeps its own in ``modules/<name>/migrations/`` (docs/modules.md), enabled or not: a
province that switches a module off keeps its tables. A module's first migration starts its own
branch (``down_revision = None``, ``branch_labels = ("<name>",)``, ``depends_on = "<core rev>"``),
so the history has one head per module plus the core's and ``upgrade`` goes to all of them
("heads"). ``tmis db downgrade <name>@base`` drops a module's tables before its folder is deleted.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from web.errors import W_MIGRATION, W_MODULE_MIGRATION, W_UNKNOWN_REVISION, Refusal

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CORE_VERSIONS = MIGRATIONS / "versions"
SOURCE_ROOT = Path(__file__).resolve().parents[2]


def modules_root() -> Path:
    """The ``modules`` folder of the code base the app runs from (TMIS_REPO_ROOT, as web/settings.py)."""
    return Path(os.environ.get("TMIS_REPO_ROOT") or SOURCE_ROOT) / "modules"


def module_migration_dirs(root: Path | None = None) -> dict[str, Path]:
    """Every module folder under ``root`` that has a migrations folder, by module name."""
    root = modules_root() if root is None else root
    if not root.is_dir():
        return {}
    return {d.parent.name: d for d in sorted(root.glob("*/migrations")) if d.is_dir()}


def alembic_config(url: str, modules: Path | None = None) -> Config:
    """Alembic's configuration for ``url``: the core's versions plus every module's under ``modules``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # '%' is ConfigParser's interpolation character; URLs and paths may contain it.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    locations = [CORE_VERSIONS, *module_migration_dirs(modules).values()]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(str(p).replace("%", "%%") for p in locations))
    return cfg


def check_module_migrations(cfg: Config, modules: Path | None = None) -> None:
    """Each module's migrations form one branch labelled with its name that starts from nothing
    (so ``<name>@base`` drops exactly its tables); else Refusal W471 naming the file."""
    script = _script(cfg)
    dirs = module_migration_dirs(modules)
    by_dir: dict[Path, list] = {}
    for rev in script.walk_revisions():
        by_dir.setdefault(Path(rev.path).resolve().parent, []).append(rev)
    for name, folder in dirs.items():
        revs = by_dir.get(folder.resolve(), [])
        for rev in revs:
            file = f"modules/{name}/migrations/{Path(rev.path).name}"
            if rev.down_revision is None:
                if name not in (rev.branch_labels or ()):
                    raise Refusal(W_MODULE_MIGRATION, module=name, file=file,
                                  detail=f"第一个迁移缺少 branch_labels = (\"{name}\",)",
                                  detail_en=f"its first migration lacks branch_labels = (\"{name}\",)")
            else:
                outside = [d for d in _downs(rev) if script.get_revision(d) not in revs]
                if outside:
                    raise Refusal(W_MODULE_MIGRATION, module=name, file=file,
                                  detail=f"down_revision「{outside[0]}」不属于本模块（依赖核心请用 depends_on）",
                                  detail_en=f"down_revision '{outside[0]}' is not this module's (use depends_on for the core)")


def _downs(rev) -> tuple[str, ...]:
    down = rev.down_revision
    return () if down is None else tuple(down) if isinstance(down, (tuple, list)) else (down,)


def _script(cfg: Config) -> ScriptDirectory:
    try:
        return ScriptDirectory.from_config(cfg)
    except CommandError as exc:
        raise Refusal(W_MIGRATION, detail=str(exc), detail_en=str(exc)) from exc


def _prepared(url: str, modules: Path | None) -> Config:
    """The configuration, refused before anything runs when the database is at a revision the code
    does not know (a module folder deleted without its downgrade) or a module's migrations are wrong."""
    cfg = alembic_config(url, modules)
    check_module_migrations(cfg, modules)
    script = _script(cfg)
    for rev in heads(url):
        try:
            script.get_revision(rev)
        except CommandError:
            raise Refusal(W_UNKNOWN_REVISION, revision=rev) from None
    return cfg


def _run(fn, cfg: Config, revision: str) -> None:
    try:
        fn(cfg, revision)
    except CommandError as exc:
        raise Refusal(W_MIGRATION, detail=str(exc), detail_en=str(exc)) from exc


def upgrade(url: str, revision: str = "heads", modules: Path | None = None) -> None:
    """Upgrade to ``revision``: all heads (the core's and every module's) by default."""
    cfg = _prepared(url, modules)
    _run(command.upgrade, cfg, "heads" if revision == "head" else revision)


def downgrade(url: str, revision: str, modules: Path | None = None) -> None:
    """Downgrade to ``revision``; ``<module>@base`` drops one module's tables and nothing else."""
    cfg = _prepared(url, modules)
    label = revision.split("@", 1)[0] if "@" in revision else None
    if label is not None:
        script = _script(cfg)
        labels = sorted({lab for rev in script.walk_revisions() for lab in (rev.branch_labels or ())})
        if label not in labels and label not in {rev.revision for rev in script.walk_revisions()}:
            raise Refusal(W_MIGRATION, detail=f"没有名为「{label}」的模块迁移分支（现有：{'、'.join(labels) or '无'}）",
                          detail_en=f"no module migration branch '{label}' (there are: {', '.join(labels) or 'none'})")
    _run(command.downgrade, cfg, revision)


def heads(url: str) -> tuple[str, ...]:
    """The revisions the database is at: one per branch (the core's, each module's), sorted."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    finally:
        engine.dispose()


def revisions(url: str, modules: Path | None = None) -> dict[str, str]:
    """Where the database is, per branch: ``{"core": "pg01", "notes": "nt02"}`` (a module's
    revision implies the core revision it depends on, so Alembic stores only the module's)."""
    stored = heads(url)
    if not stored:
        return {}
    script = _script(alembic_config(url, modules))
    owner = {CORE_VERSIONS.resolve(): "core",
             **{d.resolve(): name for name, d in module_migration_dirs(modules).items()}}
    applied: dict[str, set[str]] = {}
    downs: set[str] = set()
    for head in stored:
        try:
            found = list(script.iterate_revisions(head, "base"))
        except CommandError:
            applied.setdefault("?", set()).add(head)  # not in the code (upgrade refuses it: W470)
            continue
        for rev in found:
            applied.setdefault(owner.get(Path(rev.path).resolve().parent, "?"), set()).add(rev.revision)
            downs.update(_downs(rev))  # inside its branch: depends_on does not count
    return {branch: ", ".join(sorted(revs - downs) or sorted(revs))
            for branch, revs in sorted(applied.items(), key=lambda kv: (kv[0] != "core", kv[0]))}


def current(url: str, modules: Path | None = None) -> str | None:
    """The database's revision per branch as one line (``"core pg01, notes nt02"``), None when empty."""
    at = revisions(url, modules)
    return ", ".join(f"{branch} {rev}" for branch, rev in at.items()) if at else None
