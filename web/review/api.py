"""JSON API of the review module under /api/v1/review (thin handlers over the services).

Every write names the version of the case it acts on when it can (``version``); a request that
loses a race gets 409 with code W607 in Chinese and English, and nothing it sent is lost (the
client still holds it). Bulk endpoints answer with one result per file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from web.context import AppContext
from web.deps import lang_of
from web.errors import W_BAD_REQUEST, Refusal
from web.principal import Principal
from web.review import bulk
from web.review import changes as C
from web.review import progress as P
from web.review import queue as Q
from web.review import service as S
from web.security.edge import Int32

Days = Annotated[int | None, Parameter(ge=0, le=36500, description="days waiting (0–36500)")]


@dataclass
class VersionIn:
    version: Int32 | None = None


@dataclass
class RejectIn:
    reason: str = ""
    version: Int32 | None = None


@dataclass
class BulkFilesIn:
    teacher_ids: list[Int32] = field(default_factory=list)


@dataclass
class BulkCasesIn:
    case_ids: list[Int32] = field(default_factory=list)
    versions: dict[Int32, Int32] = field(default_factory=dict)  # case id -> version


@dataclass
class BulkRejectIn:
    reason: str = ""
    case_ids: list[Int32] = field(default_factory=list)
    versions: dict[Int32, Int32] = field(default_factory=dict)  # case id -> version


@dataclass
class RecordIn:
    set: str
    values: dict[str, Any]
    record_id: Int32 | None = None
    version: Int32 | None = None


@dataclass
class ChangeIn:
    record_ids: list[Int32] = field(default_factory=list)
    delete: bool = False  # the request deletes these approved records (shown as deleted in the diff)


@dataclass
class WindowIn:
    unit_code: str
    title: str
    due_on: str
    opens_on: str | None = None
    title_en: str | None = None


def _date(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Refusal(W_BAD_REQUEST, detail=f"{name} 须为 YYYY-MM-DD 格式的日期", detail_en=f"{name} must be YYYY-MM-DD") from None


class ReviewController(Controller):
    path = "/api/v1/review"
    tags = ["review"]

    # -- files ------------------------------------------------------------------------
    @get("/files/{teacher_id:int}", sync_to_thread=True,
         summary="A file's review state, cases, timeline and what you may do (may_submit, may_approve, …)")
    def file(self, teacher_id: int, request: Request, db: Session, ctx: AppContext, me: Principal,
             check: bool = False) -> dict[str, Any]:
        return Q.file_status(db, ctx.catalogue, me, teacher_id, lang=lang_of(request), check=check)

    @get("/files/{teacher_id:int}/timeline", sync_to_thread=True, summary="Every transition: who, when, reason")
    def file_timeline(self, teacher_id: int, request: Request, db: Session, ctx: AppContext,
                      me: Principal) -> list[dict[str, Any]]:
        from web import scope

        scope.get_teacher(db, me, teacher_id, "teacher.read")
        return Q.timeline(db, teacher_id, lang_of(request))

    @post("/files/{teacher_id:int}/submit", sync_to_thread=True, status_code=200, summary="报送 (first submission)")
    def submit(self, teacher_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        case = S.submit(db, ctx.catalogue, me, teacher_id)
        return Q.case_json(db, case, lang_of(request))

    @post("/files/submit", sync_to_thread=True, status_code=200, summary="报送 many files; a result per file")
    def bulk_submit(self, data: BulkFilesIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        results = S.bulk_submit(db, ctx.catalogue, me, data.teacher_ids)
        return {"ok": sum(r.ok for r in results), "failed": sum(not r.ok for r in results),
                "results": [r.json() for r in results]}

    @post("/files/{teacher_id:int}/records", sync_to_thread=True, status_code=200,
          summary="保存 a new record (an addition), an addition not yet submitted, or a copy (复本)")
    def save_record(self, teacher_id: int, data: RecordIn, request: Request, db: Session, ctx: AppContext,
                    me: Principal) -> Response:
        # a change of an existing record names its version: "version" or If-Match (428 W440 without)
        from web.forms.api import if_match, etag

        version = data.version if data.version is not None else if_match(request)
        row, found = C.save_record(db, ctx.catalogue, me, teacher_id, data.set, data.values,
                                   record_id=data.record_id, version=version, require_version=True)
        return Response({"id": row.id, "version": row.version, "state": row.state, "copy_of": row.copy_of_id,
                         "values": row.document, "warnings": [v for v in found if v["severity"] == "warning"]},
                        status_code=200, headers={"ETag": etag(row.version)})

    @post("/files/{teacher_id:int}/additions/submit", sync_to_thread=True, status_code=200,
          summary="报送 the new records of an approved file (route: addition)")
    def submit_additions(self, teacher_id: int, request: Request, db: Session, ctx: AppContext,
                         me: Principal) -> dict[str, Any]:
        return Q.case_json(db, C.submit_additions(db, ctx.catalogue, me, teacher_id), lang_of(request))

    @post("/files/{teacher_id:int}/changes", sync_to_thread=True, status_code=200,
          summary="Request a change: copies (复本) of approved records to edit (or delete) and submit")
    def open_change(self, teacher_id: int, data: ChangeIn, request: Request, db: Session, ctx: AppContext,
                    me: Principal) -> dict[str, Any]:
        case = C.open_change(db, ctx.catalogue, me, teacher_id, data.record_ids, delete=data.delete)
        return Q.case_detail(db, ctx.catalogue, me, case.id, lang_of(request))

    # -- cases ------------------------------------------------------------------------
    @get("/cases/{case_id:int}", sync_to_thread=True, summary="A review item: original and copy side by side")
    def case(self, case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return Q.case_detail(db, ctx.catalogue, me, case_id, lang_of(request))

    @post("/cases/{case_id:int}/approve", sync_to_thread=True, status_code=200, summary="审核通过")
    def approve(self, case_id: int, data: VersionIn, request: Request, db: Session, ctx: AppContext,
                me: Principal) -> dict[str, Any]:
        case = S.approve(db, ctx.catalogue, me, case_id, version=data.version)
        return Q.case_json(db, case, lang_of(request))

    @post("/cases/{case_id:int}/reject", sync_to_thread=True, status_code=200, summary="退回 (reason required)")
    def reject(self, case_id: int, data: RejectIn, request: Request, db: Session, ctx: AppContext,
               me: Principal) -> dict[str, Any]:
        case = S.reject(db, ctx.catalogue, me, case_id, data.reason, version=data.version)
        return Q.case_json(db, case, lang_of(request))

    @post("/cases/{case_id:int}/submit", sync_to_thread=True, status_code=200, summary="报送 a change request")
    def submit_change(self, case_id: int, request: Request, db: Session, ctx: AppContext,
                      me: Principal) -> dict[str, Any]:
        return Q.case_json(db, C.submit_change(db, ctx.catalogue, me, case_id), lang_of(request))

    @post("/cases/{case_id:int}/discard", sync_to_thread=True, status_code=200,
          summary="Discard a change request not under review (the approved file stays)")
    def discard(self, case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return Q.case_json(db, C.discard_change(db, ctx.catalogue, me, case_id), lang_of(request))

    @post("/cases/approve", sync_to_thread=True, status_code=200, summary="审核通过 many items; a result per item")
    def bulk_approve(self, data: BulkCasesIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        versions = {int(k): int(v) for k, v in data.versions.items()}
        results = S.bulk_approve(db, ctx.catalogue, me, data.case_ids, versions)
        return {"ok": sum(r.ok for r in results), "failed": sum(not r.ok for r in results),
                "results": [r.json() for r in results]}

    @post("/cases/reject", sync_to_thread=True, status_code=200, summary="退回 many items with one reason; a result per item")
    def bulk_reject(self, data: BulkRejectIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        versions = {int(k): int(v) for k, v in data.versions.items()}
        results = bulk.bulk_reject(db, ctx.catalogue, me, data.case_ids, data.reason, versions)
        return {"ok": sum(r.ok for r in results), "failed": sum(not r.ok for r in results),
                "results": [r.json() for r in results]}

    # -- queue, progress, windows -------------------------------------------------------
    @get("/queue", sync_to_thread=True, summary="What waits at your level within your scope")
    def queue(self, request: Request, db: Session, ctx: AppContext, me: Principal, unit: str | None = None,
              kind: str | None = None, min_days: Days = None, max_days: Days = None,
              limit: int = 50, offset: int = 0) -> dict[str, Any]:
        limit = max(1, min(limit, ctx.settings.page_size_max))
        return Q.queue(db, ctx.catalogue, me, unit_code=unit, kind=kind, min_days=min_days, max_days=max_days,
                       limit=limit, offset=max(0, offset), lang=lang_of(request))

    @get("/progress", sync_to_thread=True, summary="Per unit below: teachers by state, shares, late units, windows")
    def progress(self, request: Request, db: Session, me: Principal, unit: str | None = None) -> dict[str, Any]:
        return P.progress(db, me, unit, lang=lang_of(request))

    @get("/windows", sync_to_thread=True, summary="Open collection windows for your unit (with countdown)")
    def windows(self, db: Session, me: Principal) -> list[dict[str, Any]]:
        return P.windows_for(db, me.unit_id)

    @post("/windows", sync_to_thread=True, status_code=201, summary="Open a collection window for the units below")
    def open_window(self, data: WindowIn, db: Session, me: Principal) -> dict[str, Any]:
        due = _date(data.due_on, "due_on")
        if due is None:
            raise Refusal(W_BAD_REQUEST, detail="截止日期 due_on 必填（YYYY-MM-DD）", detail_en="due_on (YYYY-MM-DD) is required")
        w = P.open_window(db, me, data.unit_code, data.title, due, opens_on=_date(data.opens_on, "opens_on"),
                          title_en=data.title_en)
        return P.window_json(w, "", date.today())

