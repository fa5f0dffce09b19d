"""The page 培训项目 (/credits/projects/): an institution sees its projects and, per project, downloads
the results template and uploads it filled in (a dry run or for real, all or nothing: the existing
sheet.upload service; problems come back written into the workbook, offered for download here); the
project's authority sees the results waiting and confirms them (results.confirm_results)."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import credits as C

from modules.credits import conversion, corrections
from modules.credits import projects as P
from modules.credits import results as R
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
from web.security.edge import as_int


def may_open(me: Principal) -> bool:
    """The page is for submitting results (an institution), confirming them (a reviewer) or
    registering projects and school-based plans (an authority's or a school's data staff)."""
    return me.kind == "staff" and (me.has("training.results") or me.has("record.review") or me.has("record.edit"))


def _page(request: Request, db: Session, me: Principal, status_code: int = 200, **context: Any) -> Template:
    if not may_open(me):
        raise Refusal(Wd.W_PROJECTS_NOT_YOURS)
    projects = P.list_projects(db, me)
    context.update(_project_outcome(db, me, projects, context.pop("decided_id", 0), context.pop("registered_id", 0)))
    submitted = context.pop("submitted", 0)
    if submitted:  # after an upload (?submitted=<project>): the rows waiting, read from the database
        waiting = next((p["results"].get("submitted") for p in projects if p["id"] == submitted), 0)
        if waiting and me.has("training.results"):
            context.setdefault("saved", {"dry_run": False, "saved": waiting})
            context.setdefault("project_id", submitted)
    inst = P.institution_of(db, me) if me.has("training.results") else None
    unit = db.get(Unit, me.unit_id)
    registrar = inst is None and may(me, P.REGISTER, unit, db=db)
    levels = [(k, C.LEVELS[k]) for k in P.MAY_REGISTER.get(unit.level, ())] if registrar else []
    institutions = list(db.scalars(select(TrainingInstitution).where(TrainingInstitution.unit_id == unit.id)
                                   .order_by(TrainingInstitution.id))) if registrar and unit.level != "school" else []
    return render(request, "credits/projects.html", me=me, projects=projects, me_unit=db.get(Unit, me.unit_id),
                  heading=inst.name if inst is not None else db.get(Unit, me.unit_id).name,
                  submitter=me.has("training.results"), reviewer=me.has("record.review"), status_code=status_code,
                  confirmable={p["id"] for p in projects if p["results"].get("submitted") and R.may_confirm(db, me, p["id"])},
                  submittable={p["id"] for p in projects if p["state"] == "active" and R.may_submit(db, me, p["id"])},
                  registrar=registrar, levels=levels, types=list(C.TYPES.items()), institutions=institutions,
                  decidable={p["id"] for p in projects if p["state"] == "proposed" and P.may_decide(db, me, p["id"])},
                  states=P.STATE_LABELS, form=context.pop("form", {}), plan_form=context.pop("plan_form", {}),
                  **context)


def _project_outcome(db: Session, me: Principal, projects: list[dict[str, Any]], decided: int,
                     registered: int) -> dict[str, Any]:
    """The message after a plan decided or a project registered, redirected here (?decided=<id> /
    ?registered=<id>): an id, never text; what it says is read from the projects the caller sees
    (a decided plan: a school's plan no longer waiting; a registered project: one at the caller's
    own unit), so a crafted address shows only what is so."""
    out: dict[str, Any] = {}
    by_id = {p["id"]: p for p in projects}
    plan = by_id.get(decided)
    if plan is not None and plan["level"] == "school" and plan["state"] in ("active", "rejected"):
        out["decided"] = plan
    made = by_id.get(registered)
    if made is not None and (project := db.get(TrainingProject, registered)) is not None and project.unit_id == me.unit_id:
        out["registered"] = made
    return out


def _after_project(key: str, project_id: int) -> Redirect:
    """After a project registered or a plan decided, the projects page by GET (a reload sends nothing again)."""
    return Redirect(path=f"/credits/projects/?{key}={project_id}#project-outcome", status_code=303)


RESULT_STATES = {"submitted": ("待确认", "waiting"), "rejected": ("已退回", "rejected"), "confirmed": ("已确认", "confirmed"),
                 "revoked": ("已撤销", "revoked")}


def _results_page(request: Request, db: Session, me: Principal, project_id: int, status_code: int = 200,
                  **context: Any) -> Template:
    """One project's results (results.results_of, as GET …/results: scoped, ID numbers masked,
    the read audited; an institution sees only what it sent, with each row's state) and, for the
    project's reviewer, the confirm button under the very rows it confirms."""
    if not may_open(me):
        raise Refusal(Wd.W_PROJECTS_NOT_YOURS)
    rows = R.results_of(db, me, project_id)  # refuses (W547) a project the caller may not see
    project = P.project_json(db.get(TrainingProject, project_id))
    waiting = [r for r in rows if r["state"] == "submitted"]
    context.update(_outcome(rows, context.pop("done", ""), context.pop("row", 0)))
    confirmer = bool(waiting) and R.may_confirm(db, me, project_id)
    # what each waiting row would bring, converted as confirming would (conversion.py): the reviewer's only
    expected = conversion.expected(db, me, project_id, request.app.state.ctx.settings.repo_root) if confirmer else {}
    return render(request, "credits/project.html", me=me, project=project, rows=rows, waiting=len(waiting),
                  states=RESULT_STATES, may_confirm=confirmer, expected=expected,
                  may_revoke=any(r["state"] == "confirmed" and r["passed"] for r in rows)
                  and corrections.may_revoke(db, me, project_id), revoke_form=context.pop("revoke_form", {}),
                  reject_form=context.pop("reject_form", {}), row_error=context.pop("row_error", None),
                  row_for=context.pop("row_for", 0),
                  staff_view=not (me.has("training.results") and P.institution_of(db, me) is not None),
                  may_submit=project["state"] == "active" and R.may_submit(db, me, project_id),
                  own_waiting=bool(waiting) and R.submitted_by_me(db, me, project_id), project_id=project_id,
                  status_code=status_code, **context)


def _outcome(rows: list[dict[str, Any]], done: str, row: int) -> dict[str, Any]:
    """The message after a POST redirected here (?done=submitted|confirmed|rejected|revoked[&row=<id>]): a key,
    never text; what it says is read from the rows (a crafted address shows only what is so)."""
    if done == "confirmed":
        confirmed = [r for r in rows if r["state"] in ("confirmed", "revoked")]
        if confirmed:
            credits = sum((Decimal(r.get("credits") or 0) for r in confirmed if r["state"] == "confirmed"), Decimal(0))
            return {"confirmed": {"confirmed": len(confirmed), "passed": sum(1 for r in confirmed if r["passed"]),
                                  "credits": f"{credits:.2f}"}}
    if done == "submitted":
        waiting = sum(1 for r in rows if r["state"] == "submitted")
        if waiting:
            return {"saved": {"dry_run": False, "saved": waiting}}
    if done in ("rejected", "revoked"):
        found = next((r for r in rows if r["id"] == row and r["state"] == done), None)
        if found is not None:
            return {done: {"reason": found["reason"] or "", "credits": found.get("credits")}}
    return {}


def _after(project_id: int, done: str, row: int = 0) -> Redirect:
    """After a saved change, the results page by GET (a reload sends nothing again)."""
    anchor = f"&row={row}#result-{row}" if row else "#results-outcome"
    return Redirect(path=f"/credits/projects/{project_id}?done={done}{anchor}", status_code=303)


def _key(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _id(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else 0


# refusals about the uploaded file, not the project or the caller: shown on the page (_upload_outcome.html)
FILE_REFUSALS = (Wd.W_BAD_BODY, Wd.W_NO_FILE)


class ProjectPages(Controller):
    path = "/credits/projects"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, me: Principal, submitted: str | None = None,
              decided: str | None = None, registered: str | None = None) -> Template:
        return _page(request, db, me, submitted=_id(submitted), decided_id=_id(decided), registered_id=_id(registered))

    @get("/{project_id:int}", sync_to_thread=True)
    def results(self, request: Request, db: Session, me: Principal, project_id: int, done: str | None = None,
                row: str | None = None) -> Template:
        return _results_page(request, db, me, project_id, done=_key(done, ("submitted", "confirmed", "rejected", "revoked")),
                             row=_id(row))

    @post("/{project_id:int}/upload", status_code=200, media_type=MediaType.HTML,
          request_max_body_size=sheet.MAX_BYTES + 65536)
    async def upload(self, request: Request, db: Session, me: Principal, project_id: int) -> Template | Redirect:
        form = await request.form()
        upload, dry_run = form.get("file"), form.get("dry_run") in ("1", "on", "true")
        # the outcome on the page the form was on: the project's own page, or the list
        show = _results_page if form.get("back") == "project" else (lambda *a, **kw: _page(*a[:3], **kw))
        content = upload.file.read(sheet.MAX_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else None
        filename = upload.filename if isinstance(upload, UploadFile) else None

        def work() -> Template | Redirect:
            try:
                if content is None:
                    raise Refusal(Wd.W_NO_FILE)
                summary, report, problems = sheet.upload_report(db, me, project_id, content, dry_run=dry_run,
                                                                filename=filename)
            except Refusal as refusal:
                if refusal.code not in FILE_REFUSALS:
                    raise
                # the file itself (none chosen, not a workbook, no rows, wrong columns): said on the
                # page the form was on, above the form, in a browser user's words
                return show(request, db, me, status_code=refusal.status, project_id=project_id, upload_error=refusal)
            if report is None and not dry_run:  # saved: to the page it was sent from, by GET (a reload sends nothing)
                return (_after(project_id, "submitted") if form.get("back") == "project" else
                        Redirect(path=f"/credits/projects/?submitted={project_id}#results-outcome", status_code=303))
            if report is None:
                return show(request, db, me, project_id=project_id, saved=summary)
            return show(request, db, me, status_code=422, project_id=project_id, problems=problems,
                        report=base64.b64encode(report).decode("ascii"))

        return await run_unit_of_work(db, work)

    @post("/new", status_code=303, media_type=MediaType.HTML)
    async def register(self, request: Request, db: Session, me: Principal) -> Template | Redirect:
        form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}

        def work() -> Redirect:
            data: dict[str, Any] = dict(form)
            inst = data.pop("institution_id", "")
            # an id, or what was typed (register_project: W545 没有该培训机构); "²" and 5000 digits are no int()
            data["institution_id"] = as_int(inst) if as_int(inst) is not None else (inst.strip() or None)
            project = P.register_project(db, me, data)  # the API's service (POST /api/v1/training/projects)
            return _after_project("registered", project.id)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:  # the form comes back filled in, the refusal above it
            return _page(request, db, me, status_code=refusal.status, form=form, error=refusal)

    @post("/{project_id:int}/decide", status_code=303, media_type=MediaType.HTML)
    async def decide(self, request: Request, db: Session, me: Principal, project_id: int,
                     approve: int = 1) -> Template | Redirect:
        reason = (await request.form()).get("reason")

        def work() -> Redirect:
            project = P.decide_plan(db, me, project_id, bool(approve), reason)  # as POST …/approve
            return _after_project("decided", project.id)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:  # the page again, the refusal above it and the reason as typed
            return _page(request, db, me, status_code=refusal.status, error=refusal,
                         plan_form={"id": project_id, "reason": reason if isinstance(reason, str) else ""})

    @post("/{project_id:int}/confirm", sync_to_thread=True, status_code=303, media_type=MediaType.HTML)
    def confirm(self, request: Request, db: Session, ctx: AppContext, me: Principal, project_id: int) -> Redirect:
        R.confirm_results(db, me, project_id, root=ctx.settings.repo_root, cat=ctx.catalogue)
        return _after(project_id, "confirmed")

    @post("/{project_id:int}/results/{result_id:int}/reject", status_code=303,
          media_type=MediaType.HTML)
    async def reject(self, request: Request, db: Session, me: Principal, project_id: int,
                     result_id: int) -> Template | Redirect:
        form = await request.form()
        reason = str(form.get("reason") or "")

        def work() -> Redirect:
            R.reject_result(db, me, project_id, result_id, reason)
            return _after(project_id, "rejected", result_id)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:
            if refusal.code != Wd.W_REJECT_REASON:
                raise
            # the results again, the message in the row beside its reason box, what was typed kept
            return await run_unit_of_work(db, lambda: _results_page(  # the page's read is audited: committed
                request, db, me, project_id, status_code=refusal.status, row_error=refusal, row_for=result_id,
                reject_form={result_id: reason[:200]}))

    @post("/{project_id:int}/results/{result_id:int}/revoke", status_code=303, media_type=MediaType.HTML)
    async def revoke(self, request: Request, db: Session, ctx: AppContext, me: Principal, project_id: int,
                     result_id: int) -> Template | Redirect:
        reason = str((await request.form()).get("reason") or "")

        def work() -> Redirect:  # as POST /api/v1/training/projects/{id}/results/{rid}/revoke
            corrections.revoke_result(db, me, project_id, result_id, reason, cat=ctx.catalogue)
            return _after(project_id, "revoked", result_id)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:  # shown above the table, the reason typed kept in its row
            return await run_unit_of_work(db, lambda: _results_page(  # the page's read is audited: committed
                request, db, me, project_id, status_code=refusal.status, error=refusal, revoke_form={result_id: reason}))
