"""``tmis people …``: the dated effects of moves, run once a day (cron, a systemd timer).

    tmis people apply-dates [--day 2025-09-01]

Secondments (交流轮岗) end by themselves: every reader compares dates, so access is right even if
this never runs. What it adds is the 人员状态 the dates imply (交流轮岗 while a secondment lasts,
在本单位任职 after it) in each teacher's 基本信息. Running it twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

import typer

people_app = typer.Typer(help="人员 People: dated effects of transfers, rotations and status changes.",
                         no_args_is_help=True)


@people_app.command("apply-dates")
def apply_dates_cmd(day: Optional[str] = typer.Option(None, "--day", help="the day to apply (default: today), yyyy-MM-dd"),
                    database_url: Optional[str] = typer.Option(None, "--database-url",
                                                               help="SQLAlchemy URL (default: $TMIS_DATABASE_URL)")) -> None:
    """到期生效: secondments that began or ended by the day set 人员状态 accordingly."""
    from web.context import AppContext
    from web.people import moves
    from web.settings import Settings

    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        typer.echo(f"日期「{day}」无效（yyyy-MM-dd）/ '{day}' is not a date (yyyy-MM-dd)", err=True)
        raise typer.Exit(2)
    settings = Settings.from_env(**({"database_url": database_url} if database_url else {}))
    ctx = AppContext.build(settings)
    with ctx.sessions() as db:
        result = moves.apply_dates(db, ctx.catalogue, when)
        db.commit()
    typer.echo(f"交流轮岗开始 {result['started']} 人，结束 {result['ended']} 人 / "
               f"secondments begun: {result['started']}, ended: {result['ended']}")


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
