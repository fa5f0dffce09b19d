"""``tmis stats …``: the statistics module's commands (web/cli.py registers every modules/<name>/cli.py).

    tmis stats refresh
    tmis stats snapshot [--as-of 2026-03-31] [--due-only]

``snapshot`` first takes the snapshot of every deadline of the calendar that passed without one
(saying so: "taken now by the command"), then a snapshot on demand of ``--as-of`` (today by
default) unless ``--due-only``.
"""

from __future__ import annotations

from typing import Optional

import typer

stats_app = typer.Typer(help="统计 Statistics: the summary tables and snapshots of the approved data.", no_args_is_help=True)


def _ctx(database_url: str | None):
    from web.context import AppContext
    from web.settings import Settings

    return AppContext.build(Settings.from_env(**({"database_url": database_url} if database_url else {})))


@stats_app.command("snapshot")
def snapshot_cmd(as_of: Optional[str] = typer.Option(None, "--as-of", help="the day of the snapshot on demand, "
                                                     "yyyy-MM-dd (default: today)"),
                 due_only: bool = typer.Option(False, "--due-only", help="only the deadlines passed without a snapshot"),
                 database_url: Optional[str] = typer.Option(None, "--database-url",
                                                            help="SQLAlchemy URL (default: $TMIS_DATABASE_URL)")) -> None:
    """生成统计快照: missed deadlines first, then one on demand."""
    from modules.statistics import snapshots as S
    from web.errors import Refusal

    ctx = _ctx(database_url)
    with ctx.sessions() as db:
        try:
            day = S.parse_as_of(as_of) if not due_only else None
        except Refusal as r:
            typer.echo(f"{r.code} {r.message('zh')} / {r.message('en')}\n{r.hint('zh')}", err=True)
            raise typer.Exit(2)
        missed = S.catch_up(db, trigger=S.COMMAND, cat=ctx.catalogue, actor_name="tmis stats snapshot")
        db.commit()
        for s in missed:
            typer.echo(f"{s.as_of} {s.label}: 截止日未生成快照，现由命令补做（{s.teachers} 人）/ "
                       f"deadline passed without a snapshot, taken now by the command ({s.teachers} teachers)")
        if not missed:
            typer.echo("没有遗漏的截止日快照 / no deadline snapshot was missing")
        if day is not None:
            s = S.on_demand(db, None, day, trigger=S.COMMAND, actor_name="tmis stats snapshot", cat=ctx.catalogue)
            db.commit()
            typer.echo(f"{s.as_of} 手动快照 #{s.id}：{s.teachers} 人 / snapshot #{s.id} on demand: {s.teachers} teachers")

@stats_app.command("refresh")
def refresh_command() -> None:
    """Rebuild the live summary tables (facts and per-unit counts) from the approved records.

    从已审核通过的数据全量重建统计汇总表（事实表与各单位汇总）。审核通过、调动、在职变动时汇总表会自动增量更新；
    单位的办学类型或隶属关系修改后、以及每天（年龄段随日期变化）请运行一次。
    """
    import resource
    import time

    from modules.statistics import refresh
    from web.context import AppContext
    from web.modules import Registry, use
    from web.settings import Settings

    settings = Settings.from_env()
    ctx = AppContext.build(settings)
    use(Registry.build(settings.repo_root, settings.province))
    started = time.perf_counter()
    with ctx.sessions() as db:
        done = refresh.rebuild(db, cat=ctx.catalogue,
                               progress=lambda n: typer.echo(f"  {n} …") if n % 100000 == 0 else None)
        db.commit()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    typer.echo(f"统计汇总表已重建 / summary tables rebuilt: {done['teachers']} 名教师 teachers in "
               f"{time.perf_counter() - started:.1f} s (facts {done['facts_s']:.1f} s, counts {done['counts_s']:.1f} s), "
               f"peak memory {peak:.0f} MB")
    ctx.engine.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(stats_app, name="stats")
