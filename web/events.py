"""Events: the core (and modules) say what happened; modules listen (web/hooks.py ``handle_event``).

``emit(db, name, actor=…, **payload)`` is called inside the transaction of the change, so what a
listener writes commits or rolls back with it. The core emits the events of ``CORE_EVENTS``
where they happen: ``file.approved`` (web/review, the last level approves a file or a change),
``teacher.moved`` and ``status.changed`` (web/people/moves.py). ``emit_many`` hands a batch of one
name to the listeners (``handle_events`` once, else ``handle_event`` per event). Payloads carry ids, unit codes and
names, never ID numbers.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from web.hooks import Event, EventType

FILE_APPROVED = "file.approved"
TEACHER_MOVED = "teacher.moved"
STATUS_CHANGED = "status.changed"

CORE_EVENTS = (
    EventType(FILE_APPROVED, "档案审核通过", "A file was approved"),
    EventType(TEACHER_MOVED, "教师调动（所在单位变更）", "A teacher moved to another unit"),
    EventType(STATUS_CHANGED, "人员状态变动", "A teacher's status changed"),
)


def emit(db: Any, name: str, *, actor: int | None = None, **payload: Any) -> Event:
    """Hand ``name`` with ``payload`` to every listener of the current registry (web/modules.py)."""
    from web.modules import current

    event = Event(name, payload, actor)
    current().dispatch(event, db)
    return event


def emit_many(db: Any, name: str, payloads: Iterable[Mapping[str, Any]], *, actor: int | None = None) -> list[Event]:
    """Many events of one name at once (a batch: the status changes of an Excel sheet): each
    ``handle_events`` listener gets the list in one call, a ``handle_event`` listener each event,
    in order, inside the same transaction (web/hooks.py)."""
    from web.modules import current

    batch = [Event(name, dict(p), actor) for p in payloads]
    current().dispatch_many(batch, db)
    return batch
