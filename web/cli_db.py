"""``tmis db upgrade``, ``tmis units import``, ``tmis audit verify|anchor``, ``tmis serve``, ``tmis demo``,
``tmis accounts create-admin`` (bootstrap: the first system administrator of a unit), ``tmis accounts duties``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

db_app = typer.Typer(help="数据库 Database: migrations.", no_args_is_help=True)
units_app = typer.Typer(help="单位 Units: import the unit tree.", no_args_is_help=True)
audit_app = typer.Typer(help="审计 Audit log.", no_args_is_help=True)
accounts_app = typer.Typer(help="账号 Accounts: bootstrap, separation of duties.", no_args_is_help=True)


def _settings(database_url: Optional[str] = None):
    from web.settings import Settings

    return Settings.from_env(**({"database_url": database_url} if database_url else {}))


DB_OPT = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: $TMIS_DATABASE_URL or sqlite:///tmis.sqlite3)")


def _migrate(fn, url: str, revision: str) -> None:
    """Run ``fn`` (web.db.migrate.upgrade or downgrade); a refusal (W470–W472) exits 1 with its message and fix."""
    from web.errors import Refusal

    try:
        fn(url, revision)
    except Refusal as ref:
        typer.echo(f"{ref.code} {ref.message('zh')} / {ref.message('en')}\n{ref.hint('zh')}\n{ref.hint('en')}", err=True)
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="heads (the core and every module, the default) or a revision"),
               database_url: Optional[str] = DB_OPT) -> None:
    """Apply the migrations of the core and of every module (creates the tables on first run). 升级数据库结构。"""
    from web.db.migrate import current, upgrade

    settings = _settings(database_url)
    _migrate(upgrade, settings.database_url, revision)
    at = current(settings.database_url)
    typer.echo(f"数据库已升级到 {at} / database at revision {at}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="<module>@base drops one module's tables (before deleting "
                                                          "its folder); or a revision"),
                 database_url: Optional[str] = DB_OPT) -> None:
    """Undo migrations: ``tmis db downgrade transfer@base`` drops the module's tables and nothing else. 回退数据库结构。"""
    from web.db.migrate import current, downgrade

    settings = _settings(database_url)
    _migrate(downgrade, settings.database_url, revision)
    at = current(settings.database_url)
    typer.echo(f"数据库现处于 {at} / database at revision {at}")


@units_app.command("import")
def units_import(file: Path = typer.Argument(..., exists=True, readable=True, help="xlsx: 代码, 名称, 层级, 上级代码, 办学类型, 城乡类型"),
                 database_url: Optional[str] = DB_OPT) -> None:
    """Create or update units from a spreadsheet (all or nothing). 从表格导入单位。"""
    from web.db.base import make_engine, make_sessionmaker
    from web.services.units import import_xlsx

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as db:
        result = import_xlsx(db, file, settings.repo_root)
        if result.problems:
            db.rollback()
            for row, zh, en in result.problems:
                typer.echo(f"第 {row} 行 / row {row}: {zh} / {en}", err=True)
            typer.echo(f"未导入：{len(result.problems)} 个问题 / nothing imported: {len(result.problems)} problems", err=True)
            raise typer.Exit(1)
        db.commit()
    engine.dispose()
    typer.echo(f"新增 {result.created}，更新 {result.updated} / created {result.created}, updated {result.updated}")


ANCHOR_OPT = typer.Option(None, "--anchor", help="an anchor file written by `tmis audit anchor` (kept off this machine)")


def _audit_session(database_url: Optional[str]):
    """(sessionmaker, sealer, engine) for the audit commands; exits 2 without the production key."""
    from web import audit
    from web.db.base import make_engine, make_sessionmaker

    settings = _settings(database_url)
    try:
        sealer = audit.sealer_for(settings)
    except audit.AuditKeyMissing as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    engine = make_engine(settings.database_url)
    audit.use_sealer(engine, sealer)
    return make_sessionmaker(engine), sealer, engine


@audit_app.command("verify")
def audit_verify(database_url: Optional[str] = DB_OPT, anchor: Optional[Path] = ANCHOR_OPT) -> None:
    """Check the keyed hash chain of the audit log (and, with --anchor, that it still reaches the
    anchored entry unchanged); exit 1 on any changed or deleted entry. 校验审计日志。"""
    from web import audit

    anchored = None
    if anchor is not None:
        try:
            anchored = audit.read_anchor(anchor.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            typer.echo(f"锚点文件无法读取 / cannot read the anchor file {anchor}: {exc}", err=True)
            raise typer.Exit(2)
    sessions, sealer, engine = _audit_session(database_url)
    with sessions() as db:
        result = audit.verify(db, sealer, anchored)
    engine.dispose()
    for zh, en in result.warnings:
        typer.echo(f"注意 / note: {zh} / {en}", err=True)
    for seq, zh, en in result.problems:
        typer.echo(f"#{seq}: {zh} / {en}", err=True)
    if not result.ok:
        typer.echo(f"审计日志被篡改：{len(result.problems)} 处 / audit log tampered: {len(result.problems)} problems", err=True)
        raise typer.Exit(1)
    typer.echo(f"审计日志完整：{result.checked} 条（带密钥 {result.keyed}，升级前 {result.unkeyed}），链头 #{result.head_seq} {result.head_hash}"
               + (f"，与锚点 #{anchored['seq']} 相符" if anchored else "") + "\n"
               f"audit log intact: {result.checked} entries ({result.keyed} keyed, {result.unkeyed} from before the key), "
               f"head #{result.head_seq} {result.head_hash}" + (f", matches the anchor #{anchored['seq']}" if anchored else ""))


@audit_app.command("anchor")
def audit_anchor(out: Optional[Path] = typer.Option(None, "--out", help="file to write (default: standard output)"),
                 database_url: Optional[str] = DB_OPT) -> None:
    """Write the audit log's head (seq, hash, time, signed with the key) for a cron job to ship off
    this machine; `tmis audit verify --anchor FILE` then finds a log cut back or rewritten. 导出审计日志锚点。"""
    import json

    from web import audit

    sessions, sealer, engine = _audit_session(database_url)
    with sessions() as db:
        body = audit.anchor(db, sealer)
    engine.dispose()
    text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)  # a reader (the shipping job) never sees half a file
    typer.echo(f"锚点已写入 {out}：第 {body['seq']} 条 / anchor written to {out}: entry #{body['seq']}", err=True)


def serve(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
          workers: int = typer.Option(1, "--workers"), reload: bool = typer.Option(False, "--reload")) -> None:
    """Run the web app (uvicorn). 启动网站。"""
    import uvicorn

    # The app decides which proxies to believe (TMIS_TRUSTED_PROXIES); uvicorn's own handling would
    # trust X-Forwarded-For from 127.0.0.1 regardless.
    uvicorn.run("web.app:asgi", factory=True, host=host, port=port, workers=workers, reload=reload,
                proxy_headers=False)


def demo(password: str = typer.Option("Demo@2024", "--password", help="password of every demo account"),
         teachers: int = typer.Option(600, "--teachers", help="number of synthetic teachers"),
         database_url: Optional[str] = DB_OPT,
         seed: Optional[int] = typer.Option(None, "--seed", help="random seed (default: the province code)"),
         if_empty: bool = typer.Option(False, "--if-empty",
                                       help="do nothing (exit 0) when the database already holds data")) -> None:
    """Create the demo province 江西 (36), or 甘肃 (62) with TMIS_PROVINCE=62, on an empty database. 创建演示数据。"""
    from web.demo import DemoError, build_demo, is_empty
    from web.db.migrate import upgrade

    settings = _settings(database_url)
    upgrade(settings.database_url)
    if if_empty and not is_empty(settings):
        typer.echo("数据库已有数据，跳过演示数据 / the database already holds data: demo skipped")
        return
    try:
        summary = build_demo(settings, password=password, teachers=teachers, seed=seed,
                             progress=lambda msg: typer.echo(msg))
    except DemoError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    typer.echo(summary)


@accounts_app.command("create-admin")
def create_admin(unit: str = typer.Option(..., "--unit", help="unit code"),
                 username: str = typer.Option(..., "--username"),
                 real_name: str = typer.Option(..., "--real-name"),
                 database_url: Optional[str] = DB_OPT) -> None:
    """Appoint a unit's system administrator from the command line (the first one of a deployment).
    Prints the initial password once; it must be changed at first sign-in."""
    from web.context import AppContext
    from web.errors import Refusal
    from web.services.accounts import bootstrap_admin

    ctx = AppContext.build(_settings(database_url))
    try:
        with ctx.sessions() as db:
            try:
                account, issued = bootstrap_admin(db, ctx, unit, username, real_name)
            except Refusal as ref:
                typer.echo(f"{ref.message('zh')} / {ref.message('en')}", err=True)
                raise typer.Exit(1)
            db.commit()
    finally:
        ctx.engine.dispose()
    typer.echo(f"{account.username} 初始密码 / initial password: {issued}")


@accounts_app.command("duties")
def duties(database_url: Optional[str] = DB_OPT) -> None:
    """List accounts holding roles of two duties (system administrator and a data role), which
    this version no longer grants; exit 1 if there are any. 列出同时拥有系统管理员和信息角色的账号。"""
    from web.context import AppContext
    from web.services.accounts import duty_conflicts

    ctx = AppContext.build(_settings(database_url))
    try:
        with ctx.sessions() as db:
            found = [(a.username, a.unit.code, roles) for a, roles in duty_conflicts(db, ctx)]
    finally:
        ctx.engine.dispose()
    for username, code, roles in found:
        typer.echo(f"{username} ({code}): {', '.join(roles)}")
    if found:
        typer.echo(f"{len(found)} 个账号同时担任两种职责：请收回其一，另建实名账号 / "
                   f"{len(found)} accounts hold two duties: revoke one and create a separate real-name account", err=True)
        raise typer.Exit(1)
    typer.echo("没有同时担任两种职责的账号 / no account holds two duties")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(units_app, name="units")
    app.add_typer(audit_app, name="audit")
    app.add_typer(accounts_app, name="accounts")
    app.command("serve")(serve)
    app.command("demo")(demo)
