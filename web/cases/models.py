"""``mobility_cases`` and their append-only ``case_transitions`` (migration pg01).

A case stores its resolved steps (``steps``: key, labels, acting unit's id, code and name, roles)
so renaming a unit or editing the workflow later changes no case in flight, and its queue is
``acting_unit_id``. ``open_teacher_id`` is the teacher's id while the case is open and NULL once
it is closed: a unique column, so a second open case of the same teacher cannot exist even when
two are started at the same moment. ``counterpart_code`` names the other party by code, so a
counterpart in another deployment (the national tier, later) needs no row here.

Transitions are never updated or deleted, and nothing cascades into them: the step and unit names
are copied in, so the log reads the same after any later renaming.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow

PENDING, RETURNED, WITHDRAWN, REJECTED, COMPLETED = "pending", "returned", "withdrawn", "rejected", "completed"
OPEN = (PENDING, RETURNED)
STATES = {PENDING: ("待审核", "Pending"), RETURNED: ("已退回", "Returned"), WITHDRAWN: ("已撤回", "Withdrawn"),
          REJECTED: ("未通过", "Rejected"), COMPLETED: ("已完成", "Completed")}


class MobilityCase(Base):
    __tablename__ = "mobility_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))          # the workflow's key
    variant: Mapped[str | None] = mapped_column(String(24))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"))
    teacher_name: Mapped[str] = mapped_column(String(50))  # copied: the case reads the same later
    initiator_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    counterpart_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    counterpart_code: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    step: Mapped[int] = mapped_column(Integer, default=0)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    acting_unit_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    effect: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    open_teacher_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_mobility_cases_queue", "acting_unit_id", "state"),
        Index("ix_mobility_cases_teacher", "teacher_id", "id"),
        Index("ix_mobility_cases_initiator", "initiator_unit_id", "state"),
    )


class CaseTransition(Base):
    __tablename__ = "case_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)   # no foreign key: the log outlives anything
    action: Mapped[str] = mapped_column(String(12))             # start, approve, return, reject, withdraw, resubmit
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    step_key: Mapped[str | None] = mapped_column(String(40))
    step_label: Mapped[str | None] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
