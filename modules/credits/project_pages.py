"""The page 培训项目 (/credits/projects/): an institution sees its projects and, per project, downloads
the results template and uploads it filled in (a dry run or for real, all or nothing: the existing
sheet.upload service; problems come back written into the workbook, offered for download here); the
project's authority sees the results waiting and confirms them (service.confirm_results)."""

from __future__ import annotations

import base64
from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import credits as C

from modules.credits import corrections
from modules.credits import service as S
from modules.credits import sheet
from modules.credits import words as Wd
from modules.credits.models import TrainingInstitution, TrainingProject
from web.context import AppContext
from web.db.models import Unit
from web.deps import run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.permissions import may
from web.principal import Principal


def may_open(me: Principal) -> bool:
    """The page is for submitting results (an institution), confirming them (a reviewer) or
    registering projects and school-based plans (an authority's or a school's data staff)."""
    return me.kind == "staff" and (me.has("training.results") or me.has("record.review") or me.has("record.edit"))


def _page(request: Request, db: Session, me: Principal, status_code: int = 200, **context: Any) -> Template:
    if not may_open(me):
        raise Refusal(Wd.W_PROJECTS_NOT_YOURS)
    projects = S.list_projects(db, me)
    inst = S.institution_of(db, me) if me.has("training.results") else None
    unit = db.get(Unit, me.unit_id)
    registrar = inst is None and may(me, S.REGISTER, unit, db=db)
    levels = [(k, C.LEVELS[k]) for k in S.MAY_REGISTER.get(unit.level, ())] if registrar else []
    institutions = list(db.scalars(select(TrainingInstitution).where(TrainingInstitution.unit_id == unit.id)
                                   .order_by(TrainingInstitution.id))) if registrar and unit.level != "school" else []
    return render(request, "credits/projects.html", me=me, projects=projects, me_unit=db.get(Unit, me.unit_id),
                  heading=inst.name if inst is not None else db.get(Unit, me.unit_id).name,
                  submitter=me.has("training.results"), reviewer=me.has("record.review"), status_code=status_code,
                  confirmable={p["id"] for p in projects if p["results"].get("submitted") and S.may_confirm(db, me, p["id"])},
                  submittable={p["id"] for p in projects if p["state"] == "active" and S.may_submit(db, me, p["id"])},
                  registrar=registrar, levels=levels, types=list(C.TYPES.items()), institutions=institutions,
                  decidable={p["id"] for p in projects if p["state"] == "proposed" and S.may_decide(db, me, p["id"])},
                  states=S.STATE_LABELS, form=context.pop("form", {}), plan_form=context.pop("plan_form", {}),
                  **context)


RESULT_STATES = {"submitted": ("待确认", "waiting"), "rejected": ("已退回", "rejected"), "confirmed": ("已确认", "confirmed"),
                 "revoked": ("已撤销", "revoked")}


def _results_page(request: Request, db: Session, me: Principal, project_id: int, status_code: int = 200,
                  **context: Any) -> Template:
    """One project's results (service.results_of, as GET …/results: scoped, ID numbers masked,
    the read audited; an institution sees only what it sent, with each row's state) and, for the
    project's reviewer, the confirm button under the very rows it confirms."""
    if not may_open(me):
        raise Refusal(Wd.W_PROJECTS_NOT_YOURS)
    rows = S.results_of(db, me, project_id)  # refuses (W547) a project the caller may not see
    project = S.project_json(db.get(TrainingProject, project_id))
    waiting = [r for r in rows if r["state"] == "submitted"]
    return render(request, "credits/project.html", me=me, project=project, rows=rows, waiting=len(waiting),
                  states=RESULT_STATES, may_confirm=bool(waiting) and S.may_confirm(db, me, project_id),
                  may_revoke=any(r["state"] == "confirmed" and r["passed"] for r in rows)
                  and corrections.may_revoke(db, me, project_id), revoke_form=context.pop("revoke_form", {}),
                  staff_view=not (me.has("training.results") and S.institution_of(db, me) is not None),
                  may_submit=project["state"] == "active" and S.may_submit(db, me, project_id),
                  own_waiting=bool(waiting) and S.submitted_by_me(db, me, project_id), project_id=project_id,
                  status_code=status_code, **context)


class ProjectPages(Controller):
    path = "/credits/projects"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, me: Principal) -> Template:
        return _page(request, db, me)

    @get("/{project_id:int}", sync_to_thread=True)
    def results(self, request: Request, db: Session, me: Principal, project_id: int) -> Template:
        return _results_page(request, db, me, project_id)

    @post("/{project_id:int}/upload", status_code=200, media_type=MediaType.HTML,
          request_max_body_size=sheet.MAX_BYTES + 65536)
    async def upload(self, request: Request, db: Session, me: Principal, project_id: int) -> Template:
        form = await request.form()
        upload, dry_run = form.get("file"), form.get("dry_run") in ("1", "on", "true")
        # the outcome on the page the form was on: the project's own page, or the list
        show = _results_page if form.get("back") == "project" else (lambda *a, **kw: _page(*a[:3], **kw))
        content = upload.file.read(sheet.MAX_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else None
        filename = upload.filename if isinstance(upload, UploadFile) else None

        def work() -> Template:
            if content is None:
                raise Refusal(Wd.W_NO_FILE)
            summary, report, problems = sheet.upload_report(db, me, project_id, content, dry_run=dry_run,
                                                            filename=filename)
            if report is None:
                return show(request, db, me, project_id=project_id, saved=summary)
            return show(request, db, me, status_code=422, project_id=project_id, problems=problems,
                        report=base64.b64encode(report).decode("ascii"))

        return await run_unit_of_work(db, work)

    @post("/new", status_code=200, media_type=MediaType.HTML)
    async def register(self, request: Request, db: Session, me: Principal) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}

        def work() -> Template:
            data: dict[str, Any] = dict(form)
            inst = data.pop("institution_id", "")
            data["institution_id"] = int(inst) if inst.isdigit() else None
            project = S.register_project(db, me, data)  # the API's service (POST /api/v1/training/projects)
            return _page(request, db, me, registered=S.project_json(project))

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:  # the form comes back filled in, the refusal above it
            return _page(request, db, me, status_code=refusal.status, form=form, error=refusal)

    @post("/{project_id:int}/decide", status_code=200, media_type=MediaType.HTML)
    async def decide(self, request: Request, db: Session, me: Principal, project_id: int, approve: int = 1) -> Template:
        reason = (await request.form()).get("reason")

        def work() -> Template:
            project = S.decide_plan(db, me, project_id, bool(approve), reason)  # as POST …/approve
            return _page(request, db, me, decided=S.project_json(project))

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:  # the page again, the refusal above it and the reason as typed
            return _page(request, db, me, status_code=refusal.status, error=refusal,
                         plan_form={"id": project_id, "reason": reason if isinstance(reason, str) else ""})

    @post("/{project_id:int}/confirm", sync_to_thread=True, status_code=200, media_type=MediaType.HTML)
    def confirm(self, request: Request, db: Session, ctx: AppContext, me: Principal, project_id: int) -> Template:
        done = S.confirm_results(db, me, project_id, root=ctx.settings.repo_root, cat=ctx.catalogue)
        return _results_page(request, db, me, project_id, confirmed=done)

    @post("/{project_id:int}/results/{result_id:int}/reject", status_code=200,
          media_type=MediaType.HTML)
    async def reject(self, request: Request, db: Session, me: Principal, project_id: int, result_id: int) -> Template:
        form = await request.form()
        reason = str(form.get("reason") or "")

        def work() -> Template:
            done = S.reject_result(db, me, project_id, result_id, reason)
            return _results_page(request, db, me, project_id, rejected=done)

        return await run_unit_of_work(db, work)

    @post("/{project_id:int}/results/{result_id:int}/revoke", status_code=200, media_type=MediaType.HTML)
    async def revoke(self, request: Request, db: Session, ctx: AppContext, me: Principal, project_id: int,
                     result_id: int) -> Template:
        reason = str((await request.form()).get("reason") or "")

        def work() -> Template:  # as POST /api/v1/training/projects/{id}/results/{rid}/revoke
            done = corrections.revoke_result(db, me, project_id, result_id, reason, cat=ctx.catalogue)
            return _results_page(request, db, me, project_id, revoked=done)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:  # shown above the table, the reason typed kept in its row
            return await run_unit_of_work(db, lambda: _results_page(  # the page's read is audited: committed
                request, db, me, project_id, status_code=refusal.status, error=refusal, revoke_form={result_id: reason}))
