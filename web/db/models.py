"""The tables. Columns are what the system itself queries; a record's values live in ``document``.

Identity: a teacher (person) exists once per deployment, keyed by (id_type, id_number).
Scope: ``unit_closure`` holds one row per (ancestor, descendant) pair, the unit itself included,
so "my unit and everything below" is one indexed join (see web/scope.py).
Audit: ``audit_log`` is append-only, hash-chained; ``audit_head`` holds the last link and is the
row every writer locks, which serialises appends on PostgreSQL (SQLite serialises writes anyway).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow

BigInt = BigInteger().with_variant(Integer(), "sqlite")

UNIT_LEVELS = ("ministry", "province", "city", "county", "school")


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    school_type: Mapped[str | None] = mapped_column(String(32))
    urban_rural: Mapped[str | None] = mapped_column(String(8))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # A school switches its teachers' self-service logins off when its collection window closes.
    teacher_login_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], lazy="joined", join_depth=1)


class UnitClosure(Base):
    __tablename__ = "unit_closure"

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    depth: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_unit_closure_descendant", "descendant_id", "ancestor_id"),)


class Teacher(Base):
    __tablename__ = "teachers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_type: Mapped[str] = mapped_column(String(4), default="1")
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    teacher_number: Mapped[str | None] = mapped_column(String(24))  # unique where set (uq_teachers_teacher_number)
    # The file's review state (issue 5 owns the transitions); 'unsubmitted' = 未报送.
    state: Mapped[str] = mapped_column(String(24), default="unsubmitted")
    # The first day the teacher is no longer on the roll (left, retired, died: web/people/roll.py);
    # NULL = on the roll. The file is kept either way.
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (
        # number first: it also serves look-ups by number alone (an import's; migration e003)
        UniqueConstraint("id_number", "id_type", name="uq_teachers_identity"),
        Index("ix_teachers_unit_name", "unit_id", "name", "id"),
        Index("ix_teachers_state", "unit_id", "state"),
        # numbers are given on approval: the many teachers without one stay out of the index (e005)
        Index("uq_teachers_teacher_number", "teacher_number", unique=True,
              postgresql_where=text("teacher_number IS NOT NULL"), sqlite_where=text("teacher_number IS NOT NULL")),
    )


class Record(Base):
    """One record of one information set; ``position`` orders the rows of a repeating set."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"))
    set_key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    catalogue_version: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(24), default="draft")
    # A correction copy (复本) points at the approved record it would replace (issue 5).
    copy_of_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # also serves "a teacher's records in a state" (web/review): a teacher has a few dozen
        Index("ix_records_teacher_set", "teacher_id", "set_key", "position"),
        # deleting a record makes PostgreSQL look for copies pointing at it: without this index,
        # one scan of the whole table per deleted record (deleting 40,000 records took 23 s, and
        # 400,000 over ten minutes; with it 0.2 s and 2 s). Copies are rare: only they are indexed.
        Index("ix_records_copy_of", "copy_of_id", postgresql_where=text("copy_of_id IS NOT NULL"),
              sqlite_where=text("copy_of_id IS NOT NULL")),
    )


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    real_name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # 'staff' (管理端) or 'teacher' (教师自助); a teacher account is linked to the person.
    kind: Mapped[str] = mapped_column(String(8), default="staff")
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    # The issued initial password, encrypted (web/security/secretbox.py); cleared on first change.
    initial_password: Mapped[str | None] = mapped_column(Text)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(Integer)

    unit: Mapped[Unit] = relationship(lazy="joined")
    grants: Mapped[list["Grant"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", lazy="selectin"
    )


class Grant(Base):
    """A role held by an account at a unit (normally the account's own unit)."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role_key: Mapped[str] = mapped_column(String(32))
    granted_by_id: Mapped[int | None] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship(back_populates="grants")

    __table_args__ = (
        UniqueConstraint("account_id", "unit_id", "role_key", name="uq_grants_account_unit_role"),
        Index("ix_grants_unit_role", "unit_id", "role_key"),
    )


class WebSession(Base):
    """A login session. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    entry: Mapped[str] = mapped_column(String(8), default="admin")  # admin | teacher
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: outlives the account
    actor_name: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48), index=True)
    target_type: Mapped[str | None] = mapped_column(String(24))
    target_id: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # how ``hash`` was made: 'sha256' (entries before migration hb01, unkeyed) or
    # 'hmac-sha256:<key id>' (keyed with TMIS_AUDIT_KEY; the key id is not the key)
    scheme: Mapped[str] = mapped_column(String(40), default="sha256", server_default="sha256")

    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInt, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC of (seq, hash) with the audit key: moving the head back needs the key too
    mac: Mapped[str | None] = mapped_column(String(64))
