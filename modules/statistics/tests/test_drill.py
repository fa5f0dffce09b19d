"""From a cell of a statistics table to its teachers (issue 16: drill to individuals), on the demo
province: the list a cell opens holds exactly the cell's count, for one- and two-dimension cells
and computed dimensions (年龄段), within the caller's scope; a cell of fewer than 5 teachers is
opened only with personal.read (no link, and the address refused with W620); ID numbers masked for a
viewer through web/privacy.py's Policy; every list audited."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from modules.statistics.tests.pagetools import clients, read
from web.db.models import AuditEntry

COUNT = re.compile(r'id="cell-count" data-count="(\d+)"')


@pytest.fixture(scope="module")
def as_(demo):
    return clients(demo)


def _open(c, href: str) -> tuple[int, int]:
    """(the count the list states, the teachers it lists across its pages)."""
    r = c.get(unescape(href))
    assert r.status_code == 200, r.text[:400]
    count = int(COUNT.search(r.text).group(1))
    listed = len(read(r.text).tables["cell-teachers"].rows) if count else 0
    return count, listed


def _cells(c, unit: str, table: str):
    page = read(c.get(f"/statistics/units/{unit}?table={table}").text)
    return [(int(r.attrs["data-count"]), r.links) for r in page.tables[f"table-{table}"].rows if "data-count" in r.attrs]


@pytest.mark.parametrize("who,unit,table", [
    ("county-viewer", "360102", "gender"), ("county-viewer", "360102", "age_structure"),
    ("city-viewer", "3601", "education"), ("province-viewer", "36", "title_level"),
    ("city-reviewer", "3601", "overview"), ("school-manager", "3601020001", "age_structure")])
def test_the_list_of_a_cell_holds_the_cells_count(as_, who, unit, table):
    c = as_(who)
    cells = _cells(c, unit, table)
    opened = 0
    for count, links in cells:
        if links:
            assert _open(c, links[0]) == (count, count), (table, links[0])
            opened += 1
    assert opened, f"no cell of {table} at {unit} opens for {who}"


def test_a_cross_table_cell_opens_its_teachers(as_):
    c = as_("city-reviewer")  # personal.read: every non-empty cell opens
    page = read(c.get("/statistics/units/3601/crosstab?row=age_band&col=gender").text)
    table = page.tables["crosstab-table"]
    seen = 0
    for row in table.rows:
        for cell, link in zip(row.cells[1:-1], row.links):
            assert "cell=age_band:" in link and "cell=gender:" in link
            count, listed = _open(c, link)
            assert count == listed
            seen += 1
        assert len(row.links) == sum(1 for v in row.cells[1:-1] if v != "0")
    assert seen
    # every cell's list together: the whole table
    total = int(table.attrs["data-total"])
    assert sum(_open(c, link)[0] for row in table.rows for link in row.links) == total


def test_a_small_cell_is_refused_without_personal_read_and_opened_with_it(as_):
    viewer, manager = as_("school-viewer"), as_("school-manager")
    small = [(n, links) for n, links in _cells(viewer, "3601020001", "gender") if n < 5]
    assert small and all(not links for _, links in small)
    big = [links[0] for n, links in _cells(manager, "3601020001", "gender") if n < 5]
    assert big  # the manager (personal.read) has the link of the same cell
    r = viewer.get(unescape(big[0]))
    assert r.status_code == 403 and "W620" in r.text
    assert _open(manager, big[0])[0] < 5


def test_a_viewer_sees_masked_id_numbers_and_every_list_is_audited(as_, demo):
    c = as_("county-viewer")
    link = next(links[0] for n, links in _cells(c, "360102", "gender") if links)
    r = c.get(unescape(link))
    ids = [row.cells[1] for row in read(r.text).tables["cell-teachers"].rows]
    assert ids and all("*" in v for v in ids)
    m = as_("city-reviewer")
    r = m.get(unescape(link))
    assert r.status_code == 200 and all("*" not in row.cells[1] for row in read(r.text).tables["cell-teachers"].rows)
    with demo.state.ctx.sessions() as db:
        last = db.scalars(select(AuditEntry).where(AuditEntry.action == "teacher.list")
                          .order_by(AuditEntry.seq.desc()).limit(2)).all()
    assert [e.detail["via"] for e in last] == ["statistics", "statistics"]
    assert last[0].detail["unmasked"] > 0 and last[1].detail["unmasked"] == 0


def test_scope_and_bad_addresses(as_):
    school = as_("school-viewer")
    r = school.get("/statistics/units/360102/teachers?cell=gender:1")
    assert r.status_code == 403 and "W475" in r.text  # the county is above the school viewer
    c = as_("county-viewer")
    assert "W622" in c.get("/statistics/units/360102/teachers").text
    assert "W622" in c.get("/statistics/units/360102/teachers?cell=gender").text
    assert "W478" in c.get("/statistics/units/360102/teachers?cell=nosuch:1").text
    assert "W623" in c.get("/statistics/units/360102/teachers?cell=gender:1&snapshot=1").text


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A demo province of its own whose summary tables are gone: figures and lists from the records."""
    from sqlalchemy import delete

    from modules.statistics.models import StatRefresh
    from modules.statistics.tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import fresh_database, make_settings
    from web.app import create_app
    from web.demo import build_demo

    with fresh_database(tmp_path_factory.mktemp("stats-bare")) as url:
        settings = make_settings(url)
        build_demo(settings, password=DEMO_PASSWORD, teachers=48, seed=3)
        application = create_app(settings)
        with application.state.ctx.sessions() as db:
            db.execute(delete(StatRefresh))
            db.commit()
        yield application
        application.state.ctx.engine.dispose()


def test_without_summary_tables_the_list_still_holds_the_cells_count(bare):
    from modules.statistics import drill
    from modules.statistics import service as stats
    from modules.statistics.tests.helpers import principal

    ctx = bare.state.ctx
    with ctx.sessions() as db:
        me = principal(ctx, db, "city-reviewer")
        result = stats.compute(db, me, "age_structure", "3601", cat=ctx.catalogue)
        assert result.source == "records"
        rows = result.json()["rows"]
        assert rows
        for row in rows:
            found = drill.teachers(db, me, "3601", row["dims"], cat=ctx.catalogue)
            assert found.count == row["count"] == len(found.items), row
        db.rollback()
