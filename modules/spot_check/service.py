"""Spot checks (随机抽查, 暂行办法 art. 17): one service function per write, and the reads.

- ``draw``: an authority (province, city or county: its 信息管理员 or 信息审核员, record.review held
  at the unit) draws ``size`` schools or teachers of its area with a seed (given, or made and
  shown); the population is the area's schools, or its teachers on the roll with an approved file.
- ``record``: the authority records each item's verification (核实无误 / 有误 with a note).
- ``publish``: once every item is verified, the summary (通报) goes to the units below; the check
  is then final.
Every write is audited in its transaction. Reads: the authority (and the units above it) see the
whole check; a unit below sees a published check with the items of its own area only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from engine.fieldtypes import halfwidth
from modules.spot_check import sample
from modules.spot_check import words as W
from modules.spot_check.models import OK, OPEN, PUBLISHED, WRONG, SpotCheck, SpotCheckItem
from web import audit, permissions, scope
from web.db.base import utcnow
from web.db.models import Teacher, Unit, UnitClosure
from web.errors import Refusal
from web.hooks import Todo
from web.permissions import Rule
from web.principal import Principal

DRAW = "spot_check.draw"
AUTHORITY_LEVELS = ("province", "city", "county")
# drawing, verifying and publishing: the authority's data staff who review (信息管理员, 信息审核员)
RULES = {DRAW: Rule(("record.review",), at="at", levels=AUTHORITY_LEVELS)}
READ = "teacher.read"
APPROVED = "approved"
NOTICE_DAYS = 180  # a published check counts on the home pages below for this long


# ------------------------------------------------------------------ the population

def population(db: Session, unit: Unit, kind: str, today: dt.date) -> dict[Any, tuple[int, str, int | None, str | None]]:
    """key -> (school id, school name, teacher id, teacher name) of every member of the area's
    population: its schools (key: unit code), or its teachers on the roll with an approved file
    (key: the teacher's id)."""
    area = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit.id)
    if kind == "school":
        rows = db.execute(select(Unit.code, Unit.id, Unit.name).where(Unit.level == "school", Unit.id.in_(area)))
        return {code: (uid, name, None, None) for code, uid, name in rows}
    rows = db.execute(select(Teacher.id, Teacher.name, Unit.id, Unit.name).join(Unit, Unit.id == Teacher.unit_id)
                      .where(Teacher.unit_id.in_(area), Teacher.state == APPROVED,
                             or_(Teacher.left_on.is_(None), Teacher.left_on > today)))
    return {tid: (uid, uname, tid, tname) for tid, tname, uid, uname in rows}


# ------------------------------------------------------------------ writes

def _authority(db: Session, me: Principal, unit_code: str | None) -> Unit:
    unit = db.get(Unit, me.unit_id) if not unit_code else db.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        from web.errors import W_UNIT_NOT_FOUND

        raise Refusal(W_UNIT_NOT_FOUND)
    permissions.require(me, DRAW, unit)
    return unit


def _size(value: Any, population: int) -> int:
    high = min(population, W.MAX_SIZE)
    text = halfwidth(str(value)) if value is not None else ""  # 抽查数量 typed ３ is 3
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= high:
        raise Refusal(W.W_SIZE, value=text[:20], high=high, population=population, max=W.MAX_SIZE)
    return int(text)


def draw(db: Session, me: Principal, *, kind: str, size: Any, seed: str | None = None, title: str = "",
         unit_code: str | None = None, today: dt.date | None = None) -> SpotCheck:
    """Draw a spot check at the caller's unit (or ``unit_code``, where it may draw)."""
    unit = _authority(db, me, unit_code)
    if kind not in W.KINDS:
        raise Refusal(W.W_KIND, value=str(kind)[:20])
    title = (title or "").strip()
    if not 1 <= len(title) <= W.MAX_TITLE:
        raise Refusal(W.W_TITLE, max=W.MAX_TITLE)
    seed = (seed or "").strip() or sample.new_seed()
    if not sample.valid_seed(seed):
        raise Refusal(W.W_SEED, value=seed[:40])
    from web.people import clock

    members = population(db, unit, kind, today or clock.today())
    if not members:
        raise Refusal(W.W_EMPTY, unit=unit.name, kind=W.KINDS[kind][0], kind_en=W.KINDS[kind][1].lower())
    n = _size(size, len(members))
    chosen = sample.draw(members, seed, n)
    check = SpotCheck(unit_id=unit.id, kind=kind, title=title, seed=seed, size=n, population=len(members),
                      fingerprint=sample.fingerprint(members), state=OPEN, created_by_id=me.account_id,
                      created_by_name=me.real_name[:50])
    db.add(check)
    db.flush()
    for i, key in enumerate(chosen, 1):
        uid, uname, tid, tname = members[key]
        db.add(SpotCheckItem(check_id=check.id, position=i, unit_id=uid, unit_name=uname, teacher_id=tid,
                             teacher_name=tname))
    db.flush()
    audit.record(db, "spot_check.draw", actor=me, target_type="spot_check", target_id=check.id, unit_id=unit.id,
                 detail={"kind": kind, "seed": seed, "size": n, "population": len(members),
                         "fingerprint": check.fingerprint})
    return check


def _own_open(db: Session, me: Principal, check_id: int) -> SpotCheck:
    check = get(db, me, check_id)
    permissions.require(me, DRAW, db.get(Unit, check.unit_id))
    # the check's row locked until the transaction ends: a verification and the publication run
    # one after the other (an item is never changed after its report was published)
    check = db.scalar(select(SpotCheck).where(SpotCheck.id == check.id).with_for_update()
                      .execution_options(populate_existing=True))
    if check.state == PUBLISHED:
        raise Refusal(W.W_PUBLISHED, on=_day(check.published_at))
    return check


def record(db: Session, me: Principal, check_id: int, item_id: int, result: str, note: str | None = None) -> SpotCheckItem:
    """The verification of one item (核实无误 / 有误 with a note), by the authority, until published."""
    check = _own_open(db, me, check_id)
    item = db.scalar(select(SpotCheckItem).where(SpotCheckItem.id == item_id, SpotCheckItem.check_id == check.id))
    if item is None:
        raise Refusal(W.W_ITEM, item=item_id)
    if not (result or "").strip():  # the page's blank choice: nothing is recorded for the item
        raise Refusal(W.W_NO_RESULT)
    if result not in W.RESULTS:
        raise Refusal(W.W_RESULT, value=str(result)[:20])
    note = (note or "").strip()
    if result == WRONG and not note:
        raise Refusal(W.W_NOTE_NEEDED)
    if len(note) > W.MAX_NOTE:
        raise Refusal(W.W_NOTE_LONG, length=len(note), max=W.MAX_NOTE)
    before = item.result
    item.result, item.note = result, note or None
    item.checked_by_name, item.checked_at = me.real_name[:50], utcnow()
    audit.record(db, "spot_check.verify", actor=me, target_type="spot_check", target_id=check.id,
                 unit_id=item.unit_id, detail={"item": item.position, "result": result, "before": before,
                                               **({"teacher_id": item.teacher_id} if item.teacher_id else {})})
    db.flush()
    return item


def publish(db: Session, me: Principal, check_id: int, summary: str | None = None) -> SpotCheck:
    """The summary (通报) to the units below; every item must be verified; final afterwards."""
    check = _own_open(db, me, check_id)
    unchecked = db.scalar(select(func.count()).select_from(SpotCheckItem).where(
        SpotCheckItem.check_id == check.id, SpotCheckItem.result.is_(None))) or 0
    if unchecked:
        raise Refusal(W.W_UNCHECKED, count=unchecked)
    summary = (summary or "").strip()
    if len(summary) > W.MAX_SUMMARY:
        raise Refusal(W.W_SUMMARY_LONG, length=len(summary), max=W.MAX_SUMMARY)
    check.state, check.summary = PUBLISHED, summary or None
    check.published_at, check.published_by_name = utcnow(), me.real_name[:50]
    counts = tally(db, check)
    audit.record(db, "spot_check.publish", actor=me, target_type="spot_check", target_id=check.id,
                 unit_id=check.unit_id, detail=counts)
    db.flush()
    return check


# ------------------------------------------------------------------ reads

def visible(me: Principal) -> ColumnElement[bool]:
    """Checks the caller may open: those of its area and above it (all their items), and the
    published ones of the authorities above it."""
    roots = me.roots(READ)
    if me.kind != "staff" or not roots:
        from sqlalchemy import false

        return false()
    above = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id.in_(roots))
    return or_(SpotCheck.unit_id.in_(scope.subtree(roots)),
               and_(SpotCheck.state == PUBLISHED, SpotCheck.unit_id.in_(above)))


def get(db: Session, me: Principal, check_id: int) -> SpotCheck:
    scope.require(me, READ)
    check = db.scalar(select(SpotCheck).where(SpotCheck.id == check_id, visible(me)))
    if check is None:
        raise Refusal(W.W_NOT_FOUND)
    return check


def listing(db: Session, me: Principal, limit: int = 200) -> list[SpotCheck]:
    scope.require(me, READ)
    return list(db.scalars(select(SpotCheck).where(visible(me)).order_by(SpotCheck.created_at.desc(),
                                                                         SpotCheck.id.desc()).limit(limit)))


def whole(db: Session, me: Principal, check: SpotCheck) -> bool:
    """Does the caller see every item (the authority and above) or only those of its area?"""
    return scope.unit_in_scope(db, me, check.unit_id, READ)


def items(db: Session, me: Principal, check: SpotCheck) -> list[SpotCheckItem]:
    stmt = select(SpotCheckItem).where(SpotCheckItem.check_id == check.id).order_by(SpotCheckItem.position)
    if not whole(db, me, check):
        stmt = stmt.where(scope.unit_filter(me, READ, SpotCheckItem.unit_id))
    return list(db.scalars(stmt))


def tally(db: Session, check: SpotCheck) -> dict[str, int]:
    got = dict(db.execute(select(SpotCheckItem.result, func.count()).where(SpotCheckItem.check_id == check.id)
                          .group_by(SpotCheckItem.result)).all())
    return {"ok": got.get(OK, 0), "wrong": got.get(WRONG, 0), "unchecked": got.get(None, 0)}


def reproduce(db: Session, check: SpotCheck, today: dt.date | None = None) -> dict[str, Any]:
    """Draw again with the check's seed from today's population: is it the same population, and
    the same sample?"""
    from web.people import clock

    unit = db.get(Unit, check.unit_id)
    members = population(db, unit, check.kind, today or clock.today())
    again = sample.draw(members, check.seed, check.size)
    rows = db.execute(select(SpotCheckItem.position, SpotCheckItem.teacher_id, Unit.code)
                      .join(Unit, Unit.id == SpotCheckItem.unit_id)
                      .where(SpotCheckItem.check_id == check.id).order_by(SpotCheckItem.position)).all()
    drawn = [code if check.kind == "school" else tid for _pos, tid, code in rows]
    return {"population_now": len(members), "same_population": sample.fingerprint(members) == check.fingerprint,
            "same_sample": again == drawn}


def _day(when: dt.datetime | None) -> str:
    return when.astimezone().date().isoformat() if when else ""


# ------------------------------------------------------------------ home page

def home_todos(db: Session, me: Principal, unit: Unit) -> list[Todo]:
    """The authority: items of its open checks still to verify. A unit below: checks published to
    it in the last 180 days (通报)."""
    out: list[Todo] = []
    if unit.level in AUTHORITY_LEVELS and permissions.may(me, DRAW, unit):
        n = db.scalar(select(func.count()).select_from(SpotCheckItem).join(SpotCheck)
                      .where(SpotCheck.unit_id == unit.id, SpotCheck.state == OPEN, SpotCheckItem.result.is_(None)))
        if n:
            out.append(Todo("spot_check.unchecked", "随机抽查待核实", "Spot-check items to verify", n, "/spot-checks/"))
    if me.kind == "staff" and me.holds_at(READ, unit.id):
        since = utcnow() - dt.timedelta(days=NOTICE_DAYS)
        above = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == unit.id,
                                                      UnitClosure.ancestor_id != unit.id)
        n = db.scalar(select(func.count()).select_from(SpotCheck).where(
            SpotCheck.state == PUBLISHED, SpotCheck.unit_id.in_(above), SpotCheck.published_at >= since))
        if n:
            out.append(Todo("spot_check.notices", "随机抽查通报", "Spot-check reports", n, "/spot-checks/"))
    return out
