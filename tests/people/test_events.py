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
