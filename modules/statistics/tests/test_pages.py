"""The statistics dashboards as their users see them (issue 16), on the demo province: the page of a
unit shows the API's numbers for every table, the units one level down with the API's totals (a
click drills down), a school's cells link to the teacher list only for 5 teachers or more unless the
viewer may read personal data, a school viewer gets a 403 page for the province (not a 500), the
cross-table builder, the print view, English, and no script the CSP would refuse."""

from __future__ import annotations

import re

import pytest

from modules.statistics import service as stats
from modules.statistics.tests.helpers import principal
from modules.statistics.tests.pagetools import clients, read, shown


@pytest.fixture(scope="module")
def as_(demo):
    return clients(demo)


def _api(client, table: str, unit: str, lang: str = "zh") -> dict:
    r = client.get(f"/api/v1/statistics/{table}?unit={unit}&lang={lang}")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("who,unit", [("province-viewer", "36"), ("city-reviewer", "3601"),
                                      ("county-viewer", "360102"), ("school-viewer", "3601020001")])
def test_the_dashboard_shows_the_api_numbers_for_every_table(as_, who, unit):
    c = as_(who)
    r = c.get(f"/statistics/units/{unit}")
    assert r.status_code == 200, r.text
    page = read(r.text)
    tables = c.get("/api/v1/statistics").json()["tables"]
    assert tables
    for t in tables:
        api = _api(c, t["key"], unit)
        shown_table = page.tables[f"table-{t['key']}"]
        assert shown_table.attrs["data-total"] == str(api["total"])
        assert shown_table.foot[0] == "合计" and shown_table.foot[1] == str(api["total"])
        rows = [row for row in shown_table.rows if "data-count" in row.attrs]
        assert len(rows) == len(api["rows"]), t["key"]
        for seen, want in zip(rows, api["rows"]):
            assert seen.cells[:len(api["dims"])] == [want["labels"][d["key"]] for d in api["dims"]]
            assert seen.attrs["data-count"] == str(want["count"])
            for m in api["measures"]:
                assert seen.measures[m["key"]] == shown(m["key"], want.get(m["key"])), (t["key"], m)
        assert f'id="card-{t["key"]}"' in r.text
    first = _api(c, tables[0]["key"], unit)
    assert re.search(r'id="head-total"><b>' + f"{first['total']:,}", r.text)


def test_every_chart_says_what_data_it_shows(as_):
    r = as_("province-viewer").get("/statistics/units/36")
    api = _api(as_("province-viewer"), "gender", "36")
    day = api["as_of"][:10]
    charts = re.findall(r'<script type="application/json" id="(chart-[\w-]+)">(.*?)</script>', r.text, re.S)
    assert len(charts) == len(as_("province-viewer").get("/api/v1/statistics").json()["tables"]) + 1  # + the units below
    import json

    for _, body in charts:
        spec = json.loads(body)
        assert spec["as_of"].startswith("数据截至 " + day), spec["as_of"]
    assert f"数据截至 {day}" in r.text


def test_the_units_below_carry_the_api_totals_and_open_their_dashboard(as_):
    c = as_("province-viewer")
    page = read(c.get("/statistics/units/36").text)
    below = page.tables["units-below"]
    children = c.get("/api/v1/statistics/overview/children?unit=36").json()["children"]
    assert [r.attrs["data-unit"] for r in below.rows] == [k["unit"]["code"] for k in children] == ["3601", "3604"]
    for row, kid in zip(below.rows, children):
        assert row.cells == [kid["unit"]["name"], str(kid["total"])]
        assert row.links == [f"/statistics/units/{kid['unit']['code']}"]
    # drill down twice: the city, then its first county; each page lists its own units below
    city = read(c.get("/statistics/units/3601").text)
    assert [r.attrs["data-unit"] for r in city.tables["units-below"].rows] == ["360102", "360111"]
    county = c.get("/statistics/units/360102")
    assert county.status_code == 200
    schools = read(county.text).tables["units-below"].rows
    assert schools and all(r.attrs["data-unit"].startswith("360102") for r in schools)
    # the breadcrumb goes back up
    assert '<a href="/statistics/units/36">' in county.text and '<a href="/statistics/units/3601">' in county.text


def test_the_drill_down_follows_the_table_chosen(as_):
    c = as_("city-viewer")
    page = c.get("/statistics/units/3601?table=gender")
    assert page.status_code == 200
    assert 'value="gender" selected' in page.text
    assert "/statistics/units/360102?table=gender" in page.text


def test_a_school_viewer_gets_a_403_page_for_the_province_and_its_county(as_):
    c = as_("school-viewer")
    for unit in ("36", "360102", "3601020002"):
        for path in ("", "/print", "/crosstab", "/export.xlsx?table=gender", "/units.xlsx", "/crosstab.xlsx?row=gender&col=school_type"):
            r = c.get(f"/statistics/units/{unit}{path}")
            assert r.status_code == 403, (unit, path, r.status_code)
            assert "W475" in r.text and "text/html" in r.headers["content-type"]
    assert c.get("/statistics/units/3601020001").status_code == 200


def test_refusals_are_pages_with_their_code(as_, demo):
    c = as_("province-viewer")
    missing = c.get("/statistics/units/99999")
    assert missing.status_code == 404 and "W476" in missing.text
    table = c.get("/statistics/units/36/export.xlsx?table=nope")
    assert table.status_code == 404 and "W477" in table.text
    bad = c.get("/statistics/units/36?school_type=nope")
    assert bad.status_code == 422 and "W479" in bad.text
    admin = as_("province-admin")  # 系统管理员: no stats.read
    assert admin.get("/statistics/units/36").status_code == 403
    assert "W480" in admin.get("/statistics/", follow_redirects=False).text


def test_the_menu_leads_to_the_own_units_dashboard(as_):
    c = as_("county-viewer")
    home = c.get("/admin/").text
    assert 'id="menu-section-stats"' in home and 'href="/statistics/"' in home and "统计分析" in home
    r = c.get("/statistics/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/statistics/units/360102"
    r = c.get("/statistics/crosstab", follow_redirects=False)
    assert r.headers["location"] == "/statistics/units/360102/crosstab"
    assert 'id="menu-section-stats"' not in as_("province-admin").get("/admin/").text


def _school_rows(c, table: str):
    page = read(c.get(f"/statistics/units/3601020001?table={table}").text)
    return [r for r in page.tables[f"table-{table}"].rows if "data-count" in r.attrs]


def test_a_school_cell_under_5_teachers_is_not_drilled_into_without_personal_read(as_):
    viewer = _school_rows(as_("school-viewer"), "gender") + _school_rows(as_("school-viewer"), "by_school_type")
    assert any(int(r.attrs["data-count"]) < 5 for r in viewer) and any(int(r.attrs["data-count"]) >= 5 for r in viewer)
    for r in viewer:
        if int(r.attrs["data-count"]) < 5:
            assert r.links == [] and "不足5人" in r.cells[-1]
        else:
            assert len(r.links) == 1 and r.links[0].startswith("/statistics/units/3601020001/teachers?cell=")
    manager = _school_rows(as_("school-manager"), "gender")  # 信息管理员: personal.read
    assert manager and all(len(r.links) == 1 and "/teachers?cell=gender:" in r.links[0] for r in manager)


def test_cells_above_school_level_open_the_teachers_of_the_cell(as_):
    """Not only a school's: a county's cell opens the list of its teachers with those codes (test_drill.py)."""
    page = read(as_("county-viewer").get("/statistics/units/360102").text)
    links = [link for key, t in page.tables.items() if key.startswith("table-") for r in t.rows for link in r.links]
    assert links and all(link.startswith("/statistics/units/360102/teachers?cell=") for link in links)


def test_the_cross_table_equals_the_service(as_, demo):
    c = as_("city-viewer")
    r = c.get("/statistics/units/3601/crosstab?row=education&col=gender")
    assert r.status_code == 200, r.text
    with demo.state.ctx.sessions() as db:
        me = principal(demo.state.ctx, db, "city-viewer")
        ct = stats.crosstab(db, me, "education", "gender", "3601", cat=demo.state.ctx.catalogue).json("zh")
    table = read(r.text).tables["crosstab-table"]
    assert table.head == ["最高学历 \\ 性别", *[v["label"] for v in ct["col"]["values"]], "合计"]
    assert [row.cells for row in table.rows] == [
        [v["label"], *map(str, cells), str(total)]
        for v, cells, total in zip(ct["row"]["values"], ct["cells"], ct["row_totals"])]
    assert table.foot == ["合计", *map(str, ct["col_totals"]), str(ct["total"])]
    assert ct["total"] == _api(c, "gender", "3601")["total"]
    assert 'id="chart-ct"' in r.text and "数据截至" in r.text


def test_the_cross_table_filters_by_school_type_and_unit(as_):
    c = as_("city-viewer")
    whole = read(c.get("/statistics/units/3601/crosstab?row=school_type&col=gender").text).tables["crosstab-table"]
    primary = read(c.get("/statistics/units/3601/crosstab?row=school_type&col=gender&school_type=primary").text)
    rows = primary.tables["crosstab-table"].rows
    assert [r.cells[0] for r in rows] == ["小学"]
    assert rows[0].cells == next(r.cells for r in whole.rows if r.cells[0] == "小学")
    one = read(c.get("/statistics/units/3601/crosstab?row=school_type&col=gender&within=360102").text)
    assert one.tables["crosstab-table"].foot[-1] == str(_api(c, "gender", "360102")["total"])
    assert 'name="within" value="360102" checked' in c.get(
        "/statistics/units/3601/crosstab?row=school_type&col=gender&within=360102").text


def test_a_cross_table_of_one_dimension_twice_or_an_unknown_one_is_refused_with_its_code(as_):
    c = as_("city-viewer")
    same = c.get("/statistics/units/3601/crosstab?row=gender&col=gender")
    assert same.status_code == 422 and "W482" in same.text
    unknown = c.get("/statistics/units/3601/crosstab?row=gendr&col=education")
    assert unknown.status_code == 422 and "W478" in unknown.text and "gender" in unknown.text
    outside = c.get("/statistics/units/3601/crosstab?row=gender&col=education&within=3604")
    assert outside.status_code == 422 and "W479" in outside.text


def test_the_print_view_holds_every_table(as_):
    c = as_("county-reviewer")
    r = c.get("/statistics/units/360102/print")
    assert r.status_code == 200
    page = read(r.text)
    for t in c.get("/api/v1/statistics").json()["tables"]:
        assert page.tables[f"table-{t['key']}"].attrs["data-total"] == str(_api(c, t["key"], "360102")["total"])
    assert 'id="print-now"' in r.text and "stats-print.css" in r.text and "数据截至" in r.text


def test_english(as_):
    c = as_("city-viewer")
    r = c.get("/statistics/units/3601?lang=en")
    assert "Data as of" in r.text and "Teaching force statistics" in r.text and "Units below" in r.text
    api = _api(c, "gender", "3601", "en")
    rows = read(r.text).tables["table-gender"].rows
    assert [row.cells[0] for row in rows] == [x["labels"]["gender"] for x in api["rows"]]
    assert "W475" in as_("school-viewer").get("/statistics/units/36?lang=en").text
    c.get("/statistics/units/3601?lang=zh")  # back to Chinese (the choice is kept in a cookie)
    as_("school-viewer").get("/statistics/units/3601020001?lang=zh")


def test_no_script_the_csp_would_refuse(as_):
    """Scripts are files of this site; the figures travel in JSON data blocks, never executed."""
    for url in ("/statistics/units/36", "/statistics/units/36/crosstab", "/statistics/units/36/print"):
        r = as_("province-viewer").get(url)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        for s in read(r.text).scripts:
            assert s.get("src", "").startswith("/") or s.get("type") == "application/json", (url, s)
        assert " on" not in re.sub(r'"[^"]*"', "", " ".join(re.findall(r"<[a-z][^>]*>", r.text))).lower().replace(
            " one", "")  # no on…= handlers
    js = as_("province-viewer").get("/statistics/static/vendor/echarts.min.js")
    assert js.status_code == 200 and "echarts" in js.text[:2000].lower()


def test_a_snapshot_is_shown_as_of_its_day_and_carried_down_the_drill(as_, demo):
    """The dashboard switched to a frozen snapshot (snapshots.py): its numbers are the API's for that
    snapshot, every chart says its day, and the drill-down, exports and print view keep to it."""
    import datetime as dt

    from modules.statistics import snapshots

    day = dt.date.today()  # the demo's teachers exist from today on
    with demo.state.ctx.sessions() as db:
        snap = snapshots.on_demand(db, None, day.isoformat(), trigger=snapshots.COMMAND, actor_name="test",
                                   cat=demo.state.ctx.catalogue)
        db.commit()
        sid = snap.id
    try:
        c = as_("city-viewer")
        r = c.get(f"/statistics/units/3601?snapshot={sid}")
        assert r.status_code == 200, r.text
        api = c.get(f"/api/v1/statistics/gender?unit=3601&snapshot={sid}").json()
        assert api["as_of"].startswith(day.isoformat()) and api["total"] > 0
        page = read(r.text)
        assert [row.attrs["data-count"] for row in page.tables["table-gender"].rows] == [
            str(x["count"]) for x in api["rows"]]
        assert f"数据截至 {day.isoformat()}（快照）" in r.text
        assert f'<option value="{sid}" selected>' in r.text
        assert f"/statistics/units/360102?snapshot={sid}" in page.links
        assert f"/statistics/units/3601/export.xlsx?table=gender&snapshot={sid}" in [
            link.replace("&amp;", "&") for link in page.links]
        assert f"数据截至 {day.isoformat()}" in c.get(f"/statistics/units/3601/print?snapshot={sid}").text
        ct = c.get(f"/statistics/units/3601/crosstab?row=gender&col=education&snapshot={sid}").text
        assert f"数据截至 {day.isoformat()}（快照）" in ct and f'name="snapshot" value="{sid}"' in ct
        missing = c.get("/statistics/units/3601?snapshot=999999")
        assert missing.status_code == 404 and "W481" in missing.text
    finally:
        with demo.state.ctx.sessions() as db:
            snapshots.drop(db, sid)
            db.commit()


def test_a_dashboard_asks_a_fixed_number_of_queries_whatever_the_units_below(as_, demo):
    """Speed at province scale (benchmarks/statistics.py): the page reads every table in one query
    and the units below in one, so a county of 200 schools asks what a county of 2 asks."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, *rest):
        seen.append(statement)

    engine = demo.state.ctx.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        asked = {}
        for who, unit in (("province-viewer", "36"), ("city-reviewer", "3601"), ("county-viewer", "360102")):
            c = as_(who)
            c.get(f"/statistics/units/{unit}")  # warm
            seen.clear()
            assert c.get(f"/statistics/units/{unit}").status_code == 200
            asked[unit] = len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert max(asked.values()) <= 14, asked
    assert len(set(asked.values())) == 1, asked  # the same statements at every level


def test_the_words_name_what_is_counted(as_, demo):
    """The headline counts every active teacher with an approved file, 专任教师 or not (岗位类别 /
    教职工类别 are dimensions of their own): the pages call it 在职教师, never 专任教师."""
    from modules.statistics.tests.helpers import approved_total

    c = as_("province-viewer")
    with demo.state.ctx.sessions() as db:
        total = approved_total(db, "36")
        me = principal(demo.state.ctx, db, "province-viewer")
        by_staff = stats.crosstab(db, me, "staff_category", "gender", "36", cat=demo.state.ctx.catalogue).json()
    assert by_staff["total"] == total  # 专任 and the others together
    page = c.get("/statistics/units/36").text
    assert re.search(r'id="head-total"><b>' + f"{total:,}" + r"</b><span>在职教师（人）", page)
    for url in ("/statistics/units/36", "/statistics/units/36/print", "/statistics/units/36/report"):
        r = c.get(url)
        assert r.status_code == 200 and "专任教师" not in r.text, url
