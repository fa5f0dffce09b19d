"""Concurrent actions on one case on PostgreSQL (real connections, one thread each): exactly one
wins (row lock + version), the other is told someone was first (W776); two schools starting a
transfer of the same teacher at once: one case opens, the other is refused (W780)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from modules.transfer import service as T
from tests.mobility.conftest import add_teacher
from tests.review.test_review_concurrency import principal, race
from web.cases import service as S
from web.cases.models import CaseTransition, MobilityCase
from web.db.models import Teacher

pytestmark = pytest.mark.postgres


def _teacher(ctx, cat, school="3601020001"):
    with ctx.sessions() as s:
        tid = add_teacher(s, cat, school)
        s.commit()
        t = s.get(Teacher, tid)
        return tid, t.id_number, t.name


@pytest.fixture(scope="module", autouse=True)
def warm(pg_ctx, cats):
    ctx, cat = pg_ctx, cats["36"]
    tid, idn, name = _teacher(ctx, cat)
    with ctx.sessions() as s:
        case = T.start(s, cat, principal(ctx, s, "info_manager@3601020002"), idn, name, "3601020002", province="36")
        S.act(s, cat, principal(ctx, s, "info_reviewer@360102"), case.id, "approve", version=case.version)
        s.rollback()


def test_two_reviewers_approve_one_step_at_once_exactly_one_wins(pg_ctx, cats):
    ctx, cat = pg_ctx, cats["36"]
    tid, idn, name = _teacher(ctx, cat)
    with ctx.sessions() as s:
        case = T.start(s, cat, principal(ctx, s, "info_manager@3601020002"), idn, name, "3601020002", province="36")
        s.commit()
        cid, version = case.id, case.version
    jobs = [lambda s, u=u: S.act(s, cat, principal(ctx, s, u), cid, "approve", version=version).step
            for u in ("info_reviewer@360102", "info_manager@360102")]
    results = race(ctx, *jobs)
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    refused = next(r[1] for r in results if r[0] == "refused")
    assert refused.code == "W776"
    with ctx.sessions() as s:
        assert s.get(MobilityCase, cid).step == 1
        assert s.scalar(select(func.count()).select_from(CaseTransition).where(
            CaseTransition.case_id == cid, CaseTransition.action == "approve")) == 1


def test_approve_against_withdraw_one_wins(pg_ctx, cats):
    ctx, cat = pg_ctx, cats["36"]
    tid, idn, name = _teacher(ctx, cat)
    with ctx.sessions() as s:
        case = T.start(s, cat, principal(ctx, s, "info_manager@3601020002"), idn, name, "3601020002", province="36")
        s.commit()
        cid, version = case.id, case.version
    results = race(ctx,
                   lambda s: S.act(s, cat, principal(ctx, s, "info_reviewer@360102"), cid, "approve", version=version).state,
                   lambda s: S.act(s, cat, principal(ctx, s, "info_manager@3601020002"), cid, "withdraw", version=version).state)
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    with ctx.sessions() as s:
        log = s.scalars(select(CaseTransition.action).where(CaseTransition.case_id == cid)).all()
    assert sorted(log) in (["approve", "start"], ["start", "withdraw"])


def test_two_schools_start_a_transfer_of_one_teacher_at_once(pg_ctx, cats):
    ctx, cat = pg_ctx, cats["36"]
    tid, idn, name = _teacher(ctx, cat)
    results = race(ctx, *[lambda s, school=school: T.start(s, cat, principal(ctx, s, f"info_manager@{school}"), idn, name,
                                                            school, province="36").id
                          for school in ("3601020002", "3601030001")])
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert next(r[1] for r in results if r[0] == "refused").code == "W780"
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MobilityCase).where(MobilityCase.teacher_id == tid)) == 1
