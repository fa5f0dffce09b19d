"""管理端 pages of the Excel features: 数据导入 (template download, upload with its options, a
progress bar polled with HTMX, the result with its errors and the report) and 导出 (a form post
from the teacher list that answers with the workbook).

Plain forms with the page CSRF token (``_csrf_token``), like every other page; the work itself is
done by web/excel/web.py and the service, so the pages and the JSON API cannot disagree.
"""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from web import permissions, scope
from web.security.edge import as_int
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of
from web.errors import Refusal
from web.excel import web as X
from web.excel.api import xlsx_response
from web.pages.common import render
from web.principal import Principal

SCHOOLS_LISTED = 500  # schools offered in the "import into" list (a county has far fewer)


def _schools(db: Session, me: Principal) -> list[Unit]:
    stmt = (scope.units(me, "teacher.create").where(Unit.level == "school").order_by(Unit.code)
            .limit(SCHOOLS_LISTED))
    return list(db.scalars(stmt))


class ExcelPages(Controller):
    path = "/excel"
    include_in_schema = False

    def _import_page(self, request: Request, db: Session, ctx: AppContext, me: Principal, *,
                     errors: list[dict[str, Any]] | None = None, refusal: Refusal | None = None,
                     status_code: int = 200, chosen: dict[str, Any] | None = None) -> Template:
        permissions.require(me, "excel.import")
        own = db.get(Unit, me.unit_id)
        schools = _schools(db, me)
        default_unit = own.code if own is not None and own.level == "school" else (schools[0].code if schools else "")
        return render(request, "excel/import.html", me=me, schools=schools, own=own, errors=errors or [],
                      refusal=refusal, status_code=status_code,
                      chosen={"unit": default_unit, "dry_run": False, "subtables": "append", "partial": False,
                              **(chosen or {})},
                      families=[(f, ctx.catalogue.family_label(f, lang_of(request))) for f in ctx.catalogue.families],
                      own_family=ctx.catalogue.family_of(own.school_type if own is not None else None))

    @get("/import", sync_to_thread=True)
    def import_page(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        return self._import_page(request, db, ctx, me)

    @post("/import", status_code=200, media_type=MediaType.HTML, request_max_body_size=X.max_body())
    async def upload(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Any:
        form = await request.form()
        upload = form.get("file")
        unit = form.get("unit") if isinstance(form.get("unit"), str) else None
        chosen = {"unit": unit or "", "dry_run": X._flag(form.get("dry_run")),
                  "subtables": form.get("subtables") or "append", "partial": X._flag(form.get("partial"))}

        def page(**kw: Any) -> Template:
            return self._import_page(request, db, ctx, me, chosen=chosen, **kw)

        def work() -> Any:
            try:
                if not isinstance(upload, UploadFile) or not upload.filename:
                    raise Refusal(X.W_NO_FILE)
                dry_run, mode, partial = X.parse_options(form.get("dry_run"), form.get("subtables"),
                                                         form.get("partial"))
                job_id = X.start_import(ctx, db, me, upload.file, upload.filename, unit_code=unit or None,
                                        dry_run=dry_run, mode=mode, partial=partial)
            except X.BadUpload as exc:
                return page(errors=[p.as_json(lang_of(request)) for p in exc.problems], status_code=422)
            except Refusal as exc:
                if exc.status == 403 and exc.code != X.W_NO_FILE:
                    raise
                return page(refusal=exc, status_code=exc.status)
            return Redirect(path=f"/excel/import/jobs/{job_id}", status_code=303)

        return await anyio.to_thread.run_sync(work)

    @get("/import/jobs/{job_id:str}", sync_to_thread=True)
    def job_page(self, request: Request, job_id: str, db: Session, me: Principal) -> Template:
        job = X.visible_job(db, me, job_id)
        return render(request, "excel/job.html", me=me, job=X.job_json(job, lang_of(request)))

    @get("/import/jobs/{job_id:str}/status", sync_to_thread=True)
    def job_status(self, request: Request, job_id: str, db: Session, me: Principal) -> Template:
        """The fragment the page polls: a progress bar until the job ends, then the result."""
        job = X.visible_job(db, me, job_id)
        return render(request, "excel/_job_status.html", me=me, job=X.job_json(job, lang_of(request)))

    @post("/export", status_code=200)
    async def export(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Response[bytes]:
        form = await request.form()
        ids = [i for i in (as_int(v) for v in form.getall("teacher", []) if isinstance(v, str)) if i is not None]
        sets = [v for v in form.getall("sets", []) if isinstance(v, str) and v]
        st = form.get("school_type") if isinstance(form.get("school_type"), str) else None

        def work() -> Response[bytes]:
            content, name, _ = X.export_selection(ctx, db, me, teacher_ids=ids or None, unit_code=None,
                                                  include_below=True, sets=sets or None, school_type=st or None,
                                                  lang=lang_of(request))
            db.commit()
            return xlsx_response(content, name)

        return await anyio.to_thread.run_sync(work)
