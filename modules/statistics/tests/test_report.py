"""The analysis report (教师队伍分析报告, issue 16): generated per unit and year from the snapshots
(headline against the year before, a sentence, a chart and a table per standard table), as a
printable page and as a PDF whose text holds the Chinese title and the figures; without Chinese
fonts on the server the PDF says why it is not available (never a 500)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from modules.statistics import report as R
from modules.statistics import service as stats
from modules.statistics import snapshots as S
from modules.statistics.tests.conftest import DEMO_PASSWORD
from modules.statistics.tests.helpers import approved_total, principal
from tests.web.conftest import Client, fresh_database, make_settings
from web.db.models import Teacher, Unit, UnitClosure
from web.people import clock


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    from web.app import create_app
    from web.demo import build_demo

    with fresh_database(tmp_path_factory.mktemp("stats-report")) as url:
        settings = make_settings(url)
        build_demo(settings, password=DEMO_PASSWORD, teachers=48, seed=5)
        application = create_app(settings)
        yield application
        application.state.ctx.engine.dispose()


@pytest.fixture()
def ctx(town):
    return town.state.ctx


def test_this_years_report_from_the_current_data(town, ctx):
    c = Client(town, "county-viewer", DEMO_PASSWORD)
    r = c.get("/statistics/units/360102/report")
    assert r.status_code == 200, r.text[:300]
    with ctx.sessions() as db:
        total = approved_total(db, "360102")
        me = principal(ctx, db, "county-viewer")
        gender = stats.compute(db, me, "gender", "360102", cat=ctx.catalogue).json()
    year = clock.today().year
    assert f"东湖区{year} 年教师队伍分析报告" in r.text
    assert f"在职教师 {total:,} 人（无上年快照，未作比较）" in r.text
    assert 'id="report-gender"' in r.text and "<svg" in r.text and f"图 " in r.text
    top = max(gender["rows"], key=lambda x: x["count"])
    assert f"以「{top['labels']['gender']}」为主，占 {top['count'] / gender['total'] * 100:.1f}%" in r.text
    assert 'id="report-pdf"' in r.text
    # scope and bad input: coded answers, never a 500
    assert Client(town, "school-viewer", DEMO_PASSWORD).get("/statistics/units/360102/report").status_code == 403
    bad = c.get("/statistics/units/360102/report?year=20x6")
    assert bad.status_code == 422 and "W514" in bad.text
    none = c.get(f"/statistics/units/360102/report?year={year - 3}")
    assert none.status_code == 404 and "W515" in none.text


def test_next_years_report_compares_with_this_years_snapshot_and_prints_to_pdf(town, ctx):
    from pypdf import PdfReader

    today = clock.today()
    with ctx.sessions() as db:
        S.on_demand(db, None, today, trigger=S.COMMAND, cat=ctx.catalogue)
        before = approved_total(db, "360102")
        # one teacher of the county leaves before next spring
        county = db.scalar(select(Unit.id).where(Unit.code == "360102"))
        teacher = db.scalar(select(Teacher).where(Teacher.state == "approved", Teacher.left_on.is_(None),
                                                  Teacher.unit_id.in_(select(UnitClosure.descendant_id).where(
                                                      UnitClosure.ancestor_id == county))).order_by(Teacher.id))
        teacher.left_on = today + dt.timedelta(days=30)
        db.commit()
    spring = dt.date(today.year + 1, 4, 2)
    with clock.frozen(spring):
        with ctx.sessions() as db:
            taken = S.catch_up(db, trigger=S.COMMAND, cat=ctx.catalogue)
            db.commit()
            # the demo's files date from the teachers' joining their schools, years back: earlier
            # deadlines are caught up too, next spring's last
            assert [s.as_of for s in taken][-1] == dt.date(today.year + 1, 3, 31)
        c = Client(town, "county-viewer", DEMO_PASSWORD)
        page = c.get(f"/statistics/units/360102/report?year={today.year + 1}").text
        after = before - 1
        rate = f"{1 / before * 100:.1f}%"
        assert f"在职教师 {after:,} 人，比上年减少 {rate}（-1 人）" in page
        assert 'id="report-trend"' in page  # the line over the snapshots
        r = c.get(f"/statistics/units/360102/report.pdf?year={today.year + 1}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert f"东湖区{today.year + 1} 年教师队伍分析报告" in text.replace("\n", "")
        assert f"在职教师 {after:,} 人" in text and "图 1" in text


def test_without_chinese_fonts_the_pdf_says_why(town, ctx, tmp_path, monkeypatch):
    """A server without fonts (fontconfig finds none): the page offers no PDF link but the reason,
    the PDF address answers 503 W516 naming fonts-noto-cjk."""
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><fontconfig><dir>' + str(tmp_path) + '</dir></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    R.pdf_available.cache_clear()
    try:
        c = Client(town, "county-viewer", DEMO_PASSWORD)
        page = c.get("/statistics/units/360102/report")
        assert page.status_code == 200 and 'id="report-no-pdf"' in page.text and "fonts-noto-cjk" in page.text
        r = c.get("/statistics/units/360102/report.pdf")
        assert r.status_code == 503 and "W516" in r.text and "fonts-noto-cjk" in r.text
    finally:
        monkeypatch.delenv("FONTCONFIG_FILE")
        R.pdf_available.cache_clear()


def _result(*counts: tuple[str, int]) -> dict:
    return {"total": sum(n for _, n in counts), "dims": [{"key": "school_type"}],
            "rows": [{"labels": {"school_type": label}, "count": n} for label, n in counts]}


@pytest.mark.parametrize(("counts", "zh", "en"), [
    ((("幼儿园", 2), ("小学", 2), ("初中", 2)), "「幼儿园」「小学」「初中」人数相同，各占 33.3%。",
     "Evenly spread over 幼儿园, 小学, 初中 (33.3% each)."),
    ((("幼儿园", 2), ("小学", 2), ("初中", 1)), "「幼儿园」「小学」人数并列最多，各占 40.0%；其次为「初中」，占 20.0%。",
     "Largest groups: 幼儿园, 小学 (40.0% each), then 初中 (20.0%)."),
    ((("小学", 3), ("初中", 1), ("高中", 1)), "以「小学」为主，占 60.0%；其次为「初中」「高中」，各占 20.0%。",
     "Mostly 小学 (60.0%), then 初中, 高中 (20.0% each)."),
    ((("小学", 4),), "全部为「小学」。", "All 小学."),
])
def test_the_sentence_never_calls_one_of_equal_groups_the_main_one(counts, zh, en):
    """A county whose three school types hold a third each was described as "以「幼儿园」为主，占 33.3%"."""
    assert R.describe(_result(*counts)) == zh
    assert R.describe(_result(*counts), "en") == en
