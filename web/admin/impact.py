"""影响评估: a province's staff upload a proposed definition file; it is checked like ``tmis check``
and, when it compiles, its effect on the province's records is assessed in a background job whose
progress and report this page shows (web/services/impact_job.py). Nothing is deployed or written."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from web.admin.common import page, show
from web.context import AppContext
from web.errors import W_IMPACT_FILE, Refusal
from web.principal import Principal
from web.services import impact_job


class ImpactPages(Controller):
    path = "/admin/impact"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        impact_job.require_province(db, me)
        return page(request, db, "admin/impact.html", me=me, job=None, problems=[], warnings=[], error=None)

    @post("/", status_code=200)
    async def upload(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template | Redirect:
        unit = await show(lambda: impact_job.require_province(db, me))
        upload = await request.form()
        part = upload.get("file")
        data = await part.read() if hasattr(part, "read") else b""
        name = str(getattr(part, "filename", None) or "upload.yaml")[-120:]

        def check() -> Template | Redirect:
            error = None
            try:
                if not data:
                    raise Refusal(W_IMPACT_FILE, file=name, detail="文件是空的", detail_en="the file is empty")
                cat, problems, warnings = impact_job.compile_upload(ctx.settings.repo_root, ctx.settings.province,
                                                                    name, data)
            except Refusal as ref:
                error, cat, problems, warnings = ref, None, [], []
            if cat is None:
                return page(request, db, "admin/impact.html", me=me, job=None, problems=problems, warnings=warnings,
                            error=error, status_code=422)
            job_id = impact_job.start(ctx.sessions, ctx.catalogue, cat, me, unit.id, name)
            return Redirect(path=f"/admin/impact/{job_id}", status_code=303)

        return await show(check)

    @get("/{job_id:str}", sync_to_thread=True)
    def job(self, request: Request, job_id: str, db: Session, ctx: AppContext, me: Principal) -> Template:
        impact_job.require_province(db, me)
        job = impact_job.job_of(db, me, job_id)
        return page(request, db, "admin/impact.html", me=me, job=job, problems=[], warnings=[], error=None)
