"""The credit bank's contract (modules.credits.ledger): append-only entries, balances per year and
category over a window, "as of" a day, and no way to change or delete what was posted."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from modules.credits import ledger
from modules.credits.models import AppendOnly

D = Decimal


def _post(db, tid, credits, effective, category="province", kind="earned", **kw):
    return ledger.post(db, tid, kind=kind, credits=credits, hours=kw.pop("hours", D(credits) * 10),
                       category=category, effective=effective, rule_version=kw.pop("rule_version", "36@2024"),
                       confirmed_by=kw.pop("confirmed_by", None), **kw)


def test_balance_sums_the_window_by_year_and_category(db, new_teacher):
    tid, other = new_teacher(), new_teacher()
    _post(db, tid, "2.5", date(2022, 5, 1), "national")
    _post(db, tid, 4, date(2023, 3, 1), "province")
    _post(db, tid, 1, date(2023, 9, 1), "school")
    _post(db, tid, 9, date(2027, 1, 1), "province")  # outside the window
    b = ledger.balance(db, tid, start=date(2022, 1, 1), end=date(2026, 12, 31))
    assert b.credits == D("7.50") and b.hours == D("75.00")
    assert b.by_year == {2022: D("2.50"), 2023: D("5.00")}
    assert b.by_category == {"national": D("2.50"), "province": D("4.00"), "school": D("1.00")}
    assert ledger.balance(db, other, start=date(2000, 1, 1), end=date(2100, 1, 1)).credits == 0


def test_a_revocation_is_a_new_negative_entry_and_the_balance_drops(db, new_teacher):
    tid = new_teacher()
    earned = _post(db, tid, 6, date(2024, 4, 1))
    undo = ledger.revoke(db, earned, by=None, note="成绩作废")
    assert undo.credits == D("-6.00") and undo.corrects_id == earned.id
    # a positive amount posted as 'revoked' still takes credits away
    _post(db, tid, 2, date(2024, 4, 2))
    _post(db, tid, 2, date(2024, 4, 3), kind="revoked")
    assert ledger.balance(db, tid, start=date(2024, 1, 1), end=date(2024, 12, 31)).credits == 0
    assert [e.kind for e in ledger.entries(db, tid)] == ["earned", "revoked", "earned", "revoked"]


def test_as_of_a_day_ignores_what_was_recorded_later(db, new_teacher, monkeypatch):
    tid = new_teacher()
    cn = timezone(timedelta(hours=8))
    for credits, when in ((3, datetime(2024, 3, 1, 23, 30, tzinfo=cn)), (5, datetime(2024, 3, 2, 0, 30, tzinfo=cn))):
        monkeypatch.setattr(ledger, "_now", lambda when=when: when.astimezone(timezone.utc))
        _post(db, tid, credits, date(2024, 2, 1))
    window = dict(start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert ledger.balance(db, tid, **window, as_of=date(2024, 2, 28)).credits == 0
    assert ledger.balance(db, tid, **window, as_of=date(2024, 3, 1)).credits == 3  # the whole day (UTC+8) counts
    assert ledger.balance(db, tid, **window, as_of=date(2024, 3, 2)).credits == 8
    assert ledger.balance(db, tid, **window).credits == 8
    assert [e.credits for e in ledger.entries(db, tid, as_of=date(2024, 3, 1))] == [Decimal("3.00")]


@pytest.mark.parametrize("kw, message", [
    ({"kind": "bonus"}, "kind"),
    ({"kind": "earned", "credits": -1}, "negative"),
    ({"kind": "earned", "credits": "abc"}, "number"),
    ({"kind": "earned", "credits": "NaN"}, "range"),
    ({"kind": "earned", "credits": 10**12}, "range"),
    ({"kind": "earned", "category": ""}, "required"),
])
def test_wrong_postings_are_refused_and_nothing_is_written(db, new_teacher, kw, message):
    tid = new_teacher()
    args = dict(kind="earned", credits=1, hours=10, category="province", effective=date(2024, 1, 1),
                rule_version="36@2024", confirmed_by=None) | kw
    with pytest.raises(ValueError, match=message):
        ledger.post(db, tid, **args)
    assert ledger.entries(db, tid) == []


def test_an_entry_cannot_be_changed_or_deleted_through_the_app(db, new_teacher):
    tid = new_teacher()
    e = _post(db, tid, 2, date(2024, 1, 1))
    e.credits = D("20")
    with pytest.raises(AppendOnly):
        db.flush()
    db.rollback()
    tid = new_teacher()
    e = _post(db, tid, 2, date(2024, 1, 1))
    db.delete(e)
    with pytest.raises(AppendOnly):
        db.flush()
    db.rollback()


def test_the_database_refuses_an_update_of_a_ledger_row(ctx, new_teacher):
    tid = new_teacher()
    with ctx.sessions() as db:
        e = _post(db, tid, 2, date(2024, 1, 1))
        db.commit()
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text("UPDATE credit_entries SET credits = 99 WHERE id = :i"), {"i": e.id})
        db.rollback()
        assert ledger.balance(db, tid, start=date(2024, 1, 1), end=date(2024, 12, 31)).credits == 2


def test_a_source_posts_once(db, new_teacher):
    tid = new_teacher()
    source = f"test:{tid}"
    _post(db, tid, 2, date(2024, 1, 1), source=source)
    with pytest.raises(Exception):
        _post(db, tid, 2, date(2024, 1, 1), source=source)
    db.rollback()
