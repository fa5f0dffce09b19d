"""The tables of the two tiers (migration nt01).

Published by a province (``tmis tier publish``: publication ``tmis_province``) and replicated into
the national database: ``tier_units``, ``tier_files``, ``tier_movements``. Published by the national
tier back to each province (publication ``tmis_ids_<province>``, rows of that province only):
``tier_identifiers``. The national tier's own: ``tier_duplicates`` (the review queue). One row of
``tier_config`` says which tier and province this database is.

Every replicated row's key starts with the province code, and no replicated table has a unique
constraint or a foreign key beyond that key: a national unique constraint on ID numbers would stop
replication at the first teacher filed in two provinces. National uniqueness is a report and a
queue (web/tier/dedup.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow

BigInt = BigInteger().with_variant(Integer(), "sqlite")


class TierConfig(Base):
    """One row: this database's tier ('province' or 'national') and, for a province, its code."""

    __tablename__ = "tier_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier: Mapped[str] = mapped_column(String(12))
    province: Mapped[str | None] = mapped_column(String(2))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TierUnit(Base):
    __tablename__ = "tier_units"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(20))
    school_type: Mapped[str | None] = mapped_column(String(32))
    urban_rural: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TierFile(Base):
    """An approved file as the province publishes it: the four items, where the teacher is, the
    province's temporary identifier and the approved records (set key -> list of documents)."""

    __tablename__ = "tier_files"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    teacher_key: Mapped[int] = mapped_column(Integer, primary_key=True)  # teachers.id in the province
    id_type: Mapped[str] = mapped_column(String(4))
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date] = mapped_column(Date)
    unit_code: Mapped[str] = mapped_column(String(20))
    teacher_number: Mapped[str | None] = mapped_column(String(24))
    temp_identifier: Mapped[str | None] = mapped_column(String(24))
    left_on: Mapped[date | None] = mapped_column(Date)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    records: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # the national duplicate report groups by these (no UNIQUE: see the module docstring)
        # covering on PostgreSQL (nt02): each GROUP BY streams from an index-only scan
        Index("ix_tier_files_id_number", "id_number", "id_type", postgresql_include=["province", "teacher_key"]),
        Index("ix_tier_files_person", "name", "birth_date", "gender",
              postgresql_include=["id_number", "province", "teacher_key"]),
    )


class TierDedupId(Base):
    """How many files hold one ID number (kept by the trigger of migration nd01 on PostgreSQL)."""

    __tablename__ = "tier_dedup_ids"

    id_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    id_type: Mapped[str] = mapped_column(String(4), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_tier_dedup_ids_shared", "id_number", "id_type", postgresql_where=text("n > 1"),
                            sqlite_where=text("n > 1")),)


class TierDedupPerson(Base):
    """How many files hold one name + birth date + gender (kept like ``tier_dedup_ids``)."""

    __tablename__ = "tier_dedup_people"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    birth_date: Mapped[date] = mapped_column(Date, primary_key=True)
    gender: Mapped[str] = mapped_column(String(2), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_tier_dedup_people_shared", "name", "birth_date", "gender",
                            postgresql_where=text("n > 1"), sqlite_where=text("n > 1")),)


class TierMovement(Base):
    """A movement of a teacher with an approved file (teacher.moved, status.changed)."""

    __tablename__ = "tier_movements"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    teacher_key: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    from_unit: Mapped[str | None] = mapped_column(String(20))
    to_unit: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TierIdentifier(Base):
    """A formal personal identifier, issued nationally and replicated back to the file's province."""

    __tablename__ = "tier_identifiers"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    teacher_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    formal_identifier: Mapped[str] = mapped_column(String(24), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TierDuplicate(Base):
    """The national review queue: files of one person in several provinces (same ID number), or
    files that look like one person with different numbers (same name, birth date and gender)."""

    __tablename__ = "tier_duplicates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # 'id_number' | 'person'
    match_key: Mapped[str] = mapped_column(String(200))
    members: Mapped[list[Any]] = mapped_column(JSONDoc, default=list)  # [[province, teacher_key], …] sorted
    state: Mapped[str] = mapped_column(String(12), default="open")  # open | same_person | different
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_tier_duplicates_key", "kind", "match_key"), Index("ix_tier_duplicates_state", "state"))
