"""The tables of a transfer between provinces (migration tf01; docs/two-level.md).

``tier_xfer_requests`` and ``tier_xfer_decisions`` are messages: written once by the province that
sends them, never updated, replicated through the national tier to the province they concern (row
filters on ``target_province`` and ``request_province``). ``xfer_inbox`` is local: one row per
relayed message this database has acted on (a case opened, a teacher created, a refusal noted), in
the transaction of that action, so a message delivered twice is acted on once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow


class XferRequest(Base):
    """A receiving school of province ``province`` asks province ``target_province`` for a teacher."""

    __tablename__ = "tier_xfer_requests"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    target_province: Mapped[str] = mapped_column(String(2))
    id_type: Mapped[str] = mapped_column(String(4), default="1")
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    to_unit_code: Mapped[str] = mapped_column(String(20))
    to_unit_name: Mapped[str] = mapped_column(String(100))
    requested_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_tier_xfer_requests_target", "target_province"),)


class XferDecision(Base):
    """Province ``province`` answers request (``request_province``, ``request_id``): approved (with
    the approved file: the four items, the teacher number, the approved records) or refused (reason)."""

    __tablename__ = "tier_xfer_decisions"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    request_province: Mapped[str] = mapped_column(String(2), primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    decision: Mapped[str] = mapped_column(String(12))  # approved | refused
    reason: Mapped[str | None] = mapped_column(Text)
    teacher_key: Mapped[int | None] = mapped_column(Integer)
    file: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_tier_xfer_decisions_request", "request_province", "request_id"),)


class XferInbox(Base):
    """What this database did with a relayed message (kind 'request' in B, 'decision' in A)."""

    __tablename__ = "xfer_inbox"

    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    province: Mapped[str] = mapped_column(String(2), primary_key=True)          # the sender
    request_province: Mapped[str] = mapped_column(String(2), primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    outcome: Mapped[str] = mapped_column(String(16))  # case | refused | created | conflict | noted
    case_id: Mapped[int | None] = mapped_column(Integer)
    teacher_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_xfer_inbox_case", "case_id"),)


class XferWithdrawal(Base):
    """The receiving school of province ``province`` withdrew request ``request_id`` (migration tf02)."""

    __tablename__ = "tier_xfer_withdrawals"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    target_province: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
