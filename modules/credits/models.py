"""The credit module's tables (migrations in modules/credits/migrations/).

``credit_entries`` is the credit bank (学分银行): append-only. An entry is never updated or
deleted (the mapper refuses both, below); a correction is a new entry (adjusted / revoked).
Amounts are signed: a revocation carries a negative amount, so a balance is a plain SUM.
``source`` makes a posting idempotent where the caller has one (a confirmed result posts once).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, UTCDateTime, utcnow

KINDS = ("earned", "adjusted", "revoked", "carried_over")
KIND_LABELS = {"earned": ("获得", "earned"), "adjusted": ("调整", "adjusted"), "revoked": ("撤销", "revoked"),
               "carried_over": ("结转", "carried over")}
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


# ------------------------------------------------------------------ projects, institutions, results

class TrainingInstitution(Base):
    """A training institution (培训机构), registered by an authority (``unit_id``)."""

    __tablename__ = "training_institutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InstitutionAccount(Base):
    """An account of the role 培训机构管理员 belongs to exactly one institution."""

    __tablename__ = "training_inst_accounts"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("training_institutions.id", ondelete="CASCADE"), index=True)


class TrainingProject(Base):
    """A training project registered by the authority ``unit_id`` (the organiser); a school-based
    plan (level school) is registered by the school and waits for its authority's approval."""

    __tablename__ = "training_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))      # engine.credits.LEVELS
    kind: Mapped[str] = mapped_column(String(16))       # engine.credits.TYPES
    hours: Mapped[Decimal] = mapped_column(Amount)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    organiser: Mapped[str] = mapped_column(String(100))  # 主办单位, as written
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # who registered it
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("training_institutions.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="active")  # active | proposed | rejected
    reason: Mapped[str | None] = mapped_column(String(200))  # why a school-based plan was rejected
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingResult(Base):
    """One participant's result, submitted by the institution, confirmed by the authority.
    On confirmation the credits and the rule version are frozen here and a passed result is
    posted to the ledger as the entry whose ``source`` is ``result:<id>`` (one at most: unique)."""

    __tablename__ = "training_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("training_projects.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    hours: Mapped[Decimal] = mapped_column(Amount)
    passed: Mapped[bool] = mapped_column()
    score: Mapped[Decimal | None] = mapped_column(Amount)
    state: Mapped[str] = mapped_column(String(12), default="submitted")  # submitted | rejected | confirmed
    reason: Mapped[str | None] = mapped_column(String(200))  # the reviewer's reason for a rejected row
    submitted_by: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credits: Mapped[Decimal | None] = mapped_column(Amount)
    rule_version: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("uq_training_results_project_teacher", "project_id", "teacher_id", unique=True),
        Index("ix_training_results_project_state", "project_id", "state"),
    )


# ------------------------------------------------------------------ self-study claims (自主研修)

class CreditClaim(Base):
    """A teacher's self-study claim (自主研修): submitted with an evidence file, reviewed by the
    school (approved / returned with a reason), confirmed by the school's authority into the ledger
    (the entry whose ``source`` is ``claim:<id>``; credits and rule version frozen here)."""

    __tablename__ = "credit_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the school when submitted
    title: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Amount)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="submitted", index=True)  # CLAIM_STATES
    reason: Mapped[str] = mapped_column(Text, default="")  # the school's reason when returned
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credits: Mapped[Decimal | None] = mapped_column(Amount)
    rule_version: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[int | None] = mapped_column(Integer)  # the 国内培训 record written on confirmation
    evidence_name: Mapped[str] = mapped_column(String(200))
    evidence_type: Mapped[str] = mapped_column(String(40))
    evidence_size: Mapped[int] = mapped_column(Integer)
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


CLAIM_STATES = {"submitted": ("待学校审核", "awaiting the school's review"),
                "returned": ("已退回", "returned"),
                "approved": ("待主管部门确认", "awaiting the authority's confirmation"),
                "confirmed": ("已确认", "confirmed"),
                "revoked": ("已撤销", "revoked")}


# ------------------------------------------------------------------ ID numbers an institution could not match

class ResultProbe(Base):
    """One ID number a training institution submitted (dry runs too) that matched no participant
    the project takes, on one day: its keyed digest only (HMAC with the app's secret key: the
    number itself is not kept and the digest cannot be reversed by trying every number). The
    count per institution and day bounds how many numbers an institution can try (probing.py)."""

    __tablename__ = "credit_result_probes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("training_institutions.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    digest: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("uq_credit_result_probes", "institution_id", "day", "digest", unique=True),)
