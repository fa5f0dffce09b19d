"""The credit bank (学分银行): an append-only ledger per teacher, and balances read from it.

This is the contract other modules use (brief: T2's re-registration reads it)::

    from modules.credits import ledger
    ledger.balance(db, teacher_id, start=date, end=date, as_of=None) -> Balance
    ledger.post(db, teacher_id, kind=..., credits=..., hours=..., category=..., effective=date,
                project_id=None, rule_version=..., confirmed_by=None, note="") -> CreditEntry

- ``balance`` sums the entries whose *effective* date is in [start, end] and that were
  *recorded* on or before ``as_of`` (a date: the whole day counts; None = now). A balance "as of"
  a past day therefore never changes when later entries (corrections included) arrive.
- ``post`` only ever inserts. Amounts are signed: ``earned`` and ``carried_over`` are ≥ 0,
  ``revoked`` is stored as a negative amount whatever the sign given (it takes credits away),
  ``adjusted`` may be either sign. There is no update or delete path (models.py refuses them).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modules.credits.models import KINDS, CreditEntry
from web.db.base import utcnow

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
LIMIT = Decimal("100000000")  # Numeric(10, 2)


def _now() -> datetime:
    """When an entry is recorded (tests replace this to record on a past day; ``recorded_on``)."""
    return utcnow()


@contextmanager
def recorded_on(day: date) -> Iterator[None]:
    """Within the block, entries (``post`` and a confirmation's) are recorded at 18:00 China time
    of ``day``: the demo's history reads as if each entry had been recorded when it happened, so
    a balance "as of" a past day shows what the bank held then (walk finding 4)."""
    global _now
    cn = timezone(timedelta(hours=8))
    at = datetime.combine(day, time(18), tzinfo=cn).astimezone(timezone.utc)
    before = _now
    _now = lambda: at  # noqa: E731
    try:
        yield
    finally:
        _now = before


@dataclass(frozen=True)
class Balance:
    credits: Decimal = ZERO
    hours: Decimal = ZERO
    by_category: dict[str, Decimal] = field(default_factory=dict)
    by_year: dict[int, Decimal] = field(default_factory=dict)
    entries: int = 0


def _amount(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{what} must be a number, not {value!r}") from exc
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise ValueError(f"{what} out of range: {value!r}")
    return amount.quantize(CENT)


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC+8, the system's calendar day), as UTC."""
    cn = timezone(timedelta(hours=8))
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=cn).astimezone(timezone.utc)


def post(db: Session, teacher_id: int, *, kind: str, credits: Any, hours: Any = 0, category: str,
         effective: date, project_id: int | None = None, rule_version: str, confirmed_by: int | None,
         note: str = "", source: str | None = None, corrects_id: int | None = None) -> CreditEntry:
    """Append one entry (flushed, not committed: it belongs to the caller's transaction)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    c, h = _amount(credits, "credits"), _amount(hours, "hours")
    if kind == "revoked":
        c, h = -abs(c), -abs(h)
    elif kind in ("earned", "carried_over") and (c < 0 or h < 0):
        raise ValueError(f"an '{kind}' entry cannot be negative (use 'revoked' or 'adjusted')")
    if not category or not rule_version:
        raise ValueError("category and rule_version are required")
    if not isinstance(effective, date):
        raise ValueError("effective must be a date")
    entry = CreditEntry(teacher_id=teacher_id, kind=kind, credits=c, hours=h, category=category,
                        effective=effective, project_id=project_id, rule_version=rule_version,
                        confirmed_by=confirmed_by, note=note or "", source=source, corrects_id=corrects_id,
                        recorded_at=_now())
    db.add(entry)
    db.flush()
    return entry


def insert_many(db: Session, entries: list[dict[str, Any]]) -> None:
    """Append many ``earned`` entries already checked by the caller (a confirmation's: amounts
    from the conversion rules, ≥ 0, each with every column ``post`` sets but ``corrects_id``) in
    one bulk insert (web.db.bulk: a COPY on PostgreSQL), not one ORM flush per entry."""
    from web.db import bulk

    bulk.insert_many(db, CreditEntry.__table__, entries)


def revoke(db: Session, entry: CreditEntry, *, by: int | None, note: str = "", source: str | None = None) -> CreditEntry:
    """A new entry cancelling ``entry`` (same category, date, project and rule version); ``source``
    (unique) makes it once only (a revoked result: ``revoke:result:<id>``)."""
    return post(db, entry.teacher_id, kind="revoked", credits=entry.credits, hours=entry.hours,
                category=entry.category, effective=entry.effective, project_id=entry.project_id,
                rule_version=entry.rule_version, confirmed_by=by, note=note, source=source, corrects_id=entry.id)


def _window(stmt: Any, start: date | None, end: date | None, as_of: date | None) -> Any:
    if start is not None:
        stmt = stmt.where(CreditEntry.effective >= start)
    if end is not None:
        stmt = stmt.where(CreditEntry.effective <= end)
    if as_of is not None:
        stmt = stmt.where(CreditEntry.recorded_at < _end_of(as_of))
    return stmt


def balance(db: Session, teacher_id: int, *, start: date, end: date, as_of: date | None = None) -> Balance:
    """The teacher's credits and hours effective in [start, end], as recorded by the end of ``as_of``."""
    year = func.extract("year", CreditEntry.effective) if db.get_bind().dialect.name != "sqlite" \
        else func.strftime("%Y", CreditEntry.effective)
    stmt = _window(select(CreditEntry.category, year.label("y"), func.sum(CreditEntry.credits),
                          func.sum(CreditEntry.hours), func.count())
                   .where(CreditEntry.teacher_id == teacher_id), start, end, as_of).group_by(CreditEntry.category, year)
    return _fold(db.execute(stmt).all())


def _fold(rows: Iterable[Any]) -> Balance:
    credits = hours = ZERO
    by_cat: dict[str, Decimal] = {}
    by_year: dict[int, Decimal] = {}
    n = 0
    for cat, y, c, h, count in rows:
        c, h = Decimal(str(c or 0)).quantize(CENT), Decimal(str(h or 0)).quantize(CENT)
        credits += c
        hours += h
        n += count
        by_cat[cat] = by_cat.get(cat, ZERO) + c
        by_year[int(y)] = by_year.get(int(y), ZERO) + c
    return Balance(credits, hours, dict(sorted(by_cat.items())), dict(sorted(by_year.items())), n)


def entries(db: Session, teacher_id: int, *, start: date | None = None, end: date | None = None,
            as_of: date | None = None) -> list[CreditEntry]:
    """The teacher's entries, oldest effective first (then in the order recorded)."""
    stmt = _window(select(CreditEntry).where(CreditEntry.teacher_id == teacher_id), start, end, as_of)
    return list(db.scalars(stmt.order_by(CreditEntry.effective, CreditEntry.id)))
