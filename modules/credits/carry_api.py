"""Carried-over credits (结转学分) over the API and on the page /credits/carry-over/ (carry_over.py):

- ``POST /api/v1/training/carry-over`` {"rows": [{"id_number", "name", "category", "credits", "hours",
  "earned_on", "source"}], "dry_run"?} → {"rows", "teachers", "credits", "saved", "dry_run"}; W640 with
  every problem by row and column, nothing saved
- ``GET  /api/v1/training/carry-over/template.xlsx`` the template
- ``POST /api/v1/training/carry-over/upload`` (multipart: data, dry_run) → 200 with the summary, or 422
  with the workbook, every problem written into its row
- ``GET  /credits/carry-over/`` and ``POST /credits/carry-over/upload``: the same, on a page
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response, Template
from sqlalchemy.orm import Session

from modules.credits import carry_over as CO
from modules.credits import carry_words as Cw
from modules.credits import sheet, sheet_carry
from web.context import AppContext
from web.db.models import Unit
from web.deps import run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class CarryIn:
    rows: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class CarryUpload:
    data: UploadFile | None = None  # the filled template (.xlsx)
    dry_run: bool = False


class CarryOverController(Controller):
    path = "/api/v1/training/carry-over"
    tags = ["training credits"]

    @post("/", sync_to_thread=True, status_code=200,
          summary="Import carried-over credits (结转学分) of teachers in your scope: all rows or none; dry_run checks only")
    def carry(self, data: CarryIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return CO.carry_over(db, me, data.rows, root=ctx.settings.repo_root, dry_run=bool(data.dry_run))

    @get("/template.xlsx", sync_to_thread=True, summary="The carried-over credits template (xlsx)")
    def template(self, db: Session, ctx: AppContext, me: Principal) -> Response[bytes]:
        return Response(sheet_carry.template(db, me, ctx.settings.repo_root), media_type=XLSX,
                        headers={"content-disposition": 'attachment; filename="carry-over.xlsx"'})

    @post("/upload", sync_to_thread=True, status_code=200,
          summary="Import carried-over credits from the filled template (multipart: data, dry_run): 200 with the "
                  "summary, or 422 with the workbook, every problem written into its row (nothing saved)")
    def upload(self, data: Annotated[CarryUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
               db: Session, ctx: AppContext, me: Principal) -> Response[Any]:
        CO.require_carry(db, me)
        if not isinstance(data.data, UploadFile):
            raise Refusal(Cw.W_CARRY_NO_FILE)
        summary, report, _ = sheet_carry.upload(db, me, data.data.file.read(sheet.MAX_BYTES + 1),
                                                root=ctx.settings.repo_root, dry_run=bool(data.dry_run))
        if report is not None:
            return Response(report, status_code=422, media_type=XLSX,
                            headers={"content-disposition": 'attachment; filename="carry-over-problems.xlsx"'})
        return Response(summary, status_code=200)


def _page(request: Request, db: Session, ctx: AppContext, me: Principal, status_code: int = 200,
          **context: Any) -> Template:
    CO.require_carry(db, me)
    return render(request, "credits/carry_over.html", me=me, me_unit=db.get(Unit, me.unit_id),
                  categories=CO.categories(ctx.settings.repo_root, db, me), status_code=status_code,
                  max_source=CO.MAX_SOURCE, **context)


class CarryOverPages(Controller):
    path = "/credits/carry-over"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        return _page(request, db, ctx, me)

    @post("/upload", status_code=200, media_type=MediaType.HTML, request_max_body_size=sheet.MAX_BYTES + 65536)
    async def upload(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form = await request.form()
        upload, dry_run = form.get("file"), form.get("dry_run") in ("1", "on", "true")
        content = upload.file.read(sheet.MAX_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else None

        def work() -> Template:
            CO.require_carry(db, me)
            if content is None:
                raise Refusal(Cw.W_CARRY_NO_FILE)
            summary, report, problems = sheet_carry.upload(db, me, content, root=ctx.settings.repo_root, dry_run=dry_run)
            if report is None:
                return _page(request, db, ctx, me, saved=summary)
            return _page(request, db, ctx, me, status_code=422, problems=problems,
                         report=base64.b64encode(report).decode("ascii"))

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:
            if refusal.code == Cw.W_CARRY_NOT_YOURS:
                raise
            return _page(request, db, ctx, me, status_code=refusal.status, error=refusal)
