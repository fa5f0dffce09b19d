"""People move, files do not: a transfer, a secondment and a status change through the services
(web/people), as the case engine calls them on completion. SQLite here; PostgreSQL with
TMIS_TEST_DATABASE_URL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from web import scope
from web.db.models import Account, AuditEntry, Grant, Record, Teacher
from web.errors import Refusal
from web.people import clock, history, moves, roll
from web.people import status as people_status
from web.people.models import TeacherAssignment
from web.review import changes as review_changes
from web.review import service as review


def _code(fn, *a, **kw) -> str:
    with pytest.raises(Refusal) as exc:
        fn(*a, **kw)
    return exc.value.code


def _audit_pending(db) -> list[AuditEntry]:
    """Entries join the chain at commit; before it they wait in the session."""
    return list(db.info.get("tmis_audit_pending", []))


def _records(db, tid: int) -> dict[int, tuple[str, dict]]:
    return {r.id: (r.set_key, dict(r.document)) for r in db.scalars(select(Record).where(Record.teacher_id == tid))}


def _work(db, tid: int) -> list[dict]:
    return [dict(r.document) for r in db.scalars(select(Record).where(Record.teacher_id == tid, Record.set_key == "work")
                                                  .order_by(Record.position))]


def test_a_transfer_across_cities_moves_ownership_not_the_file(ctx, cats, world, who, approved_teacher):
    cat = cats["36"]
    tid = approved_teacher("3601020001")
    already = approved_teacher("3602020001")  # the target school has numbered teachers already
    with ctx.sessions() as db:
        teacher = db.get(Teacher, tid)
        old_number = teacher.teacher_number
        target_top = db.scalar(select(func.max(Teacher.teacher_number)).where(
            Teacher.teacher_number.startswith("36020200000001")))
        assert db.get(Teacher, already).teacher_number.startswith("36020200000001")
        before = _records(db, tid)
        new_school = who(db, "info_manager@3602020001")
        old_school = who(db, "info_manager@3601020001")
        assert _code(scope.get_teacher, db, new_school, tid) == "W402"
        on = clock.today()

        effect = moves.transfer(db, cat, who(db, "info_reviewer@360202"), tid, world.units["3602020001"], case_id=77)

        teacher = db.get(Teacher, tid)
        assert teacher.unit_id == world.units["3602020001"]
        # access follows ownership: the new school reads the file, the old one no longer does
        assert scope.get_teacher(db, new_school, tid).id == tid
        assert _code(scope.get_teacher, db, old_school, tid) == "W402"
        # 江西: the next free number of the target unit
        assert teacher.teacher_number == f"{target_top[:-4]}{int(target_top[-4:]) + 1:04d}"
        assert effect["teacher_number"] == {"before": old_number, "after": teacher.teacher_number}
        # nothing copied: every record is the row it was, approved data untouched except the
        # move's own fields (工作经历 closed + opened, 进本校年月)
        after = _records(db, tid)
        assert set(before) <= set(after)
        for rid, (set_key, doc) in before.items():
            if set_key not in ("work", "basic"):
                assert after[rid] == (set_key, doc)
        assert after[next(r for r, (k, _) in before.items() if k == "basic")][1]["entry_month"] == moves.ym(on)
        work = _work(db, tid)
        assert work[0]["end_month"] == moves.ym(on)  # the only open job was the old school's
        assert work[-1]["unit_name"] == "昌江区职业中学" and not work[-1].get("end_month")
        assert set(db.scalars(select(Record.state).where(Record.teacher_id == tid))) == {"approved"}
        # the history: the old appointment end-dated and kept, the new one open
        rows = history.rows(db, tid)
        assert [(r.personnel_unit_id, r.valid_to, r.end_reason) for r in rows] == [
            (world.units["3601020001"], on, "transfer"), (world.units["3602020001"], None, None)]
        assert rows[1].source_case_id == 77
        # the teacher's own account moved too
        account = db.scalar(select(Account).where(Account.teacher_id == tid))
        if account is not None:
            assert account.unit_id == world.units["3602020001"]
        entry = next(e for e in _audit_pending(db) if e.action == "teacher.transfer")
        assert entry.target_id == str(tid) and entry.detail["from_unit"] == "3601020001" and entry.detail["case"] == 77
        db.rollback()


def test_the_teacher_account_and_its_grant_move_with_the_teacher(ctx, cats, world, who):
    cat = cats["36"]
    tid = world.teachers["3601020002"][0]
    with ctx.sessions() as db:
        moves.transfer(db, cat, None, tid, world.units["3601030001"])
        account = db.scalar(select(Account).where(Account.teacher_id == tid))
        assert account.unit_id == world.units["3601030001"]
        assert [g.unit_id for g in db.scalars(select(Grant).where(Grant.account_id == account.id))] == [
            world.units["3601030001"]]
        db.rollback()


def test_work_history_closes_the_record_of_the_old_school_by_name(ctx, cats, world, who, approved_teacher):
    cat = cats["36"]
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        first = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "work"))
        first.document = {**first.document, "end_month": "2010-06"}  # an earlier job, ended
        db.add(Record(teacher_id=tid, set_key="work", position=1, catalogue_version=cat.version, state="approved",
                      document={**first.document, "unit_name": "东湖区第一小学", "start_month": "2010-09",
                                "end_month": None}))
        db.flush()
        moves.transfer(db, cat, None, tid, world.units["3601030001"])
        work = _work(db, tid)
        assert [(w["unit_name"], w.get("end_month")) for w in work][1:] == [
            ("东湖区第一小学", moves.ym(clock.today())), ("西湖区幼儿园", None)]
        assert work[0]["end_month"] == "2010-06"
        db.rollback()


def test_without_work_history_a_closed_record_for_the_old_school_is_added(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3601020001"][1]  # four items only
    with ctx.sessions() as db:
        moves.transfer(db, cat, None, tid, world.units["3601020002"])
        month = moves.ym(clock.today())
        assert [(w["unit_name"], w.get("end_month"), w["unit_nature"]) for w in _work(db, tid)] == [
            ("东湖区第一小学", month, "23"), ("东湖区第二中学", None, "23")]
        assert db.get(Teacher, tid).teacher_number is None  # none before: given on approval
        db.rollback()


def test_a_pending_review_or_an_open_change_request_blocks_a_transfer(ctx, cats, world, who, new_teacher,
                                                                      approved_teacher):
    cat = cats["36"]
    pending = new_teacher("3601020001")
    approved = approved_teacher("3601020001")
    with ctx.sessions() as db:
        review.submit(db, cat, who(db, "info_manager@3601020001"), pending)
        with pytest.raises(Refusal) as exc:
            moves.transfer(db, cat, None, pending, world.units["3601020002"])
        assert exc.value.code == "W750" and "待审核（学校）" in exc.value.message()
        basic = db.scalar(select(Record).where(Record.teacher_id == approved, Record.set_key == "basic"))
        review_changes.open_change(db, cat, who(db, "info_manager@3601020001"), approved, [basic.id])
        assert _code(moves.transfer, db, cat, None, approved, world.units["3601020002"]) == "W751"
        assert db.get(Teacher, approved).unit_id == world.units["3601020001"]
        db.rollback()


def test_a_transfer_to_the_same_school_or_to_a_county_is_refused(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3601020001"][2]
    with ctx.sessions() as db:
        assert _code(moves.transfer, db, cat, None, tid, world.units["3601020001"]) == "W752"
        assert _code(moves.transfer, db, cat, None, tid, world.units["360102"]) == "W753"
        db.rollback()


def test_ownership_as_of_a_date(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3601030001"][0]
    a, b, c = (world.units[x] for x in ("3601030001", "3601020001", "3602020001"))
    with ctx.sessions() as db:
        start = history.file_start(db.get(Teacher, tid))
        d1, d2 = start + dt.timedelta(days=10), start + dt.timedelta(days=20)
        assert history.unit_on(db, tid, start - dt.timedelta(days=1)) is None
        assert history.unit_on(db, tid, start) == a  # never moved: no row, the file's unit
        moves.transfer(db, cat, None, tid, b, on=d1)
        moves.transfer(db, cat, None, tid, c, on=d2)
        assert [history.unit_on(db, tid, d) for d in (start, d1 - dt.timedelta(days=1), d1, d2, d2 + dt.timedelta(days=400))] == [a, a, b, c, c]
        on_day = {day: dict(db.execute(select(history.units_on(day).subquery())).all()).get(tid)
                  for day in (start, d1, d2)}
        assert on_day == {start: a, d1: b, d2: c}
        # a never-moved colleague counts at its school from the day its file exists
        other = world.teachers["3601030001"][1]
        assert dict(db.execute(select(history.units_on(d1).subquery())).all())[other] == a
        db.rollback()


def test_moving_earlier_than_the_current_appointment_began_is_refused(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3601030001"][2]
    with ctx.sessions() as db:
        start = history.file_start(db.get(Teacher, tid))
        assert _code(moves.transfer, db, cat, None, tid, world.units["3601020001"],
                     on=start - dt.timedelta(days=1)) == "W754"
        db.rollback()


# ------------------------------------------------------------------ status changes

def test_retirement_takes_the_teacher_off_the_roll_and_keeps_the_file(ctx, cats, world, who, app):
    from tests.web.conftest import PASSWORD, Client

    cat = cats["36"]
    with ctx.sessions() as db:
        tid = world.teachers["3601020002"][1]
        username = world.teacher_usernames[tid]
    client = Client(app, username, entry="teacher")
    assert client.get("/api/v1/auth/me").status_code == 200
    with ctx.sessions() as db:
        today = clock.today()
        effect = people_status.set_status(db, cat, who(db, "info_manager@3601020002"), tid, "retired", None, today,
                                  note="到龄退休")
        assert effect["status"] == {"before": "100", "after": "301"}
        db.commit()
    # the session ended and no new one opens; the message says why
    assert client.get("/api/v1/auth/me").status_code == 401
    r = Client(app).http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "W759" and "退休" in r.json()["message"]
    with ctx.sessions() as db:
        teacher = db.get(Teacher, tid)
        assert teacher.left_on == today and not roll.is_on_roll(teacher)
        on_roll_ids = set(db.scalars(select(Teacher.id).where(roll.on_roll(), Teacher.unit_id == teacher.unit_id)))
        assert tid not in on_roll_ids and world.teachers["3601020002"][0] in on_roll_ids
        # the school still reads the kept file
        assert scope.get_teacher(db, who(db, "info_manager@3601020002"), tid).id == tid
        basic = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
        assert basic.document["person_status"] == "301"
        assert history.rows(db, tid)[-1].end_reason == "retired"
        # nothing more can happen to a retired teacher but 返岗
        assert _code(moves.transfer, db, cat, None, tid, world.units["3601020001"]) == "W756"
        assert _code(people_status.set_status, db, cat, None, tid, "left", None, today) == "W756"
        # 返岗 brings the teacher back on the roll, with a new appointment
        people_status.set_status(db, cat, None, tid, "returned", None, today)
        teacher = db.get(Teacher, tid)
        assert teacher.left_on is None and roll.is_on_roll(teacher)
        assert history.unit_on(db, tid, today) == teacher.unit_id
        db.commit()
    assert Client(app, username, entry="teacher").get("/api/v1/auth/me").status_code == 200


def test_status_change_refusals(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3601020002"][2]
    with ctx.sessions() as db:
        today = clock.today()
        assert _code(people_status.set_status, db, cat, None, tid, "absent", None, today) == "W758"  # which reason?
        assert _code(people_status.set_status, db, cat, None, tid, "retired", "203", today) == "W758"
        assert _code(people_status.set_status, db, cat, None, tid, "left", None, today + dt.timedelta(days=1)) == "W755"
        assert _code(people_status.set_status, db, cat, None, tid, "returned", None, today) == "W757"
        people_status.set_status(db, cat, None, tid, "absent", "203", today)  # 长病假: still on the roll
        assert roll.is_on_roll(db.get(Teacher, tid))
        people_status.set_status(db, cat, None, tid, "died", None, today)
        assert _code(people_status.set_status, db, cat, None, tid, "returned", None, today) == "W762"
        db.rollback()


# ------------------------------------------------------------------ secondments

def test_a_secondment_gives_basic_reading_while_it_lasts_and_ends_by_itself(ctx, cats, world, who, approved_teacher):
    cat = cats["36"]
    tid = approved_teacher("3601020001")
    host = "3601030001"
    start, end = dt.date(2031, 9, 1), dt.date(2032, 7, 31)
    with ctx.sessions() as db:
        with clock.frozen(dt.date(2031, 8, 20)):
            effect = moves.second(db, cat, who(db, "info_reviewer@360102"), tid, world.units[host], start, end,
                                  rotation_type="6", case_id=5)
            receiving = who(db, f"info_manager@{host}")
            assert _code(scope.get_teacher_basic, db, receiving, tid) == "W402"  # not begun yet
            assert moves.person_status(db, tid) == "100"
        rotation = db.get(Record, effect["record"])
        assert rotation.document == {"rotation_type": "6", "transfers_relation": False, "start_month": "2031-09",
                                     "end_month": "2032-07", "original_unit": "东湖区第一小学",
                                     "rotation_unit": "西湖区幼儿园"}
        assert rotation.state == "approved"
        assert not db.scalars(select(Record).where(Record.teacher_id == tid, Record.set_key == "rotation",
                                                   Record.id != rotation.id)).all()  # the 无 record went
        for day, seen in ((start, True), (end, True), (end + dt.timedelta(days=1), False)):
            with clock.frozen(day):
                found = db.scalar(select(Teacher.id).where(Teacher.id == tid, scope.basic_filter(receiving)))
                assert (found is not None) is seen, day
                # never the whole file: the full reading scope stays with the personnel unit
                assert _code(scope.get_teacher, db, receiving, tid) == "W402"
        assert db.get(Teacher, tid).unit_id == world.units["3601020001"]
        # the daily run: 交流轮岗 status while it lasts, back afterwards; twice is the same as once
        assert moves.apply_dates(db, cat, start) == {"started": 1, "ended": 0}
        assert moves.person_status(db, tid) == "205"
        assert moves.apply_dates(db, cat, start + dt.timedelta(days=3)) == {"started": 0, "ended": 0}
        assert moves.apply_dates(db, cat, end + dt.timedelta(days=1)) == {"started": 0, "ended": 1}
        assert moves.person_status(db, tid) == "100"
        assert moves.apply_dates(db, cat, end + dt.timedelta(days=2)) == {"started": 0, "ended": 0}
        db.rollback()


def test_overlapping_or_backwards_secondments_are_refused(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3602020001"][0]
    with ctx.sessions() as db:
        moves.second(db, cat, None, tid, world.units["3601020001"], dt.date(2030, 9, 1), dt.date(2031, 1, 31))
        assert _code(moves.second, db, cat, None, tid, world.units["3601020002"], dt.date(2031, 1, 1),
                     dt.date(2031, 6, 30)) == "W761"
        assert _code(moves.second, db, cat, None, tid, world.units["3601020002"], dt.date(2031, 6, 1),
                     dt.date(2031, 5, 1)) == "W760"
        moves.second(db, cat, None, tid, world.units["3601020002"], dt.date(2031, 2, 1), dt.date(2031, 6, 30))
        db.rollback()


def test_a_transfer_ends_a_running_secondment(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3602020001"][1]
    today = clock.today()
    with ctx.sessions() as db:
        moves.second(db, cat, None, tid, world.units["3601020001"], today, today + dt.timedelta(days=100))
        assert moves.person_status(db, tid) == "205"
        moves.transfer(db, cat, None, tid, world.units["3601020002"])
        rows = db.scalars(select(TeacherAssignment).where(TeacherAssignment.teacher_id == tid,
                                                          TeacherAssignment.kind == "secondment")).all()
        assert [(r.valid_to, r.end_reason) for r in rows] == [(today, "transfer")]
        assert moves.person_status(db, tid) == "100"
        db.rollback()


def test_leaving_cuts_a_running_secondment_and_cannot_predate_the_appointment(ctx, cats, world):
    cat = cats["36"]
    tid = world.teachers["3601030001"][1]
    today = clock.today()
    with ctx.sessions() as db:
        start = history.file_start(db.get(Teacher, tid))
        assert _code(people_status.set_status, db, cat, None, tid, "retired", None,
                     start - dt.timedelta(days=1)) == "W754"
        moves.second(db, cat, None, tid, world.units["3601020001"], today, today + dt.timedelta(days=60))
        people_status.set_status(db, cat, None, tid, "left", "306", today)
        rows = sorted(history.rows(db, tid), key=lambda r: r.kind)
        assert [(r.kind, r.valid_to, r.end_reason) for r in rows] == [
            ("appointment", today, "left"), ("secondment", today, "left")]
        # the receiving school's reading ends with it
        receiving = db.scalar(select(Teacher.id).where(Teacher.id == tid, Teacher.id.in_(
            history.seconded_into([world.units["3601020001"]], today))))
        assert receiving is None
        db.rollback()
