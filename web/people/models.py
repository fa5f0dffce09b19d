"""``teacher_assignments``: where a teacher belonged, as dated rows (half-open: ``valid_from``
is the first day, ``valid_to`` the first day it no longer holds; NULL = still holds).

Two kinds:
- ``appointment``: the unit holding the personnel relation (人事关系). At most one open row per
  teacher; a transfer closes it and opens the next, leaving (离职/退休/死亡) closes it.
- ``secondment``: 交流轮岗 without a change of personnel relation: the teacher works at
  ``working_unit_id`` from ``valid_from`` to ``valid_to`` while ``personnel_unit_id`` keeps the
  file. It ends by itself on its end date (every reader compares dates: ``history.seconded_on``).

A teacher who never moved has no row: they have been at ``teachers.unit_id`` since the file was
created (``teachers.created_at``). The first change writes that original appointment before
closing it, so a teacher with rows has a gap-free chain of appointments.

Rows are never deleted or rewritten except for closing (``valid_to``, ``end_reason``): the
history outlives the cases that wrote it (``source_case_id`` has no foreign key on purpose).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, UTCDateTime, utcnow

APPOINTMENT, SECONDMENT = "appointment", "secondment"
KINDS = (APPOINTMENT, SECONDMENT)


class TeacherAssignment(Base):
    __tablename__ = "teacher_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    personnel_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    working_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # why the row closed: transfer, retired, left, died, ended (a secondment's own end), …
    end_reason: Mapped[str | None] = mapped_column(String(16))
    # what wrote it: 'transfer', 'rotation', 'status' (+ the case id), or 'file' (the original row)
    source: Mapped[str | None] = mapped_column(String(16))
    source_case_id: Mapped[int | None] = mapped_column(Integer)
    # a secondment's start has been seen by moves.second / moves.apply_dates (人员状态 交流轮岗 set
    # or deliberately left alone): the daily run never sets it a second time
    start_applied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_teacher_assignments_teacher", "teacher_id", "kind", "valid_from"),
        # "who is seconded into my units today" and statistics "as of" a date, per unit
        Index("ix_teacher_assignments_working", "working_unit_id", "kind", "valid_from"),
    )
