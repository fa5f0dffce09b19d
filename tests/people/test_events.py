"""The core emits the events of web/events.py where they happen (web/hooks.py ``handle_event``):
file.approved when the last level approves, teacher.moved on a transfer, status.changed on a
status change; listeners get them inside the change's transaction."""

from __future__ import annotations

import pytest

from web import events, modules
from web.hooks import hookimpl
from web.people import clock, moves, status


class Listener:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict]] = []

    @hookimpl
    def handle_event(self, event, db):
        assert db is not None
        self.seen.append((event.name, dict(event.payload)))


@pytest.fixture()
def listener():
    reg = modules.current()
    got = Listener()
    reg.pm.register(got, name="test-listener")
    yield got
    reg.pm.unregister(name="test-listener")


def test_the_core_emits_approved_moved_and_status_changed(ctx, cats, world, who, approved_teacher, listener):
    cat = cats["36"]
    tid = approved_teacher("3601020001")
    assert [n for n, p in listener.seen if p.get("teacher_id") == tid] == [events.FILE_APPROVED]
    with ctx.sessions() as db:
        moves.transfer(db, cat, who(db, "info_reviewer@360102"), tid, world.units["3601020002"])
        status.set_status(db, cat, who(db, "info_manager@3601020002"), tid, "retired", None, clock.today())
        db.commit()
    mine = [(n, p) for n, p in listener.seen if p.get("teacher_id") == tid]
    assert [n for n, _ in mine] == [events.FILE_APPROVED, events.TEACHER_MOVED, events.STATUS_CHANGED]
    assert mine[1][1]["from_unit"] == "3601020001" and mine[1][1]["to_unit"] == "3601020002"
    assert mine[2][1]["change"] == "retired"


class BatchListener:
    def __init__(self) -> None:
        self.batches: list[list[tuple[str, dict]]] = []

    @hookimpl
    def handle_events(self, events, db):
        assert db is not None
        self.batches.append([(e.name, dict(e.payload)) for e in events])

    @hookimpl
    def handle_event(self, event, db):  # a batch never comes here: handle_events has it
        raise AssertionError(f"single event {event.name} given to a batch listener")


def test_a_batch_reaches_batch_and_single_listeners(ctx, cats, world, who, approved_teacher, listener):
    """A status-change batch (two teachers retire at once): a handle_events listener gets the batch
    in one call, a handle_event-only listener each change, in order."""
    cat = cats["36"]
    a, b = approved_teacher("3601020001"), approved_teacher("3601020001")
    reg = modules.current()
    batched = BatchListener()
    reg.pm.register(batched, name="test-batch-listener")
    try:
        with ctx.sessions() as db:
            status.apply(db, cat, who(db, "info_manager@3601020001"),
                         [status.StatusChange(a, "retired", clock.today()),
                          status.StatusChange(b, "left", clock.today(), "306")])
            db.commit()
    finally:
        reg.pm.unregister(name="test-batch-listener")
    assert [[(n, p["teacher_id"], p["change"]) for n, p in batch] for batch in batched.batches] == [
        [(events.STATUS_CHANGED, a, "retired"), (events.STATUS_CHANGED, b, "left")]]
    singles = [(n, p["teacher_id"], p["change"]) for n, p in listener.seen if p.get("teacher_id") in (a, b)
               and n == events.STATUS_CHANGED]
    assert singles == [(events.STATUS_CHANGED, a, "retired"), (events.STATUS_CHANGED, b, "left")]
    with pytest.raises(modules.ModuleError, match="not registered"):
        events.emit_many(None, "nobody.registered_this", [{"teacher_id": a}])


def test_a_case_writing_approved_data_is_seen_like_an_approval(ctx, cats, world, who, approved_teacher, listener):
    """A business case that fills read-only fields of approved data (the 定期注册 outcome) tells the listeners, so the
    statistics summary and the national tier's published file follow it (review finding: they kept the old values)."""
    from web.db.models import Record
    from web.services import records

    cat = cats["36"]
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        rec = Record(teacher_id=tid, set_key="qualification", position=0, document={"kind": "10"},
                     catalogue_version=cat.version, state="approved")
        db.add(rec)
        db.flush()
        before = len(listener.seen)
        records.write_from_case(db, cat, who(db, "info_reviewer@3601"), tid, rec.id,
                                {"periodic_registration_date": "2026-06-30"}, via="registration", case_id=None)
        db.commit()
    got = [(n, p) for n, p in listener.seen[before:] if p.get("teacher_id") == tid]
    assert [n for n, _ in got] == [events.FILE_APPROVED] and got[0][1]["kind"] == "registration"
