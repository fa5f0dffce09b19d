"""The registration module's API: a teacher's eligibility, and (batch.py) the schools' batch
applications with the reviewers' decisions and the warning list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, get, post
from sqlalchemy.orm import Session

from modules.registration import batch as B
from modules.registration import service as S
from modules.registration import warnings as WR
from web.context import AppContext
from web.principal import Principal


class TeacherRegistration(Controller):
    path = "/api/v1/teachers"
    tags = ["registration"]

    @get("/{tid:int}/registration", sync_to_thread=True,
         summary="A teacher's registration cycle and eligibility as of a date (as_of=yyyy-MM-dd, default today)",
         description="As of a day: the cycle current on that day (a registration made later is not counted yet), "
                     "the 年度考核 and 师德 records as they stand, and the credits recorded in the credit bank by that "
                     "day (截至该日已记入学分银行的学分). A later day counts the credits recorded so far. W570 not a date "
                     "(1900-01-01 … 2200-12-31).")
    def read(self, tid: int, db: Session, ctx: AppContext, me: Principal, as_of: str | None = None) -> dict[str, Any]:
        return S.teacher_registration(db, ctx, me, tid, as_of)


@dataclass
class ApplyIn:
    teacher_ids: list[int] | None = None
    as_of: str | None = None
    all_eligible: bool = False       # every teacher of the school who is due and meets the conditions


@dataclass
class DecideIn:
    decisions: list[dict[str, Any]]
    version: int | None = None


@dataclass
class ForwardIn:
    version: int | None = None


class RegistrationBatches(Controller):
    path = "/api/v1/registration"
    tags = ["registration"]

    @post("/batches", sync_to_thread=True, status_code=201,
          summary="A school applies for periodic registration of its teachers who are due",
          description="Judged as of today: as_of may be left out or be today; any other day is refused (W717).")
    def apply(self, data: ApplyIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        batch = (B.apply_all_eligible(db, ctx, me, data.as_of) if data.all_eligible
                 else B.apply(db, ctx, me, data.teacher_ids or [], data.as_of))
        return B.batch_json(db, me, batch)

    @get("/batches", sync_to_thread=True, summary="Applications you may see; queue=mine: those waiting for you")
    def list_batches(self, db: Session, me: Principal, queue: str | None = None) -> list[dict[str, Any]]:
        batches = B.listing(db, me, queue)
        B.audit_read(db, me, batches)
        return [B.batch_json(db, me, b, with_apps=False) for b in batches]

    @get("/batches/{batch_id:int}", sync_to_thread=True, summary="One application: its teachers, decisions and steps")
    def read(self, batch_id: int, db: Session, me: Principal) -> dict[str, Any]:
        batch = B.get(db, me, batch_id)
        B.audit_read(db, me, [batch])
        return B.batch_json(db, me, batch)

    @post("/batches/{batch_id:int}/decisions", sync_to_thread=True, status_code=200,
          summary="The acting step decides per teacher: qualified / deferred / refused (a reason for the last two)")
    def decide(self, batch_id: int, data: DecideIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        batch = B.decide(db, ctx, me, batch_id, data.decisions, data.version)
        return B.batch_json(db, me, batch)

    @post("/batches/{batch_id:int}/forward", sync_to_thread=True, status_code=200,
          summary="The acting step is done: to the next step; the last writes the outcomes into 教师资格")
    def forward(self, batch_id: int, db: Session, ctx: AppContext, me: Principal,
                data: ForwardIn | None = None) -> dict[str, Any]:
        batch = B.forward(db, ctx, me, batch_id, data.version if data else None)
        return B.batch_json(db, me, batch)

    @get("/warnings", sync_to_thread=True,
         summary="Teachers whose cycle ends within the warning window and who do not meet the conditions yet")
    def warnings(self, db: Session, ctx: AppContext, me: Principal, unit: str | None = None,
                 as_of: str | None = None, eligible: bool = False) -> dict[str, Any]:
        return WR.warning_list(db, ctx, me, unit, as_of, eligible)
