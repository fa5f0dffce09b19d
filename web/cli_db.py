"""``tmis db upgrade``, ``tmis units import``, ``tmis audit verify``, ``tmis serve``, ``tmis demo``,
``tmis accounts create-admin`` (bootstrap: the first system administrator of a unit)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

db_app = typer.Typer(help="数据库 Database: migrations.", no_args_is_help=True)
units_app = typer.Typer(help="单位 Units: import the unit tree.", no_args_is_help=True)
audit_app = typer.Typer(help="审计 Audit log.", no_args_is_help=True)
accounts_app = typer.Typer(help="账号 Accounts: bootstrap.", no_args_is_help=True)


def _settings(database_url: Optional[str] = None):
    from web.settings import Settings

    return Settings.from_env(**({"database_url": database_url} if database_url else {}))


DB_OPT = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: $TMIS_DATABASE_URL or sqlite:///tmis.sqlite3)")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head"), database_url: Optional[str] = DB_OPT) -> None:
    """Apply the migrations (creates the database tables on first run). 升级数据库结构。"""
    from web.db.migrate import current, upgrade

    settings = _settings(database_url)
    upgrade(settings.database_url, revision)
    typer.echo(f"数据库已升级到 {current(settings.database_url)} / database at revision {current(settings.database_url)}")


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


@audit_app.command("verify")
def audit_verify(database_url: Optional[str] = DB_OPT) -> None:
    """Check the hash chain of the audit log; exit 1 on any changed or deleted entry. 校验审计日志。"""
    from web import audit
    from web.db.base import make_engine, make_sessionmaker

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as db:
        result = audit.verify(db)
    engine.dispose()
    for seq, zh, en in result.problems:
        typer.echo(f"#{seq}: {zh} / {en}", err=True)
    if not result.ok:
        typer.echo(f"审计日志被篡改：{len(result.problems)} 处 / audit log tampered: {len(result.problems)} problems", err=True)
        raise typer.Exit(1)
    typer.echo(f"审计日志完整：{result.checked} 条，链头 #{result.head_seq} {result.head_hash}\n"
               f"audit log intact: {result.checked} entries, head #{result.head_seq} {result.head_hash}")


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
         database_url: Optional[str] = DB_OPT, seed: int = typer.Option(36, "--seed"),
         if_empty: bool = typer.Option(False, "--if-empty",
                                       help="do nothing (exit 0) when the database already holds data")) -> None:
    """Create the demo province 江西 (36) on an empty database. 创建演示数据。"""
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
    from sqlalchemy import select

    from web import audit
    from web.context import AppContext
    from web.db.models import Account, Grant
    from web.services.units import by_code
    from web.security.passwords import random_password

    settings = _settings(database_url)
    ctx = AppContext.build(settings)
    with ctx.sessions() as db:
        u = by_code(db, unit)
        if u is None:
            typer.echo(f"没有单位 {unit} / no unit {unit}", err=True)
            raise typer.Exit(1)
        taken = db.scalar(select(Grant).where(Grant.unit_id == u.id, Grant.role_key == "system_admin"))
        if taken is not None:
            typer.echo(f"{u.name} 已有系统管理员 / {u.name} already has a system administrator", err=True)
            raise typer.Exit(1)
        issued = random_password()
        account = Account(username=username, real_name=real_name, unit_id=u.id, kind="staff",
                          password_hash=ctx.hasher.hash(issued), must_change_password=True,
                          initial_password=ctx.box.seal(issued), failed_attempts=0, enabled=True)
        db.add(account)
        db.flush()
        db.add(Grant(account_id=account.id, unit_id=u.id, role_key="system_admin"))
        audit.record(db, "account.create", actor_name="cli", target_type="account", target_id=account.id,
                     unit_id=u.id, detail={"username": username, "roles": ["system_admin"]})
        db.commit()
    ctx.engine.dispose()
    typer.echo(f"{username} 初始密码 / initial password: {issued}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(units_app, name="units")
    app.add_typer(audit_app, name="audit")
    app.add_typer(accounts_app, name="accounts")
    app.command("serve")(serve)
    app.command("demo")(demo)
