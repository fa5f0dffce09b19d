"""Snapshots and trends (issue 16): a snapshot freezes the approved data of its day (later changes
leave it alone), a teacher who moved is counted at the unit that held them on the snapshot's day,
a deadline passed without its snapshot is taken at the next start or by the command (the register
says which), and the trend API compares the snapshots with the current figures."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from modules.statistics import service as stats
from modules.statistics import snapshots as S
from modules.statistics.models import StatsSnapshot
from modules.statistics.tests.conftest import DEMO_PASSWORD
from modules.statistics.tests.helpers import approved_total, principal
from tests.web.conftest import Client, fresh_database, make_settings
from web.db.models import AuditEntry, Teacher, Unit
from web.people import clock


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """A small demo province of its own (snapshots change what other modules' tests would see)."""
    from web.app import create_app
    from web.demo import build_demo

    with fresh_database(tmp_path_factory.mktemp("stats-snap")) as url:
        settings = make_settings(url)
        build_demo(settings, password=DEMO_PASSWORD, teachers=48, seed=11)
        application = create_app(settings)
        yield application
        application.state.ctx.engine.dispose()


@pytest.fixture()
def ctx(town):
    return town.state.ctx


def _gender(db, ctx, me, unit, **kw):
    return {r["dims"]["gender"]: r["count"] for r in stats.compute(db, me, "gender", unit, cat=ctx.catalogue,
                                                                    **kw).json()["rows"]}


def test_a_snapshot_keeps_its_figures_and_movers_count_where_they_were(ctx):
    today = clock.today()
    with ctx.sessions() as db:
        me = principal(ctx, db, "province-viewer")
        snap = S.on_demand(db, None, trigger=S.COMMAND, actor_name="test", cat=ctx.catalogue)
        db.commit()
        assert snap.teachers == approved_total(db, "36") > 0
        live = _gender(db, ctx, me, "36")
        assert _gender(db, ctx, me, "36", snapshot=snap.id) == live
        assert stats.compute(db, me, "gender", "36", snapshot=snap.id, cat=ctx.catalogue).json()["as_of"] == today.isoformat()
        # a teacher of 3601020001 moves to 3601020002 twenty days from now
        a, b = (db.scalar(select(Unit).where(Unit.code == c)) for c in ("3601020001", "3601020002"))
        tid = db.scalar(select(Teacher.id).where(Teacher.unit_id == a.id, Teacher.state == "approved",
                                                 Teacher.left_on.is_(None)).order_by(Teacher.id))
        before = {c: approved_total(db, c) for c in ("3601020001", "3601020002")}
    later = today + dt.timedelta(days=40)
    with clock.frozen(later):
        from web.people import moves

        with ctx.sessions() as db:
            moves.transfer(db, ctx.catalogue, None, tid, b.id, on=today + dt.timedelta(days=20))
            db.commit()
        with ctx.sessions() as db:
            me = principal(ctx, db, "province-viewer")
            early = S.on_demand(db, None, today + dt.timedelta(days=10), trigger=S.COMMAND, cat=ctx.catalogue)
            late = S.on_demand(db, None, today + dt.timedelta(days=30), trigger=S.COMMAND, cat=ctx.catalogue)
            db.commit()
            count = {(s, c): stats.compute(db, me, "gender", c, snapshot=s.id, cat=ctx.catalogue).total
                     for s in (snap, early, late) for c in ("3601020001", "3601020002")}
    # before the move (taken earlier, or of a day before it): at the old school; after it: at the new one
    for s in (snap, early):
        assert count[(s, "3601020001")] == before["3601020001"] and count[(s, "3601020002")] == before["3601020002"]
    assert count[(late, "3601020001")] == before["3601020001"] - 1
    assert count[(late, "3601020002")] == before["3601020002"] + 1
    with ctx.sessions() as db:  # the snapshots are audited
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "statistics.snapshot",
                                                  AuditEntry.target_id == str(late.id))) is not None


def test_a_snapshot_date_must_be_a_past_day(ctx):
    from web.errors import Refusal

    for bad in ("2026-13-01", "tomorrow", (clock.today() + dt.timedelta(days=1)).isoformat()):
        with pytest.raises(Refusal) as got:
            S.parse_as_of(bad)
        assert got.value.code == "W513"


def _deadline_snaps(ctx):
    with ctx.sessions() as db:
        return {s.deadline_key: s.trigger for s in db.scalars(select(StatsSnapshot).where(
            StatsSnapshot.deadline_key.is_not(None)))}


def test_a_missed_deadline_is_taken_at_the_next_start(town, ctx):
    """The files were made today; with the clock past the next end of March, that deadline has no
    snapshot: starting the app takes it (in a thread) and says it was taken at the start."""
    from litestar.testing import TestClient

    today = clock.today()
    march = dt.date(today.year + 1, 3, 31)
    with clock.frozen(march + dt.timedelta(days=3)):
        with ctx.sessions() as db:
            assert [d.isoformat() for d, _ in S.missed(db)][-1] == march.isoformat()
        with TestClient(town):  # Litestar's startup: the on_startup hook
            for t in threading.enumerate():
                if t.name == "stats-snapshots":
                    t.join(60)
        taken = _deadline_snaps(ctx)
        assert taken[march.isoformat()] == "startup"
        with ctx.sessions() as db:
            assert S.missed(db) == []  # taken once
            snap = db.scalar(select(StatsSnapshot).where(StatsSnapshot.deadline_key == march.isoformat()))
            assert snap.as_of == march and "3 月底" in snap.label and S.snapshot_json(snap)["late"] is False


def test_the_command_takes_missed_deadlines_and_one_on_demand(town, ctx, monkeypatch):
    from web.cli import app as cli

    monkeypatch.setenv("TMIS_DATABASE_URL", ctx.settings.database_url)
    today = clock.today()
    september = dt.date(today.year + 1, 9, 30)
    with clock.frozen(september + dt.timedelta(days=1)):
        out = CliRunner().invoke(cli, ["stats", "snapshot", "--as-of", september.isoformat()])
        assert out.exit_code == 0, out.output
        assert f"{september} " in out.output and "taken now by the command" in out.output
        assert "on demand" in out.output
        assert _deadline_snaps(ctx)[september.isoformat()] == "command"
        again = CliRunner().invoke(cli, ["stats", "snapshot", "--due-only"])
        assert again.exit_code == 0 and "no deadline snapshot was missing" in again.output
        bad = CliRunner().invoke(cli, ["stats", "snapshot", "--as-of", "2099-01-01"])
        assert bad.exit_code == 2 and "W513" in bad.output


def test_the_trend_api_compares_the_snapshots_with_now(town, ctx):
    c = Client(town, "county-viewer", DEMO_PASSWORD)
    r = c.get("/api/v1/statistics/gender/trend?unit=360102")
    assert r.status_code == 200, r.text
    body = r.json()
    with ctx.sessions() as db:
        me = principal(ctx, db, "county-viewer")
        snaps = S.listing(db)
        want = [stats.compute(db, me, "gender", "360102", snapshot=s.id, cat=ctx.catalogue).total for s in snaps]
        now = approved_total(db, "360102")
    assert [p["total"] for p in body["points"]] == want + [now]
    assert body["points"][-1]["snapshot"] is None and body["points"][0]["snapshot"]["id"] == snaps[0].id
    assert sum(s["counts"][-1] for s in body["series"]) == now
    assert body["change"]["total"] == now - want[-1]
    # scope: a school viewer asking for the county is refused, as for any table
    school = Client(town, "school-viewer", DEMO_PASSWORD)
    assert school.get("/api/v1/statistics/gender/trend?unit=360102").status_code == 403
    assert school.get("/api/v1/statistics/gender?unit=3601020001&snapshot=999999").json()["code"] == "W481"
    assert [s["id"] for s in c.get("/api/v1/statistics/snapshots").json()["items"]] == [s.id for s in snaps]


def test_the_trends_page_and_the_provinces_button(town, ctx):
    from tests.web.conftest import post_form

    reviewer = Client(town, "province-reviewer", DEMO_PASSWORD)
    page = reviewer.get("/statistics/units/36/trends?table=gender")
    assert page.status_code == 200 and 'id="take-snapshot"' in page.text and 'data-chart="chart-trend"' in page.text
    with ctx.sessions() as db:
        before = len(S.listing(db))
        now = approved_total(db, "36")
    r = post_form(reviewer, "/statistics/units/36/trends", "/statistics/snapshots", {"as_of": ""})
    assert r.status_code == 303 and "/statistics/units/36/trends" in r.headers["location"]
    with ctx.sessions() as db:
        snaps = S.listing(db)
        newest = max(snaps, key=lambda s: s.id)
        assert len(snaps) == before + 1 and newest.trigger == "button" and newest.teachers == now
    page = reviewer.get("/statistics/units/36/trends?table=gender").text
    assert page.count('<tr data-total="') == before + 2  # every snapshot and now
    assert f'<tr data-total="{now}"><td>当前' in page
    # a bad day: the page again with W513; a viewer (no record.review) and a county get no button and are refused
    r = post_form(reviewer, "/statistics/units/36/trends", "/statistics/snapshots", {"as_of": "2099-01-01"})
    assert r.status_code == 422 and "W513" in r.text
    for who in ("province-viewer", "county-reviewer"):
        c = Client(town, who, DEMO_PASSWORD)
        own = "36" if who.startswith("province") else "360102"
        assert 'id="take-snapshot"' not in c.get(f"/statistics/units/{own}/trends").text
        assert post_form(c, f"/statistics/units/{own}/trends", "/statistics/snapshots", {}).status_code == 403
    # a school viewer cannot open the county's trends (403 page, not 500)
    assert Client(town, "school-viewer", DEMO_PASSWORD).get("/statistics/units/360102/trends").status_code == 403


def test_the_trends_page_says_who_takes_snapshots_and_when_the_next_is_due(town):
    """No command for a reader to run: when the next deadline is and who may take one in between."""
    today = clock.today()
    due = [dt.date(today.year + k, m, d) for k in (0, 1) for m, d in ((3, 31), (9, 30))]
    nxt = min(day for day in due if day >= today)
    for who, own, button in (("province-viewer", "36", False), ("county-reviewer", "360102", False),
                             ("province-reviewer", "36", True)):
        page = Client(town, who, DEMO_PASSWORD).get(f"/statistics/units/{own}/trends").text
        note = page[page.index('id="snapshot-when"'):].split("</p>")[0]
        assert "tmis" not in note and "自动冻结" in note  # (the register may say a snapshot was taken by command)
        assert f'<span id="next-due">下一次：{nxt.isoformat()}' in page
        assert ('id="take-snapshot"' in page) is button
        assert ("请联系省级信息审核员或信息管理员生成" in page) is not button
    assert S.next_due(dt.date(2026, 4, 1), S.deployment_calendar())[0] == dt.date(2026, 9, 30)
    assert S.next_due(dt.date(2026, 3, 31), S.deployment_calendar())[0] == dt.date(2026, 3, 31)


def test_the_trends_page_opens_on_a_one_way_table(town, ctx):
    """Opened from the menu (no table asked for), the trends page showed the catalogue's first table,
    a three-way overview: a row of about 55 columns. It opens on the first one-way table."""
    import re

    from modules.statistics import service as stats

    page = Client(town, "county-viewer", DEMO_PASSWORD).get("/statistics/units/360102/trends").text
    chosen = re.search(r'<option value="([^"]+)" selected>', page).group(1)
    tables = list(stats.definitions(ctx.catalogue).tables.values())
    assert len(tables[0].dims) > 1  # what the page used to open on
    assert chosen == next(t.key for t in tables if len(t.dims) == 1)
