"""Tables of the statistics module (migrations in modules/statistics/migrations/).

Summary tables (refresh.py, summary.py; issue 16: "a dashboard must not scan JSON documents per
request"): ``stat_facts``, one row per active teacher (``snapshot_id`` 0 = live, kept current by the
core's events) at the unit holding them, the code of every national dimension a column (``extra``:
a province's own dimensions); ``stat_unit_counts``, per unit (counting its whole subtree), table,
school type and cell (the table's codes joined by ``|``): head count, sum of ages and how many ages
were known — a dashboard reads a handful of these rows by primary key; ``stat_refreshes``, per
summary, when it was built, from which definitions, last changed when.

Snapshots (modules/statistics/snapshots.py): ``stats_snapshots`` is the register (the day a
snapshot is of, why it was taken — a deadline of the calendar, or on demand — and how: at the
app's start, by ``tmis stats snapshot`` or by the province's button); its frozen rows are the
summary tables' rows with its id as ``snapshot_id`` (the teacher at the unit that held them that
day), never changed afterwards; deleting a teacher later leaves them (no foreign key to teachers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, SmallInteger, String
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


# the national dimensions stored as columns (engine/statistics.py keys); any other (a province's) in ``extra``
COLUMNS = ("school_type", "urban_rural", "gender", "ethnic_group", "ethnicity", "political_status", "education",
           "title", "title_level", "post_category", "subject", "on_establishment", "person_status",
           "staff_category", "age_band", "teaching_years_band")
LIVE = 0


class StatFact(Base):
    __tablename__ = "stat_facts"

    snapshot_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: snapshots outlive files
    unit_id: Mapped[int] = mapped_column(Integer)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    age: Mapped[int | None] = mapped_column(SmallInteger)
    school_type: Mapped[str] = mapped_column(String(32), default="")
    urban_rural: Mapped[str] = mapped_column(String(8), default="")
    gender: Mapped[str] = mapped_column(String(16), default="")
    ethnic_group: Mapped[str] = mapped_column(String(16), default="")
    ethnicity: Mapped[str] = mapped_column(String(16), default="")
    political_status: Mapped[str] = mapped_column(String(16), default="")
    education: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(16), default="")
    title_level: Mapped[str] = mapped_column(String(16), default="")
    post_category: Mapped[str] = mapped_column(String(16), default="")
    subject: Mapped[str] = mapped_column(String(16), default="")
    on_establishment: Mapped[str] = mapped_column(String(16), default="")
    person_status: Mapped[str] = mapped_column(String(16), default="")
    staff_category: Mapped[str] = mapped_column(String(16), default="")
    age_band: Mapped[str] = mapped_column(String(16), default="")
    teaching_years_band: Mapped[str] = mapped_column(String(16), default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)

    __table_args__ = (Index("ix_stat_facts_unit", "snapshot_id", "unit_id"),)


class StatUnitCount(Base):
    __tablename__ = "stat_unit_counts"

    snapshot_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    school_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    cell: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    age_sum: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    aged: Mapped[int] = mapped_column(Integer, default=0)


class StatRefresh(Base):
    __tablename__ = "stat_refreshes"

    snapshot_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)  # the day the facts describe (ages, who was on the roll)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # last incremental change
    definitions: Mapped[str] = mapped_column(String(64))  # digest of the definitions the rows follow
    teachers: Mapped[int] = mapped_column(Integer, default=0)
