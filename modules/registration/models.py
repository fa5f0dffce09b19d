"""The registration module's tables (migrations in modules/registration/migrations/).

``registration_batches``: a school's application for its teachers who are due, with the route's
steps resolved when it was made (like web/cases: renaming a unit or editing the workflow later
changes no batch in flight) and the unit it waits for (``acting_unit_id``).
``registration_applications``: one teacher's qualification in a batch, with the eligibility seen
when the school applied, the current decision (合格 / 暂缓注册 / 不予注册 with a reason) and,
once the last step decided, the outcome written into the 教师资格 record. ``open_record_id`` is
the qualification record's id while the batch is open and NULL after: a unique column, so one
qualification is never in two open applications.
``registration_decisions``: every decision at every step, append-only (names copied in).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow

PENDING, COMPLETED = "pending", "completed"
STATES = {PENDING: ("审核中", "Under review"), COMPLETED: ("已办结", "Completed")}


class RegistrationBatch(Base):
    __tablename__ = "registration_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))          # the applying school
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    step: Mapped[int] = mapped_column(Integer, default=0)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    acting_unit_id: Mapped[int | None] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_registration_batches_queue", "acting_unit_id", "state"),
                      Index("ix_registration_batches_unit", "unit_id", "state"))


class RegistrationApplication(Base):
    __tablename__ = "registration_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("registration_batches.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    teacher_name: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int] = mapped_column(Integer)                        # the 教师资格 record
    open_record_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    cycle_start: Mapped[date] = mapped_column(Date)
    cycle_end: Mapped[date] = mapped_column(Date)
    eligible: Mapped[bool] = mapped_column(Boolean)
    unmet: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    decision: Mapped[str | None] = mapped_column(String(12))                # qualified / deferred / refused
    reason: Mapped[str | None] = mapped_column(Text)
    decided_step: Mapped[str | None] = mapped_column(String(40))
    outcome_date: Mapped[date | None] = mapped_column(Date)


class RegistrationDecision(Base):
    __tablename__ = "registration_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, index=True)       # no foreign key: the log outlives anything
    batch_id: Mapped[int] = mapped_column(Integer, index=True)
    step_key: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(12))                         # apply, decide, forward, complete
    decision: Mapped[str | None] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
