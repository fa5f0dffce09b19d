"""JSON API of the Excel features (issue 6): templates, imports as background jobs, exports.

    GET  /api/v1/template[?school_type=]      the import template (xlsx) of the caller's unit's type
    POST /api/v1/imports                      multipart: file, unit, dry_run, subtables, partial → job
    GET  /api/v1/imports/{job}                state, progress, {"rows", "imported", "errors": [...]}
    GET  /api/v1/imports/{job}/report         the user's workbook with the wrong cells marked
    POST /api/v1/exports                      selected teachers and sets → xlsx (a zip of one xlsx
                                              per template family when they span several)

CSRF as for the rest of the API (web/app.py): a cookie-signed upload must carry ``x-csrftoken``
(a multipart body is a "simple" cross-site request otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import File
from sqlalchemy.orm import Session

from web.context import AppContext
from web.deps import lang_of
from web.excel import web as X
from web.principal import Principal
from web.security.edge import Int32


@dataclass
class ExportIn:
    teacher_ids: list[Int32] | None = None   # the selection; None: everyone in ``unit`` (default: the caller's)
    unit: str | None = None
    below: bool = True
    sets: list[str] | None = None          # default: every set of the template
    school_type: str | None = None         # default: the selected teachers' schools'


ZIP = "application/zip"


def xlsx_response(content: bytes, filename: str) -> Response[bytes]:
    """A download: a workbook, or a zip of workbooks (an export across template families)."""
    return Response(content, media_type=ZIP if filename.endswith(".zip") else X.XLSX,
                    headers={"content-disposition": f'attachment; filename="{filename}"',
                             "cache-control": "no-store"})


class ExcelAPI(Controller):
    path = "/api/v1"
    tags = ["excel"]

    @get("/template", sync_to_thread=True, summary="The Excel import template (xlsx)")
    def template(self, db: Session, ctx: AppContext, me: Principal, school_type: str | None = None) -> Response[bytes]:
        from web import scope

        scope.require(me, "teacher.create")
        content, name = X.template_for(ctx, db, me, school_type)
        return xlsx_response(content, name)

    @post("/imports", status_code=202, request_max_body_size=X.max_body(),
          summary="Upload a filled template; the import runs as a background job")
    async def start(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Response[dict[str, Any]]:
        import anyio

        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            from web.errors import Refusal

            raise Refusal(X.W_NO_FILE)
        options = X.parse_options(form.get("dry_run"), form.get("subtables"), form.get("partial"))
        unit = form.get("unit") if isinstance(form.get("unit"), str) else None

        def work() -> str:
            dry_run, mode, partial = options
            return X.start_import(ctx, db, me, upload.file, upload.filename, unit_code=unit or None,
                                  dry_run=dry_run, mode=mode, partial=partial)
        try:
            job_id = await anyio.to_thread.run_sync(work)
        except X.BadUpload as exc:
            return Response(exc.as_json(lang_of(request)), status_code=422)
        return Response({"job": job_id, "url": f"/api/v1/imports/{job_id}"}, status_code=202)

    @get("/imports/{job_id:str}", sync_to_thread=True, summary="An import job: state, progress, result")
    def job(self, request: Request, job_id: str, db: Session, me: Principal) -> dict[str, Any]:
        return X.job_json(X.visible_job(db, me, job_id), lang_of(request))

    @get("/imports/{job_id:str}/report", sync_to_thread=True, summary="The annotated workbook of an import")
    def report(self, job_id: str, db: Session, me: Principal) -> File:
        from web.errors import Refusal

        job = X.visible_job(db, me, job_id)
        path = X.report_path(job)
        if path is None:
            raise Refusal(X.W_NO_REPORT)
        stem = (job.file_name or "import").rsplit(".", 1)[0]
        return File(path=path, filename=f"{stem}-错误报告.xlsx", media_type=X.XLSX)

    @post("/exports", sync_to_thread=True, status_code=200,
          summary="Selected teachers (within scope) to xlsx; a zip of one xlsx per template family "
                  "when they span several")
    def export(self, request: Request, data: ExportIn, db: Session, ctx: AppContext, me: Principal) -> Response[bytes]:
        content, name, _ = X.export_selection(ctx, db, me, teacher_ids=data.teacher_ids, unit_code=data.unit,
                                              include_below=data.below, sets=data.sets,
                                              school_type=data.school_type, lang=lang_of(request))
        return xlsx_response(content, name)
