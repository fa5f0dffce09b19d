"""``tmis tier …``: the two tiers (两级建设, docs/two-level.md) over PostgreSQL logical replication.

On a province database:
    tmis tier publish                                    # what the province publishes, and the publication
    tmis tier subscribe --conninfo 'host=… dbname=…'     # formal identifiers back from the national tier
    tmis tier demo-approve --count 50                    # a demo province: approve some files
On the national database (TMIS_TIER=national):
    tmis tier init-national [--password P]               # the ministry unit, national accounts
    tmis tier subscribe --province 36 --conninfo '…'     # one subscription per province
    tmis tier dedup                                      # duplicates across provinces; formal identifiers
    tmis tier stats                                      # the statistics module's tables for the country (nightly)
    tmis tier lag                                        # each province: streaming, last sync, bytes behind
    tmis tier grant-app-role --role tmis_app             # the app's database role: SELECT only on province data
"""

from __future__ import annotations

from typing import Optional

import typer

tier_app = typer.Typer(help="两级建设 Two tiers: publish, subscribe, national duplicates and identifiers.",
                       no_args_is_help=True)
DB_OPT = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: $TMIS_DATABASE_URL)")


def _ctx(database_url: Optional[str]):
    from web.context import AppContext
    from web.settings import Settings

    from web.context import SettingsError

    settings = Settings.from_env(**({"database_url": database_url} if database_url else {}))
    try:
        return AppContext.build(settings)
    except SettingsError as exc:  # e.g. the national tier on SQLite (E570): the words, not a traceback
        _fail(exc)


def _fail(exc: Exception) -> None:
    typer.echo(str(exc), err=True)
    raise typer.Exit(1)


@tier_app.command("publish")
def publish(database_url: Optional[str] = DB_OPT,
            province: Optional[str] = typer.Option(None, "--province", help="province code (default: $TMIS_PROVINCE)")) -> None:
    """On a PROVINCE database (PostgreSQL, wal_level=logical, a role with REPLICATION that the national
    server can reach): copy units and approved files into the published tables (tier_units, tier_files,
    tier_movements) and CREATE PUBLICATION tmis_province. From then on approvals, moves and status
    changes follow in the same transaction. Safe to run again."""
    from web.tier.national import PROVINCE_CODE
    from web.tier.province import publish as do_publish

    ctx = _ctx(database_url)
    code = province or ctx.settings.province
    if not PROVINCE_CODE.match(code):
        _fail(ValueError(f"省份代码应为两位数字，而不是「{code}」/ a province code is two digits, not '{code}'"))
    with ctx.sessions() as db:
        out = do_publish(db, code)
        db.commit()
    typer.echo(f"省份 {code} 已发布 / province {code} published: {out['units']} 单位 units, {out['files']} 份已审核档案 "
               f"approved files (publication tmis_province)")


@tier_app.command("subscribe")
def subscribe(conninfo: str = typer.Option(..., "--conninfo", help="libpq connection string of the OTHER side, as "
                                           "this database server reaches it, e.g. 'host=10.0.0.36 port=5432 "
                                           "dbname=tmis user=replicator password=…'"),
              province: Optional[str] = typer.Option(None, "--province", help="on the NATIONAL database: the "
                                                     "province to subscribe to (two digits, e.g. 36)"),
              database_url: Optional[str] = DB_OPT) -> None:
    """On the NATIONAL database with --province: CREATE SUBSCRIPTION tmis_from_<province> to that
    province's publication (run `tmis tier publish` there first; the initial copy starts at once) and
    publish that province's formal identifiers (tmis_ids_<province>). On a PROVINCE database without
    --province: subscribe to its formal identifiers on the national database (tmis_identifiers).
    Needs a superuser (CREATE SUBSCRIPTION) and wal_level=logical on the publishing side."""
    from web.tier.national import TierError, subscribe as sub_national, subscribe_identifiers

    ctx = _ctx(database_url)
    with ctx.sessions() as db:
        try:
            name = sub_national(db, province, conninfo) if province else subscribe_identifiers(db, conninfo)
        except TierError as exc:
            _fail(exc)
    typer.echo(f"已订阅 / subscribed: {name}")


@tier_app.command("init-national")
def init_national(database_url: Optional[str] = DB_OPT,
                  password: Optional[str] = typer.Option(None, "--password", help="initial password of the national "
                                                         "accounts ministry-admin, ministry-reviewer, ministry-viewer "
                                                         "(changed at first sign-in); none: no accounts")) -> None:
    """On the NATIONAL database (TMIS_TIER=national): the ministry unit (the root of the national unit
    tree, the provinces' trees below it as they replicate) and the national accounts."""
    from web.tier.national import TierError, init_national as do_init

    ctx = _ctx(database_url)
    with ctx.sessions() as db:
        try:
            out = do_init(db, password_hash=ctx.hasher.hash(password) if password else None)
        except TierError as exc:
            _fail(exc)
        db.commit()
    typer.echo(f"全国库已初始化 / national tier ready: ministry {out['ministry']}; accounts: {', '.join(out['accounts']) or '—'}")


@tier_app.command("dedup")
def dedup(database_url: Optional[str] = DB_OPT) -> None:
    """On the NATIONAL database: find duplicates across provinces into the review queue, then issue
    formal identifiers to every file in no open duplicate (they replicate back to the provinces).
    Run it from cron, e.g. every 10 minutes."""
    from web.tier.service import run_dedup

    ctx = _ctx(database_url)
    with ctx.sessions() as db:
        out = run_dedup(db, None)
        db.commit()
    typer.echo(f"重复组 groups {out['groups']} (新 new {out['opened']}, 更新 updated {out['updated']}, "
               f"消除 gone {out['gone']}); 发放正式标识 identifiers issued {out['issued']}")


@tier_app.command("stats")
def stats(database_url: Optional[str] = DB_OPT) -> None:
    """On the NATIONAL database: build the statistics module's tables for the whole country and every
    province from the replicated files (then GET /api/v1/statistics/{table}?unit=00, or a province's
    unit code). Run it from cron after dedup, e.g. nightly; needs the statistics module."""
    from web.tier.natstats import NoStatisticsModule
    from web.tier.service import run_statistics

    ctx = _ctx(database_url)
    with ctx.sessions() as db:
        try:
            out = run_statistics(db, None, ctx.catalogue)
        except (NoStatisticsModule, RuntimeError) as exc:
            _fail(exc)
        db.commit()
    typer.echo(f"全国统计汇总表 / national statistics: {out['teachers']} 名在岗教师 teachers on the roll "
               f"({out['seconds']} s)")


@tier_app.command("lag")
def lag(database_url: Optional[str] = DB_OPT) -> None:
    """On the NATIONAL database: each province's subscription, last sync and bytes not yet received."""
    from web.tier.service import lag as get_lag

    ctx = _ctx(database_url)
    with ctx.sessions() as db:
        rows = get_lag(db)
    for r in rows:
        state = "streaming" if r["streaming"] else "DOWN"
        typer.echo(f"{r['province']} {state:<9} last sync {r['last_sync'] or '—'} behind "
                   f"{r['bytes_behind'] if r['bytes_behind'] is not None else '?'} bytes, {r['files']} files")


@tier_app.command("grant-app-role")
def grant_app_role(role: str = typer.Option(..., "--role", help="the database role the national app connects as"),
                   database_url: Optional[str] = DB_OPT) -> None:
    """On the NATIONAL database: give ROLE what the national app needs and no more: SELECT on
    everything, writes only on its own tables (sessions, accounts, audit, duplicates, identifiers)."""
    from web.tier.roles import grant

    ctx = _ctx(database_url)
    with ctx.sessions() as db:
        grant(db, role)
        db.commit()
    typer.echo(f"已授权 / granted: {role}")


@tier_app.command("demo-approve")
def demo_approve(count: int = typer.Option(50, "--count", help="how many demo files to approve"),
                 database_url: Optional[str] = DB_OPT) -> None:
    """On a DEMO province database: approve COUNT files through the review route (manager-<school>
    submits, reviewer-<unit> approves at each level), so the province has approved files to publish."""
    from web.tier.demo import approve_files

    out = approve_files(_ctx(database_url), count, progress=typer.echo)
    typer.echo(f"审核通过 approved {out['approved']}, 跳过 skipped {out['skipped']}")


def register(app: typer.Typer) -> None:
    app.add_typer(tier_app, name="tier")
