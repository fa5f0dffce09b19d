"""``spot_checks`` and their ``spot_check_items`` (module migration sc01).

A check is drawn by an authority (``unit_id``) over a population (the schools, or the teachers on
the roll with an approved file, of its area) with a stated ``seed`` and ``size``; ``population``
and ``fingerprint`` (SHA-256 of the population's sorted keys) say which population it was, so the
draw can be repeated and compared (modules/spot_check/sample.py). Each item is one school or one
teacher of the sample, at the school that held it when drawn (``unit_id``), with its verification
(``result``: ok 核实无误 / wrong 有误, and a note). A published check (通报) is read-only.
Names are copied in, so a check reads the same after later renaming; no ID number is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, UTCDateTime, utcnow

OPEN, PUBLISHED = "open", "published"
OK, WRONG = "ok", "wrong"


class SpotCheck(Base):
    __tablename__ = "spot_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))       # the authority that drew it
    kind: Mapped[str] = mapped_column(String(8))                       # school | teacher
    title: Mapped[str] = mapped_column(String(100))
    seed: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default=OPEN)
    summary: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_by_name: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_name: Mapped[str | None] = mapped_column(String(50))

    __table_args__ = (Index("ix_spot_checks_unit", "unit_id", "state"),)


class SpotCheckItem(Base):
    __tablename__ = "spot_check_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))       # the school (of the teacher, when drawn)
    unit_name: Mapped[str] = mapped_column(String(100))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"))
    teacher_name: Mapped[str | None] = mapped_column(String(50))
    result: Mapped[str | None] = mapped_column(String(8))              # None (not yet) | ok | wrong
    note: Mapped[str | None] = mapped_column(String(500))
    checked_by_name: Mapped[str | None] = mapped_column(String(50))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_spot_check_items_check", "check_id", "position"),
                      Index("ix_spot_check_items_unit", "unit_id"))
