"""``tmis review …``: progress per unit, collection windows, and the queue from the command line.

Commands act as a named account (``--as``), through the same services, scope and audit as the
web: the command line is not a way around permissions.

    tmis review progress --as info_manager@36 [--unit 3601]
    tmis review window --as info_manager@36 --unit 36 --title 年度信息更新 --due 2027-03-31
    tmis review queue --as info_reviewer@360102 [--kind change] [--min-days 7]
"""

from __future__ import annotations

from datetime import date
from typing import Optional

import typer

review_app = typer.Typer(help="审核 Review: progress, collection windows, queues.", no_args_is_help=True)
DB_OPT = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: $TMIS_DATABASE_URL)")
AS_OPT = typer.Option(..., "--as", help="act as this account (username)")


def _session_and_principal(database_url: Optional[str], username: str):
    from sqlalchemy import select

    from web.context import AppContext
    from web.db.models import Account
    from web.services import auth
    from web.settings import Settings

    settings = Settings.from_env(**({"database_url": database_url} if database_url else {}))
    ctx = AppContext.build(settings)
    db = ctx.sessions()
    account = db.scalar(select(Account).where(Account.username == username))
    if account is None or not account.enabled:
        typer.echo(f"没有可用账号「{username}」/ no enabled account '{username}'", err=True)
        raise typer.Exit(2)
    return ctx, db, auth.principal_of(account, ctx)


def _refused(exc) -> None:
    typer.echo(f"{exc.code} {exc.message('zh')} / {exc.message('en')}", err=True)
    raise typer.Exit(1)


@review_app.command("progress")
def progress_cmd(as_: str = AS_OPT, unit: Optional[str] = typer.Option(None, "--unit"),
                 database_url: Optional[str] = DB_OPT) -> None:
    """上报进展: per unit below, teachers by state, late units."""
    from web.errors import Refusal
    from web.review import progress as P

    _, db, me = _session_and_principal(database_url, as_)
    try:
        data = P.progress(db, me, unit)
    except Refusal as exc:
        _refused(exc)
    for w in data["windows"]:
        left = w["days_left"]
        typer.echo(f"{w['title']} 截止 {w['due_on']} " + (f"已逾期 {-left} 天" if left < 0 else f"还剩 {left} 天"))
    typer.echo(f"{'单位 unit':<24}{'教师':>7}{'未报送':>7}{'待审核':>7}{'通过':>7}{'退回':>7}  逾期")
    for r in data["rows"]:
        typer.echo(f"{r['unit_name']:<24}{r['total']:>7}{r['unsubmitted']:>7}{r['pending']:>7}"
                   f"{r['approved']:>7}{r['rejected']:>7}  {'逾期 late' if r['late'] else ''}")
    db.close()


@review_app.command("window")
def window_cmd(as_: str = AS_OPT, unit: str = typer.Option(..., "--unit"), title: str = typer.Option(..., "--title"),
               due: str = typer.Option(..., "--due", help="YYYY-MM-DD"),
               title_en: Optional[str] = typer.Option(None, "--title-en"),
               database_url: Optional[str] = DB_OPT) -> None:
    """开启采集: a collection window with a deadline for every unit below ``--unit``."""
    from web.errors import Refusal
    from web.review import progress as P

    _, db, me = _session_and_principal(database_url, as_)
    try:
        w = P.open_window(db, me, unit, title, date.fromisoformat(due), title_en=title_en)
        db.commit()
    except Refusal as exc:
        _refused(exc)
    typer.echo(f"已开启「{w.title}」，截止 {w.due_on} / window '{w.title}' open, due {w.due_on}")
    db.close()


@review_app.command("queue")
def queue_cmd(as_: str = AS_OPT, kind: Optional[str] = typer.Option(None, "--kind"),
              unit: Optional[str] = typer.Option(None, "--unit"), min_days: Optional[int] = typer.Option(None, "--min-days"),
              limit: int = typer.Option(20, "--limit"), database_url: Optional[str] = DB_OPT) -> None:
    """待审核: what waits for this account's review."""
    from web.errors import Refusal
    from web.review import queue as Q

    ctx, db, me = _session_and_principal(database_url, as_)
    try:
        data = Q.queue(db, ctx.catalogue, me, unit_code=unit, kind=kind, min_days=min_days, limit=limit)
    except Refusal as exc:
        _refused(exc)
    typer.echo(f"共 {data['total']} 条 / {data['total']} waiting")
    for i in data["items"]:
        typer.echo(f"#{i['case']:<8} {i['name']:<10} {i['unit_name']:<20} {i['kind_label']:<6} "
                   f"{i['level_label']:<4} {i['age_days']} 天")
    db.close()


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
