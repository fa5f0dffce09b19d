"""Concurrency on PostgreSQL with real concurrent connections (threads, one session each):
two reviewers on the same file, approve against reject, a school editor against a submission,
bulk against single. Exactly one wins; the other gets W607/W601 in Chinese and English and
nothing is half-done."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from tests.review.conftest import add_teacher
from web.db.models import Account, Record, Teacher
from web.errors import Refusal
from web.review import changes as C
from web.review import service as S
from web.review.models import ReviewCase, ReviewEvent
from web.services import auth as auth_service

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def warm(pg_ctx, cats):
    """One pass of every path before any race: lazily generated code (SQLAlchemy compiles some of
    its helpers on first use) must not be compiled by two threads at once — CPython 3.11.7's
    compiler keeps a global recursion counter that concurrent compile() calls corrupt."""
    import web.review.changes  # noqa: F401
    import web.services.teachers  # noqa: F401

    ctx, cat = pg_ctx, cats["36"]
    with ctx.sessions() as s:
        tid = add_teacher(s, cat, "3601020001")
        case = S.submit(s, cat, principal(ctx, s, "info_manager@3601020001"), tid)
        S.approve(s, cat, principal(ctx, s, "info_reviewer@3601020001"), case.id, version=case.version)
        S.bulk_approve(s, cat, principal(ctx, s, "info_reviewer@360102"), [case.id])
        S.reject(s, cat, principal(ctx, s, "info_reviewer@3601"), case.id, "预热")
        work = dict(s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "work")).document)
        C.save_record(s, cat, principal(ctx, s, "info_entry@3601020001"), tid, "work", work)
        try:
            S.approve(s, cat, principal(ctx, s, "info_reviewer@3601"), case.id, version=1)
        except Refusal:
            pass
        s.rollback()


def principal(ctx, s, username: str):
    return auth_service.principal_of(s.scalar(select(Account).where(Account.username == username)), ctx)


def race(ctx, *jobs: Callable[[Any], Any]) -> list[Any]:
    """Run each job in its own thread with its own session, released at the same instant."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[Any], Any]) -> None:
        with ctx.sessions() as s:
            barrier.wait()
            try:
                out = job(s)
                s.commit()
                results[i] = ("ok", out)
            except Refusal as r:
                s.rollback()
                results[i] = ("refused", r)

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def submitted(ctx, cats, school: str = "3601020001") -> tuple[int, int, int]:
    cat = cats["36"]
    with ctx.sessions() as s:
        tid = add_teacher(s, cat, school)
        case = S.submit(s, cat, principal(ctx, s, f"info_manager@{school}"), tid)
        s.commit()
        return tid, case.id, case.version


@pytest.mark.parametrize("round_", range(3))
def test_two_reviewers_approve_the_same_file_at_once(pg_ctx, cats, round_):
    ctx, cat = pg_ctx, cats["36"]
    tid, cid, version = submitted(ctx, cats)
    out = race(ctx,
               lambda s: S.approve(s, cat, principal(ctx, s, "info_reviewer@3601020001"), cid, version=version),
               lambda s: S.approve(s, cat, principal(ctx, s, "info_manager@3601020001"), cid, version=version))
    kinds = sorted(k for k, _ in out)
    assert kinds == ["ok", "refused"]
    refusal = next(r for k, r in out if k == "refused")
    assert refusal.code == "W607"
    assert "已被他人处理" in refusal.message("zh") and "Someone else acted first" in refusal.message("en")
    with ctx.sessions() as s:
        approvals = s.scalar(select(func.count()).select_from(ReviewEvent).where(
            ReviewEvent.case_id == cid, ReviewEvent.action == "approve"))
        assert approvals == 1
        assert s.get(ReviewCase, cid).waiting_level == "county"


def test_approve_against_reject_one_decision_only(pg_ctx, cats):
    ctx, cat = pg_ctx, cats["36"]
    tid, cid, version = submitted(ctx, cats)
    out = race(ctx,
               lambda s: S.approve(s, cat, principal(ctx, s, "info_reviewer@3601020001"), cid, version=version),
               lambda s: S.reject(s, cat, principal(ctx, s, "info_manager@3601020001"), cid, "教育经历缺失",
                                  version=version))
    assert sorted(k for k, _ in out) == ["ok", "refused"]
    winner = 0 if out[0][0] == "ok" else 1
    with ctx.sessions() as s:
        case = s.get(ReviewCase, cid)
        teacher = s.get(Teacher, tid)
        if winner == 0:
            assert (case.status, case.waiting_level, teacher.state) == ("pending", "county", "pending")
        else:
            assert (case.status, teacher.state) == ("rejected", "rejected")
        decisions = s.scalar(select(func.count()).select_from(ReviewEvent).where(
            ReviewEvent.case_id == cid, ReviewEvent.action.in_(("approve", "reject"))))
        assert decisions == 1


def test_editor_blocked_by_a_submission_in_flight_is_refused_and_saves_nothing(pg_ctx, cats):
    """The school submits (holding the file) while an editor saves a new record: the save waits
    for the submission, then is refused with W601; no record was written."""
    ctx, cat = pg_ctx, cats["36"]
    with ctx.sessions() as s:
        tid = add_teacher(s, cat, "3601020001")
        s.commit()
        before = s.scalar(select(func.count()).select_from(Record).where(Record.teacher_id == tid))
        work = dict(s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "work")).document)
    holding = threading.Event()
    result: dict[str, Any] = {}

    def submitter() -> None:
        with ctx.sessions() as s:
            S.submit(s, cat, principal(ctx, s, "info_manager@3601020001"), tid)
            holding.set()
            time.sleep(0.6)  # the submission is still in its transaction
            s.commit()

    def editor() -> None:
        holding.wait(10)
        with ctx.sessions() as s:
            started = time.perf_counter()
            try:
                C.save_record(s, cat, principal(ctx, s, "info_entry@3601020001"), tid, "work", work)
                s.commit()
                result["out"] = "ok"
            except Refusal as r:
                s.rollback()
                result["out"] = r
            result["waited"] = time.perf_counter() - started

    threads = [threading.Thread(target=submitter), threading.Thread(target=editor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert isinstance(result["out"], Refusal) and result["out"].code == "W601"
    assert "不能修改" in result["out"].message("zh") and "cannot be edited" in result["out"].message("en")
    assert result["waited"] >= 0.4  # it really waited for the row lock
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Record).where(Record.teacher_id == tid)) == before
        assert s.get(Teacher, tid).state == "pending"


def test_editor_first_then_submission_sees_the_saved_record(pg_ctx, cats):
    """The other order: the save holds the file; the submission waits and then checks the file as
    saved (the new record is part of what was submitted)."""
    ctx, cat = pg_ctx, cats["36"]
    with ctx.sessions() as s:
        tid = add_teacher(s, cat, "3601020001")
        s.commit()
        work = dict(s.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "work")).document)
    holding = threading.Event()
    result: dict[str, Any] = {}

    def editor() -> None:
        with ctx.sessions() as s:
            row, _ = C.save_record(s, cat, principal(ctx, s, "info_entry@3601020001"), tid, "work", work)
            result["record"] = row.id
            holding.set()
            time.sleep(0.5)
            s.commit()

    def submitter() -> None:
        holding.wait(10)
        with ctx.sessions() as s:
            S.submit(s, cat, principal(ctx, s, "info_manager@3601020001"), tid)
            s.commit()
            result["submitted"] = True

    threads = [threading.Thread(target=editor), threading.Thread(target=submitter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with ctx.sessions() as s:
        assert result.get("submitted") and s.get(Record, result["record"]).state == "pending"


def test_bulk_and_single_approval_race_each_file_approved_once(pg_ctx, cats):
    ctx, cat = pg_ctx, cats["36"]
    cases = [submitted(ctx, cats)[1] for _ in range(12)]
    out = race(ctx,
               lambda s: S.bulk_approve(s, cat, principal(ctx, s, "info_reviewer@3601020001"), cases),
               lambda s: [S.approve(s, cat, principal(ctx, s, "info_manager@3601020001"), c) for c in cases[5:7]])
    with ctx.sessions() as s:
        for cid in cases:
            n = s.scalar(select(func.count()).select_from(ReviewEvent).where(
                ReviewEvent.case_id == cid, ReviewEvent.action == "approve", ReviewEvent.level == "school"))
            assert n == 1, cid
            assert s.get(ReviewCase, cid).waiting_level == "county"
    bulk = out[0]
    assert bulk[0] == "ok"  # per-file refusals are results, not a failed request
    failed = [r for r in bulk[1] if not r.ok]
    if out[1][0] == "ok":  # the singles won those two files: the bulk reports them, one result each
        assert {r.id for r in failed} <= set(cases[5:7]) and len(bulk[1]) == len(cases)
