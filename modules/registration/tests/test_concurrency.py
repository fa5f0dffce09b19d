"""Concurrent actions on one application on PostgreSQL (real connections, one thread each): two
reviewers forwarding the same step at once — exactly one wins (row lock + version), the other is
told someone acted meanwhile (W584); the same teacher applied for twice at once — one application
opens, the other is refused (W573)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from modules.registration import batch as B
from modules.registration.models import RegistrationApplication, RegistrationDecision
from modules.registration.tests.test_batch import _qualified_records
from tests.review.conftest import add_teacher
from tests.review.test_review_concurrency import principal, race
from web.db.models import Record

pytestmark = pytest.mark.postgres


def _due_teacher(ctx, cat) -> int:
    with ctx.sessions() as s:
        tid = add_teacher(s, cat, "3601020001", complete=False, name="并发戊")
        for set_key, docs in _qualified_records(dt.date.today()).items():
            for i, doc in enumerate(docs):
                s.add(Record(teacher_id=tid, set_key=set_key, position=i, document=doc, catalogue_version=cat.version))
        s.commit()
    return tid


def test_two_reviewers_forward_one_step_at_once_exactly_one_wins(pg_ctx, cats):
    ctx = pg_ctx
    tid = _due_teacher(ctx, cats["36"])
    with ctx.sessions() as s:
        batch = B.apply(s, ctx, principal(ctx, s, "info_manager@3601020001"), [tid])
        s.flush()
        B.decide(s, ctx, principal(ctx, s, "info_reviewer@360102"), batch.id,
                 [{"teacher_id": tid, "decision": "qualified", "reason": "学时已核实"}])
        s.commit()
        bid, version = batch.id, batch.version
    jobs = [lambda s, u=u: B.forward(s, ctx, principal(ctx, s, u), bid, version).step
            for u in ("info_reviewer@360102", "info_manager@360102")]
    results = race(ctx, *jobs)
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert next(r[1] for r in results if r[0] == "refused").code == "W584"
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RegistrationDecision).where(
            RegistrationDecision.batch_id == bid, RegistrationDecision.action == "forward")) == 1


def test_one_teacher_applied_for_twice_at_once_one_application_opens(pg_ctx, cats):
    ctx = pg_ctx
    tid = _due_teacher(ctx, cats["36"])
    results = race(ctx, *[lambda s: B.apply(s, ctx, principal(ctx, s, "info_manager@3601020001"), [tid]).id
                          for _ in range(2)])
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert next(r[1] for r in results if r[0] == "refused").code == "W573"
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RegistrationApplication).where(
            RegistrationApplication.teacher_id == tid)) == 1
