"""The page 在职变动 (batch): download the template, upload it filled in (a dry run or for real,
all or nothing by default), see what was done and every problem with its row and column."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Response, Template
from sqlalchemy.orm import Session

from web import permissions
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of
from web.excel import web as X
from web.excel.api import xlsx_response
from web.pages.common import render
from web.principal import Principal
from modules.status_change import batch
from modules.status_change.plugin import BATCH


class StatusChangePages(Controller):
    path = "/status-changes/batch"
    include_in_schema = False

    def _page(self, request: Request, db: Session, me: Principal, **context: Any) -> Template:
        permissions.require(me, BATCH)
        return render(request, "status_change/batch.html", me=me, me_unit=db.get(Unit, me.unit_id), **context)

    @get("/", sync_to_thread=True)
    def page(self, request: Request, db: Session, me: Principal) -> Template:
        return self._page(request, db, me)

    @get("/template.xlsx", sync_to_thread=True)
    def template(self, ctx: AppContext, me: Principal) -> Response[bytes]:
        permissions.require(me, BATCH)
        return xlsx_response(batch.template_bytes(ctx.catalogue), "status-changes.xlsx")

    @post("/", status_code=200, media_type=MediaType.HTML, request_max_body_size=X.max_body())
    async def upload(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form = await request.form()
        upload = form.get("file")
        dry_run, partial = X._flag(form.get("dry_run")), X._flag(form.get("partial"))

        def work() -> Template:
            permissions.require(me, BATCH)
            if not isinstance(upload, UploadFile) or not upload.filename:
                return self._page(request, db, me, missing=True, status_code=422)
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "upload.xlsx"
                path.write_bytes(upload.file.read())
                out = batch.import_sheet(ctx.sessions, ctx.catalogue, me, path, display_name=upload.filename,
                                         dry_run=dry_run, all_or_nothing=not partial)
            return self._page(request, db, me, outcome=out.as_json(lang_of(request)), problems=out.problems,
                              status_code=200 if not out.errors else 422)

        return await anyio.to_thread.run_sync(work)
