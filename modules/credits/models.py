"""The credit module's tables (migrations in modules/credits/migrations/).

``credit_entries`` is the credit bank (学分银行): append-only. An entry is never updated or
deleted (the mapper refuses both, below); a correction is a new entry (adjusted / revoked).
Amounts are signed: a revocation carries a negative amount, so a balance is a plain SUM.
``source`` makes a posting idempotent where the caller has one (a confirmed result posts once).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, UTCDateTime, utcnow

KINDS = ("earned", "adjusted", "revoked", "carried_over")
Amount = Numeric(10, 2, asdecimal=True)


class CreditEntry(Base):
    __tablename__ = "credit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    credits: Mapped[Decimal] = mapped_column(Amount)
    hours: Mapped[Decimal] = mapped_column(Amount)
    category: Mapped[str] = mapped_column(String(32))
    effective: Mapped[date] = mapped_column(Date)
    project_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the ledger outlives a project
    rule_version: Mapped[str] = mapped_column(String(64))
    confirmed_by: Mapped[int | None] = mapped_column(Integer)  # account id; no FK: outlives the account
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(String(64), unique=True)  # e.g. "result:17"
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id"))

    __table_args__ = (
        Index("ix_credit_entries_teacher_effective", "teacher_id", "effective"),
        Index("ix_credit_entries_project", "project_id"),
    )


class AppendOnly(Exception):
    """Raised on any attempt to change or delete a ledger entry through the ORM."""


@event.listens_for(CreditEntry, "before_update")
def _no_update(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnly("credit_entries is append-only: post a correcting entry instead")


@event.listens_for(CreditEntry, "before_delete")
def _no_delete(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnly("credit_entries is append-only: post a revoking entry instead")
