"""Property tests (hypothesis) for the date handling every rule relies on."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from engine.catalogue import build_catalogues, repo_root
from engine.fieldtypes import REGISTRY

CAT = build_catalogues(repo_root(), ["36"])["36"]
BASIC = CAT.validator("basic", "primary_secondary", today=dt.date(2026, 11, 22))
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]


@given(dates, st.sampled_from(FORMATS))
def test_every_accepted_date_spelling_reads_back_as_the_same_day(day: dt.date, fmt: str) -> None:
    assert REGISTRY["date"].parse(day.strftime(fmt), None) == (day.isoformat(), None)


@given(dates)
def test_excel_dates_and_datetimes_are_dates(day: dt.date) -> None:
    assert REGISTRY["date"].parse(dt.datetime(day.year, day.month, day.day, 0, 0), None)[0] == day.isoformat()
    assert REGISTRY["year_month"].parse(day, None)[0] == f"{day.year:04d}-{day.month:02d}"


@given(st.integers(1900, 2099), st.integers(1, 12), st.sampled_from(["{y}-{m:02d}", "{y}/{m}", "{y}.{m}", "{y}年{m}月", "{y}{m:02d}"]))
def test_year_month_spellings(y: int, m: int, fmt: str) -> None:
    assert REGISTRY["year_month"].parse(fmt.format(y=y, m=m), None) == (f"{y:04d}-{m:02d}", None)


@given(st.integers(1900, 2099), st.integers(13, 99))
def test_month_13_and_above_is_refused(y: int, m: int) -> None:
    assert REGISTRY["year_month"].parse(f"{y}-{m}", None)[1] is not None


ym = st.tuples(st.integers(1950, 2025), st.integers(1, 12)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}")


@settings(max_examples=200, deadline=None)
@given(ym, ym)
def test_entry_after_work_rule_agrees_with_calendar_order(work: str, entry: str) -> None:
    """进本校年月 ≥ 参加工作年月: the national rule fires exactly when the calendar says so."""
    record = {"work_start_month": work, "entry_month": entry}
    fired = any(v.code == "basic.entry_after_work" for v in BASIC.validate(record))
    w, e = dt.date.fromisoformat(work + "-01"), dt.date.fromisoformat(entry + "-01")
    assert fired == (e < w)


@settings(max_examples=100, deadline=None)
@given(st.integers(1990, 2040))
def test_salary_year_must_be_over(year: int) -> None:
    """基本待遇 is not for the current (or a future) year: 未满一年请下年度填报."""
    validator = CAT.validator("salary", "primary_secondary", today=dt.date(2026, 11, 22))
    fired = any(v.code == "salary.not_current_year" for v in validator.validate({"year": year}))
    assert fired == (year >= 2026)
