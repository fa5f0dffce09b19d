"""Background jobs: state in the ``jobs`` table, updated in short transactions of their own.

The import itself runs in one long transaction; progress is written through a separate session
so that any app process (or ``GET /api/v1/imports/{job}``) can read it meanwhile. SQLite allows
one writer at a time, so there progress is written only while the import has not written yet
(reading and checking) and at the end; PostgreSQL gets every update.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Callable

from sqlalchemy.orm import Session, sessionmaker

from web.db.base import utcnow
from web.excel.models import Job

MIN_INTERVAL = 0.5  # seconds between progress writes


def create(sessions: sessionmaker, kind: str, *, unit_id: int | None, actor_id: int | None,
           file_name: str | None, options: dict[str, Any]) -> str:
    job_id = secrets.token_hex(16)
    with sessions() as db, db.begin():
        db.add(Job(id=job_id, kind=kind, state="queued", unit_id=unit_id, created_by_id=actor_id,
                   file_name=file_name, options=options, done=0, total=0))
    return job_id


def get(db: Session, job_id: str) -> Job | None:
    return db.get(Job, job_id)


def as_json(job: Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "state": job.state, "phase": job.phase,
            "done": job.done, "total": job.total, "file_name": job.file_name,
            "result": job.result, "error": job.error, "has_report": bool(job.report_path),
            "created_at": job.created_at.isoformat() if job.created_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


def update(sessions: sessionmaker, job_id: str, **values: Any) -> None:
    with sessions() as db, db.begin():
        job = db.get(Job, job_id)
        if job is not None:
            for k, v in values.items():
                setattr(job, k, v)
            job.updated_at = utcnow()


def finish(sessions: sessionmaker, job_id: str, *, result: dict[str, Any] | None = None,
           error: str | None = None, report_path: str | None = None) -> None:
    with sessions() as db, db.begin():
        job = db.get(Job, job_id)
        if job is not None:
            job.state, job.result, job.error = ("failed" if error else "done"), result, error
            job.report_path, job.phase = report_path, None
            job.finished_at = job.updated_at = utcnow()
            job.done = job.total  # progress was written at most every MIN_INTERVAL: an ended job is complete


class JobProgress:
    """A progress callback that records (phase, done, total) in the job row, throttled."""

    def __init__(self, sessions: sessionmaker, job_id: str, *, can_write: Callable[[], bool] = lambda: True,
                 also: Callable[[str, int, int], None] | None = None) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.can_write = can_write
        self.also = also
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.also is not None:
            self.also(phase, done, total)
        now = time.monotonic()
        if now - self.last < MIN_INTERVAL or not self.can_write():
            return
        self.last = now
        update(self.sessions, self.job_id, state="running", phase=phase, done=done, total=total)
