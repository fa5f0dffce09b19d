"""Two imports of the same carried-over credits at the same time (PostgreSQL, real concurrent
sessions): both pass the duplicate check before either commits, yet the ledger holds each row once;
the second import is refused (W644), not a server error, and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from modules.credits import carry_over as CO
from modules.credits.models import CreditEntry
from modules.credits.tests.test_races import _first_holds_the_lock, _me
from web.db.models import Teacher
from web.errors import Refusal

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def test_two_imports_of_the_same_rows_at_once_add_them_once(ctx, world):
    tids = world.teachers["3601020001"] + world.teachers["3601020002"]
    with ctx.sessions() as s:
        people = [(t.id, t.id_number, t.name) for t in s.scalars(select(Teacher).where(Teacher.id.in_(tids)))]
    day = dt.date(2022, 3, 1)
    # 150 rows: past web.db.bulk's COPY threshold, the path a real file takes
    rows = [{"id_number": idn, "name": name, "category": "online", "credits": 1, "hours": 12,
             "earned_on": (day + dt.timedelta(days=i)).isoformat(), "source": "并发测试平台"}
            for i in range(25) for _tid, idn, name in people]
    root = ctx.settings.repo_root

    def carry(s):
        return CO.carry_over(s, _me(ctx, s, "info_reviewer@360102"), rows, root=root)

    first, second = _first_holds_the_lock(ctx, carry, carry)
    assert first["saved"] == 150
    assert isinstance(second, Refusal) and second.code == "W644"
    with ctx.sessions() as s:
        n = s.scalar(select(func.count()).select_from(CreditEntry).where(
            CreditEntry.kind == "carried_over", CreditEntry.note == "并发测试平台"))
        assert n == 150
