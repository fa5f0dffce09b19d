"""Tables of the statistics module (migrations in modules/statistics/migrations/).

Snapshots (modules/statistics/snapshots.py): ``stats_snapshots`` is the register (the day a
snapshot is of, why it was taken — a deadline of the calendar, or on demand — and how: at the
app's start, by ``tmis stats snapshot`` or by the province's button); ``stats_snapshot_facts``
holds its frozen rows, one per teacher counted on that day, written from ``facts.build_rows``
(the teacher at the unit that held them that day, the dimension codes in ``dims``). Frozen rows
are never changed; deleting a teacher later leaves them (no foreign key to teachers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow

DEADLINE, ON_DEMAND = "deadline", "on_demand"
STARTUP, COMMAND, BUTTON = "startup", "command", "button"


class StatsSnapshot(Base):
    __tablename__ = "stats_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(12))          # deadline | on_demand
    # a deadline's day ("2026-03-31"): unique, so two starts at once cannot both take it
    deadline_key: Mapped[str | None] = mapped_column(String(10), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str | None] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(12))         # startup | command | button
    teachers: Mapped[int] = mapped_column(Integer, default=0)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by_name: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_stats_snapshots_as_of", "as_of"),)


class StatsSnapshotFact(Base):
    __tablename__ = "stats_snapshot_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("stats_snapshots.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)
    school_type: Mapped[str | None] = mapped_column(String(32))
    age: Mapped[int | None] = mapped_column(Integer)
    dims: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)

    __table_args__ = (Index("ix_stats_snapshot_facts_unit", "snapshot_id", "unit_id"),)
