"""Snapshots of the approved data (issue 16, trends): frozen on each day of the snapshot calendar
(engine/snapshot_calendar.py: the national update deadlines, end of March and end of September, 暂行办法 art. 18,
and a province's own days) and on demand (``tmis stats snapshot [--as-of DATE]``, or the button of
the province's staff on the trends page).

A snapshot's rows are the summary tables (models.StatFact, StatUnitCount) with the snapshot's id,
written once by ``refresh.rebuild(snapshot_id=…, as_of=…)`` from ``facts.build_rows(db, as_of)``:
every teacher active on that day, counted at the unit that held them that day (a teacher who
moved since is counted where they were), with the definitions in force when it is taken. The
values are those approved when the snapshot is taken; a snapshot is never recomputed.

A deadline that passed without its snapshot is taken at the app's next start (``catch_up`` in a
background thread, ``trigger = startup``) or by the command (``trigger = command``), whichever
comes first; the register says which, and when. Deadlines before the first file was created are
not taken (nothing was on record), and at most the last ``MAX_CATCH_UP`` missed ones are.

Figures of a snapshot are read like the live ones (summary.Summary: a few rows by primary key per
table), through service.compute(..., snapshot=id).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import snapshot_calendar as D
from modules.statistics.models import BUTTON, COMMAND, DEADLINE, ON_DEMAND, STARTUP, StatsSnapshot
from modules.statistics.summary import Summary
from web import audit, permissions
from web.db.models import Teacher, Unit
from web.errors import Refusal, _e
from web.permissions import Rule
from web.principal import Principal

log = logging.getLogger("tmis.statistics")
CHUNK = 2000
MAX_CATCH_UP = 4
TAKE = "statistics.snapshot"
# the button: the province's data staff who review (信息管理员, 信息审核员), held at the province
RULES = {TAKE: Rule(("stats.read", "record.review"), at="at", levels=("province",))}
TRIGGERS = {STARTUP: ("系统启动时补做", "taken at the next start"), COMMAND: ("命令 tmis stats snapshot", "by the command"),
            BUTTON: ("省级手动生成", "by the province's button")}

W_AS_OF = _e("W513", 422, "快照日期「{value}」无效：{detail}", "The snapshot date '{value}' is not valid: {detail_en}",
             "写成 yyyy-MM-dd，不晚于今天（{today}），如 2026-03-31。",
             "Write yyyy-MM-dd, today ({today}) or earlier, e.g. 2026-03-31.")


# ------------------------------------------------------------------ taking

def _today() -> dt.date:
    from web.people import clock

    return clock.today()


def parse_as_of(value: Any, today: dt.date | None = None) -> dt.date:
    today = today or _today()
    text = "" if value is None else str(value).strip()
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Refusal(W_AS_OF, value=text[:20], detail="不是日期", detail_en="not a date", today=today.isoformat())
    if day > today:
        raise Refusal(W_AS_OF, value=text, detail="晚于今天", detail_en="after today", today=today.isoformat())
    return day


def take(db: Session, as_of: dt.date, *, reason: str, trigger: str, label: str, label_en: str | None = None,
         deadline_key: str | None = None, by: Principal | None = None, actor_name: str | None = None,
         cat: Any = None) -> StatsSnapshot:
    """Freeze the approved data of ``as_of`` under a new snapshot (in the caller's transaction): the
    summary tables' facts and per-unit counts with the snapshot's id (refresh.rebuild, which reads
    facts.build_rows of that day)."""
    from modules.statistics import refresh

    snap = StatsSnapshot(as_of=as_of, reason=reason, deadline_key=deadline_key, label=label[:100],
                         label_en=(label_en or label)[:100], trigger=trigger, teachers=0,
                         taken_by_name=(by.real_name if by else actor_name))
    db.add(snap)
    db.flush()
    built = refresh.rebuild(db, snapshot_id=snap.id, as_of=as_of, cat=cat)
    snap.teachers = n = built["teachers"]
    audit.record(db, "statistics.snapshot", actor=by, actor_name=None if by else actor_name,
                 target_type="stats_snapshot", target_id=snap.id,
                 detail={"as_of": as_of.isoformat(), "reason": reason, "trigger": trigger, "teachers": n})
    db.flush()
    return snap


def on_demand(db: Session, me: Principal | None, as_of: Any = None, *, trigger: str = BUTTON,
              actor_name: str | None = None, cat: Any = None) -> StatsSnapshot:
    """A snapshot now (or of a past day): the province's button (``me``) or the command."""
    if trigger == BUTTON:
        unit = db.get(Unit, me.unit_id) if me else None
        permissions.require(me, TAKE, unit)
    day = parse_as_of(as_of)
    return take(db, day, reason=ON_DEMAND, trigger=trigger, label="手动快照", label_en="On demand", by=me if trigger == BUTTON else None,
                actor_name=actor_name, cat=cat)


def deployment_calendar() -> list[D.Deadline]:
    from web.modules import current

    reg = current()
    return D.calendar(reg.root, reg.province)


def next_due(today: dt.date | None = None, calendar: list[D.Deadline] | None = None) -> tuple[dt.date, D.Deadline] | None:
    """The next deadline of the calendar from today on (None: an empty calendar)."""
    today = today or _today()
    calendar = deployment_calendar() if calendar is None else calendar
    found = D.occurrences(calendar, today - dt.timedelta(days=1), today.replace(year=today.year + 2, day=1))
    return found[0] if found else None


def first_file_day(db: Session) -> dt.date | None:
    first = db.scalar(select(func.min(Teacher.created_at)))
    if first is None:
        return None
    if first.tzinfo is None:
        first = first.replace(tzinfo=dt.timezone.utc)
    return first.astimezone().date()


def missed(db: Session, today: dt.date | None = None,
           calendar: list[D.Deadline] | None = None) -> list[tuple[dt.date, D.Deadline]]:
    """Deadlines passed without their snapshot (oldest first): after the first file was created,
    after the last deadline snapshot taken, at most the last MAX_CATCH_UP."""
    today = today or _today()
    calendar = deployment_calendar() if calendar is None else calendar
    start = first_file_day(db)
    if start is None or not calendar:
        return []
    taken = set(db.scalars(select(StatsSnapshot.deadline_key).where(StatsSnapshot.deadline_key.is_not(None))))
    last = db.scalar(select(func.max(StatsSnapshot.as_of)).where(StatsSnapshot.reason == DEADLINE))
    after = max(start - dt.timedelta(days=1), last or dt.date.min)
    due = [(day, d) for day, d in D.occurrences(calendar, after, today) if day.isoformat() not in taken]
    return due[-MAX_CATCH_UP:]


def catch_up(db: Session, *, trigger: str, today: dt.date | None = None, calendar: list[D.Deadline] | None = None,
             actor_name: str | None = None, cat: Any = None) -> list[StatsSnapshot]:
    """Take every missed deadline's snapshot (each in a savepoint: another process that took the
    same deadline first wins, this one skips it). Returns those taken here."""
    out = []
    for day, d in missed(db, today, calendar):
        try:
            with db.begin_nested():
                out.append(take(db, day, reason=DEADLINE, trigger=trigger, deadline_key=day.isoformat(),
                                label=f"{day.year} 年{d.label.zh}", label_en=f"{day.year} {d.label.get('en')}",
                                actor_name=actor_name, cat=cat))
        except IntegrityError:
            log.info("snapshot of %s taken meanwhile by another process", day)
    return out


def catch_up_at_start(ctx: Any) -> None:
    """At the app's start (web/hooks.py ``on_startup``): missed deadlines, in a thread of their own.
    Not on the national tier: its ``teachers`` table is empty (the provinces' files arrive in
    ``tier_files``), so a snapshot taken there would count no one (docs/two-level.md)."""
    import threading

    if getattr(ctx.settings, "tier", "province") == "national":
        return

    def work() -> None:
        try:
            with ctx.sessions() as db:
                got = catch_up(db, trigger=STARTUP, cat=ctx.catalogue, actor_name="system")
                db.commit()
            for s in got:
                log.warning("statistics snapshot of %s (%s) taken at start: %d teachers", s.as_of, s.label, s.teachers)
        except Exception:  # the app serves either way; the command can take them
            log.exception("statistics snapshots at start failed; run 'tmis stats snapshot'")

    threading.Thread(target=work, name="stats-snapshots", daemon=True).start()


def drop(db: Session, snapshot_id: int) -> None:
    """Remove a snapshot and its rows (tests; an operator correcting a snapshot taken by mistake)."""
    from sqlalchemy import delete

    from modules.statistics.models import StatFact, StatRefresh, StatUnitCount

    for model in (StatUnitCount, StatFact, StatRefresh):
        db.execute(delete(model).where(model.snapshot_id == snapshot_id))
    db.execute(delete(StatsSnapshot).where(StatsSnapshot.id == snapshot_id))


# ------------------------------------------------------------------ reading

def listing(db: Session) -> list[StatsSnapshot]:
    return list(db.scalars(select(StatsSnapshot).order_by(StatsSnapshot.as_of, StatsSnapshot.id)))


def get(db: Session, snapshot: Any) -> StatsSnapshot:
    from modules.statistics import words as W

    text = str(snapshot).strip()
    snap = db.get(StatsSnapshot, int(text)) if text.isascii() and text.isdigit() and len(text) < 10 else None
    if snap is None:
        raise Refusal(W.W_UNKNOWN_SNAPSHOT, snapshot=text[:20])
    return snap


def snapshot_json(s: StatsSnapshot, lang: str = "zh") -> dict[str, Any]:
    trig = TRIGGERS.get(s.trigger, (s.trigger, s.trigger))
    return {"id": s.id, "as_of": s.as_of.isoformat(), "reason": s.reason,
            "label": s.label_en if lang == "en" and s.label_en else s.label, "trigger": s.trigger,
            "trigger_label": trig[1] if lang == "en" else trig[0], "teachers": s.teachers,
            "taken_at": s.taken_at.astimezone().isoformat(timespec="seconds") if s.taken_at else None,
            "late": bool(s.taken_at and s.taken_at.astimezone().date() > s.as_of)}


class Frozen(Summary):
    """A snapshot's figures (its rows of the summary tables): as of its day, source ``snapshot``."""

    name = "snapshot"

    def as_of(self) -> str:
        return self.state.as_of.isoformat()


def reader(db: Session, snapshot: Any) -> Any:
    """The figures of one snapshot: its rows of the summary tables (summary.Summary), frozen."""
    from modules.statistics.models import StatRefresh

    snap = get(db, snapshot)
    state = db.get(StatRefresh, snap.id)
    if state is None:  # a register row whose rows are gone (deleted by hand): no figures, not a 500
        from modules.statistics import words as W

        raise Refusal(W.W_UNKNOWN_SNAPSHOT, snapshot=str(snap.id))
    return Frozen(snap.id, state)


__all__ = ["take", "on_demand", "catch_up", "missed", "listing", "reader", "BUTTON", "COMMAND", "STARTUP",
           "Iterable"]
