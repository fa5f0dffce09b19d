"""The summary tables: a full refresh gives the same figures as the records; an approval, a transfer
and a status change move the right counts at once (the core's events, inside the change's
transaction), and the figures still equal those computed directly from the records."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from modules.statistics import refresh
from modules.statistics import service as stats
from modules.statistics.models import StatFact, StatRefresh, StatUnitCount
from web.db.models import Unit
from web.people import clock, moves
from web.people import status as people_status

UNITS = ("36", "3601", "360102", "360103", "3601020001", "3601030001")


@pytest.fixture(scope="module")
def live(ctx, cats, world):
    """The world's live summary tables, built; removed afterwards (other tests read the records)."""
    with ctx.sessions() as db:
        refresh.rebuild(db, cat=cats["36"])
        db.commit()
    yield
    with ctx.sessions() as db:
        for model in (StatUnitCount, StatFact, StatRefresh):
            db.execute(delete(model))
        db.commit()


def _both(db, cat, me, table: str, unit: str) -> tuple[dict, dict]:
    """The table from the summary, and the same computed directly from the records."""
    got = stats.compute(db, me, table, unit, cat=cat)
    assert got.source == "summary"
    defs = stats.definitions(cat)
    where = stats._scope(db, stats.resolve_unit(db, me, unit), None, cat)
    counts, _ = stats.Direct().counts(db, cat, defs, where, list(defs.tables[table].dims))
    direct = stats.StatResult("", {}, defs.tables[table], got.dims, counts)
    return got.json(), {"rows": direct.rows(), "total": direct.total}


def _total(db, cat, me, unit: str, table: str = "gender") -> int:
    summary, direct = _both(db, cat, me, table, unit)
    assert summary["rows"] == direct["rows"], (unit, table)
    return summary["total"]


def test_a_full_refresh_gives_the_figures_of_the_records(live, ctx, cats, who):
    cat = cats["36"]
    with ctx.sessions() as db:
        me = who(db, "info_viewer@36")
        for table in stats.tables_for(me, cat):
            for unit in UNITS:
                summary, direct = _both(db, cat, me, table.key, unit)
                assert summary["rows"] == direct["rows"], (table.key, unit)
        ct = stats.crosstab(db, me, "school_type", "title_level", "36", cat=cat)
        assert ct.source == "summary" and ct.json()["total"] == _total(db, cat, me, "36")


def test_an_approval_counts_the_teacher_at_once(live, ctx, cats, who, approved_teacher):
    cat = cats["36"]
    with ctx.sessions() as db:
        me = who(db, "info_viewer@36")
        before = {u: _total(db, cat, me, u) for u in UNITS}
    approved_teacher("3601020001")
    with ctx.sessions() as db:
        after = {u: _total(db, cat, me, u) for u in UNITS}
    assert {u: after[u] - before[u] for u in UNITS} == {
        "36": 1, "3601": 1, "360102": 1, "360103": 0, "3601020001": 1, "3601030001": 0}


def test_a_transfer_moves_the_count_between_schools(live, ctx, cats, who, approved_teacher):
    cat = cats["36"]
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        me = who(db, "info_viewer@36")
        before = {u: _total(db, cat, me, u) for u in UNITS}
        target = db.scalar(select(Unit.id).where(Unit.code == "3601030001"))
        moves.transfer(db, cat, None, tid, target)
        db.commit()
        after = {u: _total(db, cat, me, u) for u in UNITS}
    assert {u: after[u] - before[u] for u in UNITS} == {
        "36": 0, "3601": 0, "360102": -1, "360103": 1, "3601020001": -1, "3601030001": 1}


def test_a_status_change_takes_a_retired_teacher_out(live, ctx, cats, who, approved_teacher):
    cat = cats["36"]
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        me = who(db, "info_viewer@36")
        before = {u: _total(db, cat, me, u, "person_status") for u in UNITS}
        people_status.set_status(db, cat, None, tid, "retired", None, clock.today())
        db.commit()
        after = {u: _total(db, cat, me, u, "person_status") for u in UNITS}
    assert {u: after[u] - before[u] for u in UNITS} == {
        "36": -1, "3601": -1, "360102": -1, "360103": 0, "3601020001": -1, "3601030001": 0}


def test_a_change_that_fails_leaves_the_counts_as_they_were(live, ctx, cats, who, approved_teacher):
    """The listener writes in the change's transaction: a rollback takes its counts back too."""
    cat = cats["36"]
    tid = approved_teacher("3601020002")
    with ctx.sessions() as db:
        me = who(db, "info_viewer@36")
        before = _total(db, cat, me, "3601020002")
        people_status.set_status(db, cat, None, tid, "retired", None, clock.today())
        assert _total(db, cat, me, "3601020002") == before - 1
        db.rollback()
        assert _total(db, cat, me, "3601020002") == before


def test_summary_tables_of_other_definitions_are_not_read(live, ctx, cats, who):
    cat = cats["36"]
    with ctx.sessions() as db:
        me = who(db, "info_viewer@36")
        db.get(StatRefresh, 0).definitions = "stale"
        db.flush()
        assert stats.compute(db, me, "gender", "36", cat=cat).source == "records"
        db.rollback()
        assert stats.compute(db, me, "gender", "36", cat=cat).source == "summary"
