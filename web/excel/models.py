"""The jobs table: a long import or export runs in the background; its state lives here, so any
app process can report progress and the result (the app tier keeps no state of its own)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db.base import Base, JSONDoc, UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)   # random hex, unguessable
    kind: Mapped[str] = mapped_column(String(24))                    # excel.import | excel.export
    state: Mapped[str] = mapped_column(String(12), default="queued")
    phase: Mapped[str | None] = mapped_column(String(24))            # read | check | write | report
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(Integer)       # the account; None from the CLI
    file_name: Mapped[str | None] = mapped_column(String(255))
    options: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)   # Result.as_json(): counts and errors
    report_path: Mapped[str | None] = mapped_column(Text)            # the annotated workbook, when made
    error: Mapped[str | None] = mapped_column(Text)                  # why a job failed (no personal data)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_jobs_creator", "created_by_id", "created_at"),)
