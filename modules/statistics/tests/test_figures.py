"""Every figure of the statistics checked against a count computed another way on the demo data:
the teacher list API's totals, a plain query of the approved 基本信息 records, the units' own
properties. The demo (web/demo.py) approves four files in five; the others, drafts and copies
under review are not counted."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from modules.statistics import service as stats
from modules.statistics.catalogue import NOT_FILLED
from modules.statistics.tests.conftest import DEMO_PASSWORD
from modules.statistics.tests.helpers import active_basic, approved_total, as_counts, count_by, principal
from tests.web.conftest import Client
from web.db.models import Teacher, Unit

PROVINCE, CITY, COUNTY, SCHOOL = "36", "3601", "360102", "3601020001"


@pytest.fixture(scope="module")
def ctx(demo):
    return demo.state.ctx


@pytest.fixture()
def db(ctx):
    with ctx.sessions() as session:
        yield session


@pytest.fixture()
def viewer(ctx, db):
    return principal(ctx, db, "province-viewer")


def _json(db, ctx, me, table, unit, **kw):
    return stats.compute(db, me, table, unit, cat=ctx.catalogue, **kw).json()


@pytest.mark.parametrize("unit", [PROVINCE, CITY, COUNTY, SCHOOL])
def test_every_table_totals_the_active_approved_teachers(ctx, db, viewer, unit):
    expected = len(active_basic(db, unit))
    assert expected == approved_total(db, unit)  # the demo's approved files are the ones with approved 基本信息
    assert expected > 0
    for table in stats.tables_for(viewer, ctx.catalogue):
        got = _json(db, ctx, viewer, table.key, unit)
        assert got["total"] == expected, table.key
        assert sum(r["count"] for r in got["rows"]) == expected
        if "share" in table.measures:
            assert abs(sum(r["share"] for r in got["rows"]) - 1) < 0.01


def test_the_total_equals_the_teacher_list_of_approved_files(ctx, db, demo):
    """The list API (教师信息管理) counts the same files, less those who left the roll."""
    client = Client(demo, "county-viewer", DEMO_PASSWORD)
    listed = client.get(f"/api/v1/teachers?unit={COUNTY}&state=approved&limit=1").json()["total"]
    root = db.scalar(select(Unit.id).where(Unit.code == COUNTY))
    from web.db.models import UnitClosure

    left = db.scalar(select(__import__("sqlalchemy").func.count()).select_from(Teacher).where(
        Teacher.state == "approved", Teacher.left_on.is_not(None), Teacher.left_on <= dt.date.today(),
        Teacher.unit_id.in_(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == root))))
    got = client.get(f"/api/v1/statistics/gender?unit={COUNTY}").json()
    assert got["total"] == listed - left


def test_code_fields_count_what_the_approved_records_say(ctx, db, viewer):
    people = active_basic(db, PROVINCE)
    assert as_counts(_json(db, ctx, viewer, "gender", PROVINCE), "gender") == count_by(
        people, lambda p: p[1].get("gender") or NOT_FILLED)
    assert as_counts(_json(db, ctx, viewer, "person_status", PROVINCE), "person_status") == count_by(
        people, lambda p: p[1].get("person_status") or NOT_FILLED)
    assert as_counts(_json(db, ctx, viewer, "on_establishment", PROVINCE), "on_establishment") == count_by(
        people, lambda p: {True: "1", False: "0"}.get(p[1].get("on_establishment"), NOT_FILLED))
    han = count_by(people, lambda p: "han" if p[1].get("ethnic_group") == "01" else
                   (NOT_FILLED if not p[1].get("ethnic_group") else "other"))
    assert as_counts(_json(db, ctx, viewer, "ethnicity", PROVINCE), "ethnicity") == han


def test_unit_dimensions_count_the_units_of_the_teachers(ctx, db, viewer):
    people = active_basic(db, PROVINCE)
    assert as_counts(_json(db, ctx, viewer, "by_school_type", PROVINCE), "school_type") == count_by(
        people, lambda p: p[2].school_type or NOT_FILLED)
    assert as_counts(_json(db, ctx, viewer, "urban_rural", PROVINCE), "urban_rural") == count_by(
        people, lambda p: p[2].urban_rural or NOT_FILLED)


def test_age_bands_and_average_age_follow_the_birth_dates(ctx, db, viewer):
    today = dt.date.today()
    ages = [today.year - t.birth_date.year - ((today.month, today.day) < (t.birth_date.month, t.birth_date.day))
            for t, _, _ in active_basic(db, PROVINCE)]
    got = _json(db, ctx, viewer, "age_structure", PROVINCE)
    bands = as_counts(got, "age_band")
    assert bands.get("1", 0) == sum(a <= 24 for a in ages)
    assert bands.get("4", 0) == sum(35 <= a <= 39 for a in ages)
    assert bands.get("9", 0) == sum(a >= 60 for a in ages)
    women = [a for (t, doc, _), a in zip(active_basic(db, PROVINCE), ages) if doc.get("gender") == "2"]
    row = next(r for r in _json(db, ctx, viewer, "gender", PROVINCE)["rows"] if r["dims"]["gender"] == "2")
    assert row["avg_age"] == round(sum(women) / len(women), 1)


def test_derived_fields_come_from_the_approved_records_of_their_sets(ctx, db, viewer):
    """最高学历 = the smallest 学历 code of the approved 学习经历 records, rolled up to its group."""
    from web.db.models import Record

    people = active_basic(db, PROVINCE)
    ids = [t.id for t, _, _ in people]
    best: dict[int, str] = {}
    for tid, doc in db.execute(select(Record.teacher_id, Record.document).where(
            Record.teacher_id.in_(ids), Record.set_key == "education", Record.state == "approved",
            Record.copy_of_id.is_(None))).all():
        level = str(doc.get("edu_level") or "")
        if level and level != "0" and (tid not in best or level.zfill(12) < best[tid].zfill(12)):
            best[tid] = level
    group = {tid: (code[0] + "0" if len(code) == 2 else code) for tid, code in best.items()}
    expected = count_by(ids, lambda tid: group.get(tid, NOT_FILLED))
    got = as_counts(_json(db, ctx, viewer, "education", PROVINCE), "education")
    assert {k: v for k, v in got.items() if k != "0"} == {k: v for k, v in expected.items() if k != "0"}


def test_a_unit_is_the_sum_of_the_units_below(ctx, db, viewer):
    whole = as_counts(_json(db, ctx, viewer, "title_level", PROVINCE), "title_level")
    parts: dict[str, int] = {}
    kids = stats.children(db, viewer, "title_level", PROVINCE, cat=ctx.catalogue)
    assert [u["code"] for u, _ in kids] == ["3601", "3604"]
    for _, result in kids:
        for code, n in as_counts(result.json(), "title_level").items():
            parts[code] = parts.get(code, 0) + n
    assert parts == whole


def test_the_cross_table_agrees_with_the_tables(ctx, db, viewer):
    ct = stats.crosstab(db, viewer, "gender", "education", PROVINCE, cat=ctx.catalogue).json()
    gender = as_counts(_json(db, ctx, viewer, "gender", PROVINCE), "gender")
    education = as_counts(_json(db, ctx, viewer, "education", PROVINCE), "education")
    assert dict(zip([v["code"] for v in ct["row"]["values"]], ct["row_totals"])) == gender
    assert dict(zip([v["code"] for v in ct["col"]["values"]], ct["col_totals"])) == education
    assert ct["total"] == sum(gender.values())


def test_filters_narrow_to_a_school_type_and_to_units(ctx, db, viewer):
    by_type = as_counts(_json(db, ctx, viewer, "by_school_type", PROVINCE), "school_type")
    primary = _json(db, ctx, viewer, "gender", PROVINCE, filters={"school_type": ["primary"]})
    assert primary["total"] == by_type["primary"]
    county = _json(db, ctx, viewer, "gender", COUNTY)
    within = _json(db, ctx, viewer, "gender", PROVINCE, filters={"unit": [COUNTY]})
    assert within["rows"] == county["rows"]


def test_the_demo_reads_its_summary_tables_and_they_equal_the_records(ctx, db, viewer):
    """tmis demo builds the summary (plugin.py build_demo); every table read from it equals the
    same table computed directly from the records."""
    defs = stats.definitions(ctx.catalogue)
    for table in stats.tables_for(viewer, ctx.catalogue):
        for unit in (PROVINCE, COUNTY):
            got = stats.compute(db, viewer, table.key, unit, cat=ctx.catalogue)
            assert got.source == "summary"
            where = stats._scope(db, stats.resolve_unit(db, viewer, unit), None, ctx.catalogue)
            counts, _ = stats.Direct().counts(db, ctx.catalogue, defs, where, list(table.dims))
            assert got.rows() == stats.StatResult("", {}, table, got.dims, counts).rows(), (table.key, unit)
