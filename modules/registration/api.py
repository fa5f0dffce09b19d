"""The registration module's API: a teacher's eligibility, and (batch.py) the schools' batch
applications with the reviewers' decisions and the warning list."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from sqlalchemy.orm import Session

from modules.registration import service as S
from web.context import AppContext
from web.principal import Principal


class TeacherRegistration(Controller):
    path = "/api/v1/teachers"
    tags = ["registration"]

    @get("/{tid:int}/registration", sync_to_thread=True,
         summary="A teacher's registration cycle and eligibility as of a date (as_of=yyyy-MM-dd, default today)")
    def read(self, tid: int, db: Session, ctx: AppContext, me: Principal, as_of: str | None = None) -> dict[str, Any]:
        return S.teacher_registration(db, ctx, me, tid, as_of)
