"""Progress per level (上报进展) and collection windows (采集时间) with deadlines.

For a unit U (the viewer's own unit by default, or any unit within scope), one row per unit
directly below U: teachers by file state (未报送, 待审核 per level, 审核通过, 审核未通过), open
additions and change requests, the share submitted and approved, and whether the unit is late for
an open collection window. Two grouped queries over the closure table (one for states, one for
waiting levels); no per-teacher work, so a province page costs the same as a county page.

"Completeness" here is the share of files that passed the completeness check, which every
submitted file did (报送 requires it): submitted = 待审核 + 审核通过. The per-field check of files
not yet submitted lives on the forms' completeness page (issue 4).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from web import audit, permissions, scope
from web.db.models import Teacher, Unit, UnitClosure
from web.errors import Refusal
from web.principal import Principal
from web.review import words as W
from web.review.models import PENDING, CollectionWindow, ReviewCase
from web.services import units as unit_service

LEVEL_ORDER = ["school", "county", "city", "province"]


def _unit_for(db: Session, principal: Principal, unit_code: str | None) -> Unit:
    permissions.require(principal, "review.progress")
    if unit_code:
        return unit_service.get(db, principal, unit_code)
    unit = db.get(Unit, principal.unit_id)
    assert unit is not None
    return unit


def windows_for(db: Session, unit_id: int, *, today: date | None = None) -> list[dict[str, Any]]:
    """Open windows that apply to a unit: opened by the unit itself or any unit above it."""
    today = today or date.today()
    rows = db.execute(select(CollectionWindow, Unit.name).join(Unit, Unit.id == CollectionWindow.unit_id)
                      .join(UnitClosure, UnitClosure.ancestor_id == CollectionWindow.unit_id)
                      .where(UnitClosure.descendant_id == unit_id, CollectionWindow.closed.is_(False))
                      .order_by(CollectionWindow.due_on)).all()
    return [window_json(w, name, today) for w, name in rows]


def window_json(w: CollectionWindow, unit_name: str, today: date) -> dict[str, Any]:
    left = (w.due_on - today).days
    return {"id": w.id, "title": w.title, "title_en": w.title_en or w.title, "opened_by": unit_name,
            "opens_on": w.opens_on.isoformat(), "due_on": w.due_on.isoformat(), "days_left": left,
            "overdue": left < 0, "open": w.opens_on <= today}


def open_window(db: Session, principal: Principal, unit_code: str, title: str, due_on: date, *,
                opens_on: date | None = None, title_en: str | None = None) -> CollectionWindow:
    """A level opens a window for everything below it (e.g. the province: annual update, due 31 March)."""
    unit = unit_service.get(db, principal, unit_code)
    permissions.require(principal, "window.open", unit)
    opens_on = opens_on or date.today()
    title = (title or "").strip()
    if not title or due_on < opens_on:
        raise Refusal(W.W_WINDOW_BAD, detail="需要标题，截止日期不早于开始日期",
                      detail_en="a title and a due date on or after the opening date are needed")
    w = CollectionWindow(unit_id=unit.id, title=title[:100], title_en=(title_en or None), opens_on=opens_on,
                         due_on=due_on, created_by_id=principal.account_id)
    db.add(w)
    db.flush()
    audit.record(db, "review.window", actor=principal, target_type="unit", target_id=unit.id, unit_id=unit.id,
                 detail={"title": w.title, "due_on": due_on.isoformat(), "opens_on": opens_on.isoformat()})
    return w


def close_window(db: Session, principal: Principal, window_id: int) -> None:
    w = db.get(CollectionWindow, window_id)
    if w is None:
        raise Refusal(W.W_WINDOW_BAD, detail=f"#{window_id}")
    permissions.require(principal, "window.open", db.get(Unit, w.unit_id))
    w.closed = True
    audit.record(db, "review.window_close", actor=principal, target_type="unit", target_id=w.unit_id,
                 unit_id=w.unit_id, detail={"window": w.id})


def progress(db: Session, principal: Principal, unit_code: str | None = None, *, lang: str = "zh",
             today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    unit = _unit_for(db, principal, unit_code)
    children = list(db.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)))
    rows_units = children or [unit]
    ids = [u.id for u in rows_units]
    # teachers by state, per unit below (closure: every teacher counts for each ancestor)
    by_state: dict[int, dict[str, int]] = {}
    for uid, state, n in db.execute(
            select(UnitClosure.ancestor_id, Teacher.state, func.count())
            .join(Teacher, Teacher.unit_id == UnitClosure.descendant_id)
            .where(UnitClosure.ancestor_id.in_(ids), scope.teacher_filter(principal, "teacher.read"))
            .group_by(UnitClosure.ancestor_id, Teacher.state)):
        by_state.setdefault(uid, {})[state] = n
    waiting: dict[int, dict[str, dict[str, int]]] = {}
    for uid, kind, level, n in db.execute(
            select(UnitClosure.ancestor_id, ReviewCase.kind, ReviewCase.waiting_level, func.count())
            .join(ReviewCase, ReviewCase.unit_id == UnitClosure.descendant_id)
            .where(UnitClosure.ancestor_id.in_(ids), ReviewCase.status == PENDING,
                   scope.unit_filter(principal, "teacher.read", ReviewCase.unit_id))
            .group_by(UnitClosure.ancestor_id, ReviewCase.kind, ReviewCase.waiting_level)):
        waiting.setdefault(uid, {}).setdefault(kind, {})[level] = n
    windows = windows_for(db, unit.id, today=today)
    due = [w for w in windows if w["open"]]
    out_rows = []
    for u in rows_units:
        s = by_state.get(u.id, {})
        total = sum(s.values())
        first = waiting.get(u.id, {}).get("first_submission", {})
        unsubmitted = s.get(W.UNSUBMITTED, 0) + s.get("draft", 0)
        pending = s.get(W.PENDING, 0)
        approved = s.get(W.APPROVED, 0)
        rejected = s.get(W.REJECTED, 0)
        unfinished = total - approved
        late = [w["title"] for w in due if w["overdue"] and unfinished > 0]
        out_rows.append({
            "unit_code": u.code, "unit_name": u.name, "level": u.level, "total": total,
            "unsubmitted": unsubmitted, "pending": pending,
            "pending_by_level": {lv: first.get(lv, 0) for lv in LEVEL_ORDER if first.get(lv, 0) or lv in first},
            "approved": approved, "rejected": rejected,
            "additions_pending": sum(waiting.get(u.id, {}).get("addition", {}).values()),
            "changes_pending": sum(waiting.get(u.id, {}).get("change", {}).values()),
            "submitted_share": round((pending + approved) / total, 4) if total else None,
            "approved_share": round(approved / total, 4) if total else None,
            "late": bool(late), "late_for": late,
        })
    return {"unit": {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level}, "windows": windows,
            "rows": out_rows, "late_units": [r["unit_code"] for r in out_rows if r["late"]],
            "states": {k: W.word(W.STATE_WORDS, k, lang) for k in (W.UNSUBMITTED, W.PENDING, W.APPROVED, W.REJECTED)},
            "levels": {k: W.word(W.LEVEL_WORDS, k, lang) for k in LEVEL_ORDER}}
