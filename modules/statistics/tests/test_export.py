"""Excel exports of the dashboards (issue 16), opened with openpyxl: the cells of every table's
workbook equal the API's rows (labels, head counts, shares, average ages) and its total; the units
below and a cross table likewise; the file is named in Chinese; every export is audited with the
reader, and a refused export writes nothing."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from modules.statistics import service as stats
from modules.statistics.tests.helpers import principal
from modules.statistics.tests.pagetools import clients
from web.db.models import Account, AuditEntry


@pytest.fixture(scope="module")
def as_(demo):
    return clients(demo)


def _sheet(r):
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    ws = load_workbook(io.BytesIO(r.content)).active
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def _body(rows, header_first: str):
    """The header (after the title block's blank line; its first cell ``header_first``) and the rows below."""
    start = next(i for i, row in enumerate(rows) if all(v is None for v in row)) + 1
    assert rows[start][0] == header_first, rows[start]
    return rows[start], rows[start + 1:]


def _name(r) -> str:
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment;")
    return unquote(cd.split("filename*=UTF-8''")[1])


def test_every_tables_workbook_holds_the_api_rows(as_):
    c = as_("city-viewer")
    for t in c.get("/api/v1/statistics").json()["tables"]:
        api = c.get(f"/api/v1/statistics/{t['key']}?unit=3601").json()
        rows = _sheet(c.get(f"/statistics/units/3601/export.xlsx?table={t['key']}"))
        assert rows[0][0] == api["table"]["label"]
        assert any(row[0] and str(row[0]).startswith("数据截至 " + api["as_of"][:10]) for row in rows[:4])
        dims = [d["label"] for d in api["dims"]]
        header, body = _body(rows, dims[0])
        assert list(header[:len(dims) + len(api["measures"])]) == dims + [m["label"] for m in api["measures"]]
        *data, total = body
        keys = [m["key"] for m in api["measures"]]
        assert [list(row[:len(dims) + len(keys)]) for row in data] == [
            [r["labels"][d["key"]] for d in api["dims"]] + [r.get(k) for k in keys] for r in api["rows"]], t["key"]
        assert total[0] == "合计" and total[len(dims)] == api["total"]


def test_the_workbook_is_named_in_chinese_and_the_export_audited(as_, demo):
    c = as_("county-viewer")
    api = c.get("/api/v1/statistics/age_structure?unit=360102").json()
    with demo.state.ctx.sessions() as db:
        before = db.scalar(select(func.max(AuditEntry.seq))) or 0
    r = c.get("/statistics/units/360102/export.xlsx?table=age_structure")
    assert _name(r) == f"{api['unit']['name']}-{api['table']['label']}-{api['as_of'][:10]}.xlsx"
    assert "年龄结构" in _name(r) or "年龄" in _name(r)
    with demo.state.ctx.sessions() as db:
        me = db.scalar(select(Account.id).where(Account.username == "county-viewer"))
        entries = db.scalars(select(AuditEntry).where(AuditEntry.seq > before, AuditEntry.action == "stats.export")
                             .order_by(AuditEntry.seq)).all()
    mine = [e for e in entries if e.actor_id == me and e.target_id == "age_structure"]
    assert mine and mine[-1].detail["unit"] == "360102" and mine[-1].detail["rows"] == len(api["rows"])


def test_a_refused_export_writes_nothing(as_, demo):
    c = as_("school-viewer")
    with demo.state.ctx.sessions() as db:
        me = db.scalar(select(Account.id).where(Account.username == "school-viewer"))
        before = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == me,
                                                                              AuditEntry.action == "stats.export"))
    r = c.get("/statistics/units/360102/export.xlsx?table=gender")
    assert r.status_code == 403 and "W475" in r.text
    with demo.state.ctx.sessions() as db:
        after = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == me,
                                                                             AuditEntry.action == "stats.export"))
    assert after == before


def test_the_units_below_workbook_holds_the_children_totals(as_):
    c = as_("province-viewer")
    kids = c.get("/api/v1/statistics/gender/children?unit=36").json()["children"]
    r = c.get("/statistics/units/36/units.xlsx?table=gender")
    header, body = _body(_sheet(r), "单位")
    assert [list(row[:3]) for row in body[:-1]] == [[k["unit"]["name"], k["unit"]["code"], k["total"]] for k in kids]
    assert body[-1][0] == "合计" and body[-1][2] == sum(k["total"] for k in kids)
    assert "下级单位" in _name(r)


def test_the_cross_tables_workbook_holds_the_services_cells(as_, demo):
    c = as_("city-reviewer")
    r = c.get("/statistics/units/3601/crosstab.xlsx?row=title_level&col=gender&school_type=primary")
    rows = _sheet(r)
    with demo.state.ctx.sessions() as db:
        me = principal(demo.state.ctx, db, "city-reviewer")
        ct = stats.crosstab(db, me, "title_level", "gender", "3601", filters={"school_type": ["primary"]},
                            cat=demo.state.ctx.catalogue).json("zh")
    header, body = _body(rows, "专业技术职务等级 \\ 性别")
    assert list(header) == ["专业技术职务等级 \\ 性别", *[v["label"] for v in ct["col"]["values"]], "合计"]
    assert [list(row) for row in body[:-1]] == [
        [v["label"], *cells, total] for v, cells, total in zip(ct["row"]["values"], ct["cells"], ct["row_totals"])]
    assert list(body[-1]) == ["合计", *ct["col_totals"], ct["total"]]
    assert any(row[0] and "办学类型 primary" in str(row[0]) for row in rows[:5])  # the filter is stated


def test_english_workbook(as_):
    c = as_("city-viewer")
    api = c.get("/api/v1/statistics/gender?unit=3601&lang=en").json()
    rows = _sheet(c.get("/statistics/units/3601/export.xlsx?table=gender&lang=en"))
    header, body = _body(rows, api["dims"][0]["label"])
    assert [row[0] for row in body[:-1]] == [r["labels"]["gender"] for r in api["rows"]]
    assert body[-1][0] == "Total"
    c.get("/statistics/units/3601?lang=zh")  # back to Chinese (the choice is kept in a cookie)


def test_an_export_without_its_table_or_axes_says_what_to_choose(as_):
    c = as_("city-viewer")
    r = c.get("/statistics/units/3601/export.xlsx")
    assert r.status_code == 422 and "W490" in r.text and "gender" in r.text
    r = c.get("/statistics/units/3601/crosstab.xlsx?row=gender")
    assert r.status_code == 422 and "W491" in r.text and "education" in r.text
    assert "Choose the statistics table" in c.get("/statistics/units/3601/export.xlsx?lang=en").text
