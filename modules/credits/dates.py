"""The dates a person types in the credits module, parsed and bounded in one place (walk findings
11 and 19): a day is yyyy-MM-dd between EARLIEST and a bound of its kind, so no date arithmetic
downstream (a cycle of five years, the day after an end) can leave the calendar.

- ``as_of``: the day a balance is read "as of" (credits recorded in the bank by that day): not
  after today (W709): a future day has no recorded credits yet; empty is today.
- ``query_day``: a start/end filter (2000-01-01 … today + 2 years, W708); ``window`` also refuses
  start after end (W710).
- ``project_day``: a project's dates (the same bounds; the end not before the start).
- ``year``: a year of the balances (2000 … this year, W711)."""

from __future__ import annotations

from datetime import date
from typing import Any

from modules.credits import bound_words as Wb
from modules.credits import words as Wd
from web.errors import Refusal

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 2


def today() -> date:
    from web.people import clock

    return clock.today()


def latest() -> date:
    """The last day a project (or a filter) may name: today + 2 years (29 Feb → 28 Feb)."""
    t = today()
    try:
        return t.replace(year=t.year + YEARS_AHEAD)
    except ValueError:
        return t.replace(year=t.year + YEARS_AHEAD, day=28)


def parse(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _within(day: date, shown: str, field: str, field_en: str, high: date) -> date:
    if not EARLIEST <= day <= high:
        raise Refusal(Wb.W_DATE_RANGE, field=field, field_en=field_en, value=shown, low=EARLIEST.isoformat(),
                      high=high.isoformat(), example=today().isoformat())
    return day


def as_of(value: str | None) -> date | None:
    """An optional ?as_of= day (None: today, everything recorded so far). W553 not a date; W708
    before 2000; W709 after today."""
    if value is None or not str(value).strip():
        return None
    day = parse(value)
    if day is None:
        raise Refusal(Wd.W_AS_OF, value=str(value)[:20])
    if day > today():
        raise Refusal(Wb.W_AS_OF_FUTURE, value=day.isoformat(), today=today().isoformat())
    return _within(day, day.isoformat(), "截至日期", "as of", today())


def query_day(value: str | None, field: str, field_en: str) -> date | None:
    """An optional start/end filter: W553 not a date, W708 outside 2000-01-01 … today + 2 years."""
    if value is None or not str(value).strip():
        return None
    day = parse(value)
    if day is None:
        raise Refusal(Wd.W_AS_OF, value=str(value)[:20])
    return _within(day, day.isoformat(), field, field_en, latest())


def window(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """?start=&end= of a read: each bounded, start ≤ end (W710)."""
    s, e = query_day(start, "开始日期", "start"), query_day(end, "结束日期", "end")
    if s is not None and e is not None and s > e:
        raise Refusal(Wb.W_START_AFTER_END, start=s.isoformat(), end=e.isoformat())
    return s, e


def project_day(day: date, field: str, field_en: str) -> date:
    """A project's (or a claim's) start or end, already parsed: W708 outside 2000-01-01 … today + 2 years."""
    return _within(day, day.isoformat(), field, field_en, latest())


def year(value: Any) -> int | None:
    """An optional ?year=: None when empty; W711 unless a year from 2000 to this year."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    high = today().year
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and EARLIEST.year <= int(text) <= high):
        raise Refusal(Wb.W_YEAR_RANGE, value=text[:12], low=EARLIEST.year, high=high)
    return int(text)


def known_params(query: Any, allowed: tuple[str, ...]) -> None:
    """W712 for a query parameter the endpoint does not take (it would be silently ignored)."""
    for name in query.keys():
        if name not in allowed and name != "lang":
            raise Refusal(Wb.W_UNKNOWN_PARAM, name=str(name)[:40], allowed=", ".join(allowed))
