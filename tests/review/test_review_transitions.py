"""Every transition of a first submission and every refusal, through the services (SQLite and
PostgreSQL: set TMIS_TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from web.db.models import Record, Teacher
from web.errors import Refusal
from web.review import service as S
from web.review.models import ReviewCase, ReviewEvent

JX = ["3601020001", "360102", "3601", "36"]  # school → county → city → province


def _code(fn, *a, **kw) -> str:
    with pytest.raises(Refusal) as exc:
        fn(*a, **kw)
    return exc.value.code


def test_jiangxi_first_submission_travels_four_levels_and_gets_a_number(ctx, cats, world, who, new_teacher):
    cat = cats["36"]
    tid = new_teacher(JX[0])
    with ctx.sessions() as db:
        case = S.submit(db, cat, who(db, "info_manager@3601020001"), tid)
        assert (case.status, case.waiting_level) == ("pending", "school")
        assert db.get(Teacher, tid).state == "pending"
        for unit, nxt in zip(JX, ["county", "city", "province", None]):
            case = S.approve(db, cat, who(db, f"info_reviewer@{unit}"), case.id, version=case.version)
            assert case.waiting_level == nxt
        teacher = db.get(Teacher, tid)
        assert (case.status, teacher.state) == ("approved", "approved")
        assert teacher.teacher_number and teacher.teacher_number.startswith("360102")
        assert len(teacher.teacher_number) == 18
        states = set(db.scalars(select(Record.state).where(Record.teacher_id == tid)))
        assert states == {"approved"}
        actions = [e.action for e in db.scalars(select(ReviewEvent).where(ReviewEvent.case_id == case.id)
                                               .order_by(ReviewEvent.id))]
        assert actions == ["submit", "approve", "approve", "approve", "approve", "complete", "number"]
        db.commit()


def test_gansu_route_is_school_then_county_without_number(ctx, cats, world, who, new_teacher):
    cat = cats["62"]
    tid = new_teacher("6201020001")
    with ctx.sessions() as db:
        case = S.submit(db, cat, who(db, "info_manager@6201020001"), tid)
        case = S.approve(db, cat, who(db, "info_reviewer@6201020001"), case.id)
        assert case.waiting_level == "county"
        case = S.approve(db, cat, who(db, "info_manager@620102"), case.id)
        assert case.status == "approved"
        assert db.get(Teacher, tid).teacher_number is None
        db.commit()


def test_rejection_needs_a_reason_reopens_the_file_and_resubmission_starts_again(ctx, cats, world, who, new_teacher):
    cat = cats["36"]
    tid = new_teacher(JX[0])
    with ctx.sessions() as db:
        case = S.submit(db, cat, who(db, "info_entry@3601020001"), tid)
        case = S.approve(db, cat, who(db, "info_reviewer@3601020001"), case.id)
        county = who(db, "info_reviewer@360102")
        assert _code(S.reject, db, cat, county, case.id, "  ") == "W608"
        case = S.reject(db, cat, county, case.id, "学历信息与证书不符，请核对")
        teacher = db.get(Teacher, tid)
        assert (case.status, teacher.state, case.reason) == ("rejected", "rejected", "学历信息与证书不符，请核对")
        S.ensure_editable(db, teacher)  # 审核未通过: editable again
        again = S.submit(db, cat, who(db, "info_manager@3601020001"), tid)
        assert again.id != case.id and again.waiting_level == "school"
        db.commit()


def test_incomplete_file_cannot_be_submitted(ctx, cats, world, who, new_teacher):
    tid = new_teacher(JX[0], complete=False)
    with ctx.sessions() as db:
        with pytest.raises(Refusal) as exc:
            S.submit(db, cats["36"], who(db, "info_manager@3601020001"), tid)
        assert exc.value.code == "W603"
        assert any(v["set"] == "basic" for v in exc.value.violations)
        assert db.get(Teacher, tid).state == "unsubmitted"


def test_refusals_role_level_scope_state_and_stale_version(ctx, cats, world, who, new_teacher):
    cat = cats["36"]
    tid = new_teacher(JX[0])
    with ctx.sessions() as db:
        # only the school submits: not the teacher, not the county, not a viewer, not a reviewer
        assert _code(S.submit, db, cat, who(db, "info_manager@360102"), tid) == "W609"
        assert _code(S.submit, db, cat, who(db, "info_reviewer@3601020001"), tid) == "W609"
        assert _code(S.submit, db, cat, who(db, "info_manager@3602020001"), tid) == "W402"  # out of scope
        case = S.submit(db, cat, who(db, "info_manager@3601020001"), tid)
        assert _code(S.submit, db, cat, who(db, "info_manager@3601020001"), tid) == "W604"  # already pending
        # a higher level acts only after the lower ones
        assert _code(S.approve, db, cat, who(db, "info_reviewer@360102"), case.id) == "W605"
        assert _code(S.approve, db, cat, who(db, "info_reviewer@36"), case.id) == "W605"
        # wrong role at the right unit (信息查询员, 信息录入员 may not review)
        assert _code(S.approve, db, cat, who(db, "info_viewer@3601020001"), case.id) == "W201"
        assert _code(S.approve, db, cat, who(db, "info_entry@3601020001"), case.id) == "W201"
        # out of scope: another city's reviewer does not even see it
        assert _code(S.approve, db, cat, who(db, "info_reviewer@3602"), case.id) == "W610"
        assert _code(S.reject, db, cat, who(db, "info_reviewer@3602020001"), case.id, "原因") == "W610"
        # stale version: the page was drawn before someone else acted
        old = case.version
        case = S.approve(db, cat, who(db, "info_reviewer@3601020001"), case.id, version=old)
        assert _code(S.approve, db, cat, who(db, "info_manager@3601020001"), case.id, version=old) == "W607"
        # the file is locked while under review
        assert _code(S.ensure_editable, db, db.get(Teacher, tid)) == "W601"
        # approve through all levels; then the file is locked
        for unit in JX[1:]:
            case = S.approve(db, cat, who(db, f"info_manager@{unit}"), case.id)
        assert _code(S.ensure_editable, db, db.get(Teacher, tid),
                     record=db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))) == "W602"
        # a finished case: no more approving
        assert _code(S.approve, db, cat, who(db, "info_manager@36"), case.id) == "W604"
        db.commit()


def test_bulk_submit_and_bulk_approve_give_a_result_per_file(ctx, cats, world, who, new_teacher):
    cat = cats["36"]
    good = [new_teacher(JX[0]) for _ in range(3)]
    bad = new_teacher(JX[0], complete=False)
    elsewhere = new_teacher("3601020002")
    with ctx.sessions() as db:
        results = S.bulk_submit(db, cat, who(db, "info_manager@3601020001"), [*good, bad, elsewhere])
        assert [r.ok for r in results] == [True, True, True, False, False]
        assert (results[3].code, results[4].code) == ("W603", "W402")
        assert results[3].extra["violations"][0]["set"] == "basic"
        # the county may see the files but 报送 is the school's act
        assert {r.code for r in S.bulk_submit(db, cat, who(db, "info_manager@360102"), good)} == {"W609"}
        results = results[:4]
        cases = [r.extra["case"] for r in results if r.ok]
        out = S.bulk_approve(db, cat, who(db, "info_reviewer@3601020001"), cases + [10**8])
        assert [r.ok for r in out] == [True, True, True, False]
        assert out[-1].code == "W610"
        assert {r.extra["level"] for r in out if r.ok} == {"county"}
        db.commit()
        # every transition is audited: one entry per file, and the hash chain still verifies
        from web import audit
        from web.db.models import AuditEntry
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "review.approve",
                                                      AuditEntry.target_id.in_([str(t) for t in good]))).all()
        assert sorted(int(e.target_id) for e in entries) == sorted(good)
        assert audit.verify(db).ok
        submits = db.scalars(select(AuditEntry).where(AuditEntry.action == "review.submit",
                                                      AuditEntry.target_id.in_([str(t) for t in good]))).all()
        assert len(submits) == 3
    with ctx.sessions() as fresh:  # what was written, read back in a new session
        assert {fresh.get(Teacher, t).state for t in good} == {"pending"}
        assert set(fresh.scalars(select(Record.state).where(Record.teacher_id.in_(good)))) == {"pending"}
        assert fresh.get(Teacher, bad).state == "unsubmitted"


def test_lock_editable_names_the_files_a_bulk_writer_may_still_write(ctx, cats, world, who, new_teacher):
    a, b = new_teacher(JX[0]), new_teacher(JX[0])
    with ctx.sessions() as db:
        S.submit(db, cats["36"], who(db, "info_manager@3601020001"), b)
        assert S.lock_editable(db, [a, b]) == {a}
        db.rollback()


def test_discarding_a_change_request_removes_the_copies_and_keeps_the_file(ctx, cats, world, who, new_teacher):
    from web.review import changes as C

    cat = cats["36"]
    tid = new_teacher(JX[0])
    with ctx.sessions() as db:
        case = S.submit(db, cat, who(db, "info_manager@3601020001"), tid)
        for unit in JX:
            case = S.approve(db, cat, who(db, f"info_reviewer@{unit}"), case.id)
        basic = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
        before = dict(basic.document)
        change = C.open_change(db, cat, who(db, "info_entry@3601020001"), tid, [basic.id])
        copy_id = change.record_ids[0]
        C.save_record(db, cat, who(db, "info_entry@3601020001"), tid, "basic", {**before, "name": "赵六"},
                      record_id=copy_id)
        # a reviewer has nothing to act on while the school drafts
        assert _code(S.approve, db, cat, who(db, "info_reviewer@3601020001"), change.id) == "W604"
        C.discard_change(db, cat, who(db, "info_manager@3601020001"), change.id)
        assert db.get(Record, copy_id) is None
        assert db.get(Record, basic.id).document == before
        assert db.get(ReviewCase, change.id).status == "withdrawn"
        db.commit()


def test_a_province_that_lets_only_reviewers_act_refuses_the_manager_with_the_role_message(ctx, cats, world, who,
                                                                                           new_teacher):
    """Roles per step come from the province's routes: with county = [info_reviewer] only, the
    county's 信息管理员 (who holds record.review) gets W606 naming the role it needs."""
    import copy
    import dataclasses

    from engine.spec import Route, RouteStep

    cat = copy.copy(cats["62"])  # the same catalogue with the county step narrowed
    cat.resolved = dataclasses.replace(cats["62"].resolved, routes={
        **cats["62"].routes, "first_submission": Route(steps=[
            RouteStep(level="school", roles=["info_manager", "info_reviewer"]),
            RouteStep(level="county", roles=["info_reviewer"])])})
    tid = new_teacher("6201020001")
    with ctx.sessions() as db:
        case = S.submit(db, cat, who(db, "info_manager@6201020001"), tid)
        case = S.approve(db, cat, who(db, "info_manager@6201020001"), case.id)
        with pytest.raises(Refusal) as exc:
            S.approve(db, cat, who(db, "info_manager@620102"), case.id)
        assert exc.value.code == "W606" and "信息审核员" in exc.value.message("zh")
        case = S.approve(db, cat, who(db, "info_reviewer@620102"), case.id)
        assert case.status == "approved"
        db.commit()


def test_bulk_approval_at_the_last_level_finishes_each_file(ctx, cats, world, who, new_teacher):
    cat = cats["62"]
    ids = [new_teacher("6201020001") for _ in range(3)]
    with ctx.sessions() as db:
        subs = S.bulk_submit(db, cat, who(db, "info_manager@6201020001"), ids)
        cases = [r.extra["case"] for r in subs]
        S.bulk_approve(db, cat, who(db, "info_reviewer@6201020001"), cases)
        out = S.bulk_approve(db, cat, who(db, "info_reviewer@620102"), cases)
        assert [(r.ok, r.state, r.extra["final"]) for r in out] == [(True, "approved", True)] * 3
        assert {db.get(Teacher, t).state for t in ids} == {"approved"}
        kinds = [e.action for e in db.scalars(select(ReviewEvent).where(ReviewEvent.case_id == cases[0])
                                              .order_by(ReviewEvent.at, ReviewEvent.id))]
        assert kinds == ["submit", "approve", "approve", "complete"]
        db.commit()
