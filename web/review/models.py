"""Tables of the review module.

``review_cases``: one row per journey of a file (or of some of its records) along a route:
a first submission, an addition (new records of an approved file) or a change request (copies of
approved records). The route's levels and the unit acting at each level are resolved when the case
is submitted and stored on the row, so the queue of a reviewer is one indexed lookup
(``waiting_unit_id``, ``status``) however deep the tree. ``version`` is SQLAlchemy's
version counter: every transition bumps it, and an UPDATE that finds another version fails
(optimistic check on top of the row locks taken by the services).

``review_events``: the timeline — every transition with who, when, the level and the reason.
``collection_windows``: a province (or any level) opens a collection window with a deadline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow

KINDS = ("first_submission", "addition", "change")
# case status; a first submission's status mirrors the file state (teachers.state)
DRAFT, PENDING, APPROVED, REJECTED, WITHDRAWN = "draft", "pending", "approved", "rejected", "withdrawn"


class ReviewCase(Base):
    __tablename__ = "review_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(Integer)  # the teacher's school when submitted
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    levels: Mapped[list[str]] = mapped_column(JSONDoc, default=list)      # route levels
    units: Mapped[list[int | None]] = mapped_column(JSONDoc, default=list)  # acting unit per level
    step: Mapped[int] = mapped_column(Integer, default=0)
    waiting_unit_id: Mapped[int | None] = mapped_column(Integer)
    waiting_level: Mapped[str | None] = mapped_column(String(12))
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    # addition: the new records; change: the copies (复本)
    record_ids: Mapped[list[int]] = mapped_column(JSONDoc, default=list)
    # change: the originals' values before the copies replaced them (history keeps both)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_review_cases_queue", "waiting_unit_id", "status", "waiting_since", "id",
              postgresql_include=["unit_id", "kind"]),  # migration r002
        Index("ix_review_cases_teacher", "teacher_id", "status"),
        Index("ix_review_cases_unit", "unit_id", "status", "kind"),
    )

    @property
    def open(self) -> bool:
        return self.status in (DRAFT, PENDING)


class ReviewEvent(Base):
    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(Integer)  # the unit the actor acted for
    action: Mapped[str] = mapped_column(String(16))  # open, submit, approve, reject, withdraw, skip, apply
    level: Mapped[str | None] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_review_events_teacher", "teacher_id", "at"),
                      Index("ix_review_events_case", "case_id", "id"))


class CollectionWindow(Base):
    """采集时间: e.g. "annual update, due 31 March", opened by a unit for everything below it."""

    __tablename__ = "collection_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str | None] = mapped_column(String(100))
    opens_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_collection_windows_unit", "unit_id", "due_on"),)
