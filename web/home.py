"""The home page of each kind of account (issue 15 §5), as plain data for the templates.

- a teacher: each set of the file with its state (完成 / 未填 / 有错误), the review state with the
  reason a file was sent back, and the deadline of the collection window that applies;
- a school: its to-do counts (待报送, 退回, what waits for it: review cases and the modules' items,
  web/hooks.py ``home_todos``);
- an authority: its queues (review cases and the modules' items waiting at it) and the progress
  of the units directly below it (web/review/progress.py).

Only names reach the page, never internal ids; each count links to the page that lists it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from web import permissions
from web.db.models import Teacher, Unit
from web.hooks import Todo
from web.principal import Principal

DONE, EMPTY, ERRORS = "done", "empty", "errors"
SET_STATES = {DONE: ("完成", "Complete"), EMPTY: ("未填", "Not filled in"), ERRORS: ("有错误", "Has errors")}


@dataclass(frozen=True)
class SetState:
    key: str
    label: str
    state: str
    word: str
    errors: int
    filled_by_teacher: bool
    href: str


def _word(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def teacher_home(db: Session, cat: Any, me: Principal, lang: str = "zh") -> dict[str, Any]:
    """A teacher's own file: sets with their state, the review state, the window's deadline."""
    from web.forms import service
    from web.review import queue as review_queue
    from web.review.progress import windows_for

    tf = service.load_file(db, cat, me, me.teacher_id)
    found = service.completeness(cat, tf, lang)
    errors: dict[str, int] = {}
    for p in found.problems:
        if p.severity == "error":
            errors[p.set_key] = errors.get(p.set_key, 0) + 1
    sets = []
    for key in cat.set_keys(tf.family):
        spec = cat.sets[key]
        rows = tf.rows(key)
        state = EMPTY if not rows else ERRORS if errors.get(key) else DONE
        sets.append(SetState(key, spec.label.get(lang), state, _word(SET_STATES[state], lang), errors.get(key, 0),
                             spec.teacher_fills_any(), f"/forms/teachers/{tf.teacher.id}/sets/{key}"))
    status = review_queue.file_status(db, cat, me, tf.teacher.id, lang=lang)
    return {"teacher": tf.teacher, "unit": tf.teacher.unit.name, "sets": sets,
            "counts": {s: sum(1 for x in sets if x.state == s) for s in SET_STATES},
            "review": {"state": status["state"], "label": status["state_label"],
                       "reason": status["returned_reason"]},
            "windows": windows_for(db, tf.teacher.unit_id)}


def _review_waiting(db: Session, cat: Any, me: Principal, lang: str) -> Todo | None:
    from web.review import queue as review_queue

    if not permissions.may(me, "review.queue"):
        return None
    got = review_queue.queue(db, cat, me, limit=1, lang=lang)
    return Todo("review.queue", "待审核", "Waiting for review", got["total"], "/review/queue")


def staff_home(db: Session, cat: Any, me: Principal, unit: Unit, registry: Any, ctx: Any = None,
               lang: str = "zh") -> dict[str, Any]:
    """A unit's to-do counts and, for an authority, the progress of the units below."""
    from web.review import words as W
    from web.review.progress import progress, windows_for

    todos: list[Todo] = []
    below: list[dict[str, Any]] = []
    if unit.level == "school" and permissions.may(me, "review.submit_page"):
        counts = dict(db.execute(select(Teacher.state, func.count()).where(Teacher.unit_id == unit.id)
                                 .group_by(Teacher.state)).all())
        todos.append(Todo("review.unsubmitted", "待报送", "To submit",
                          counts.get(W.UNSUBMITTED, 0) + counts.get("draft", 0), "/review/school"))
        todos.append(Todo("review.rejected", "退回", "Sent back", counts.get(W.REJECTED, 0), "/review/school"))
    waiting = _review_waiting(db, cat, me, lang)
    if waiting is not None:
        todos.append(waiting)
    for batch in registry.pm.hook.home_todos(ctx=ctx, me=me, unit=unit, db=db):
        todos.extend(batch or [])
    # whom the account acts for, when a module says it is not its unit (web/hooks.py home_heading)
    heading = next((h for batch in registry.pm.hook.home_heading(ctx=ctx, me=me, unit=unit, db=db)
                    for h in batch or []), None)
    if unit.level != "school" and permissions.may(me, "review.progress"):
        below = progress(db, me, lang=lang)["rows"]
    return {"unit": unit, "heading": heading.label(lang) if heading else unit.name, "todos": todos, "below": below,
            "windows": windows_for(db, unit.id)}
