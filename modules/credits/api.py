"""The credits API (issue 17):

- ``POST /api/v1/training/projects`` {name, level, type, hours, start, end, organiser?, institution_id?}
- ``GET  /api/v1/training/projects`` the projects the account sees, with counts of results by state
- ``GET  /api/v1/training/projects/{id}/results`` its results (names, masked ID numbers)
- ``POST /api/v1/training/projects/{id}/results`` {"rows": [{"id_number", "hours", "passed", "score"?, "name"?}], "dry_run"?}
  (the ID number, a string, identifies the participant; a name, when given, must be theirs), or the filled
  template as an upload (multipart/form-data: data or file, dry_run), as ``…/results/upload``
- ``POST /api/v1/training/projects/{id}/results/confirm`` → ledger entries
- ``POST /api/v1/training/projects/{id}/approve`` {"approve": true|false} (a school-based plan)
- ``POST /api/v1/training/projects/{id}/results/{rid}/reject`` {"reason"} (a waiting row, results.reject_result)
- ``POST /api/v1/training/projects/{id}/results/{rid}/revoke`` {"reason"} (a confirmed row, corrections.revoke_result)
- ``GET  /api/v1/teachers/{tid}/credits?as_of=&start=&end=`` → {"total", "by_year", "by_category", "entries"}
- ``POST /api/v1/teachers/{tid}/credits/adjustments`` {category, credits, hours?, effective, reason} → 201, the entry
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response
from sqlalchemy.orm import Session

from modules.credits import bank as B
from modules.credits import projects as P
from modules.credits import results as R
from web.context import AppContext
from web.principal import Principal


@dataclass
class ProjectIn:
    name: str
    level: str
    type: str
    hours: float
    start: str
    end: str
    organiser: str | None = None
    institution_id: int | None = None


@dataclass
class ResultsUpload:
    data: UploadFile | None = None  # the filled template (.xlsx)
    dry_run: bool = False


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_LIMIT = 10 * 1024 * 1024 + 65536  # sheet.MAX_BYTES and the multipart's own bytes


def _download_name(fallback: str, name: str) -> str:
    """A download's file name: the project's own (RFC 6266 filename*, UTF-8), so an institution with
    several projects tells its templates apart, and an ASCII fallback for old clients."""
    from urllib.parse import quote

    clean = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in name)[:120]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


def _upload(db: Session, me: Principal, project_id: int, content: bytes | None, dry_run: bool,
            filename: str | None) -> Response[Any]:
    """The filled template, as …/results (multipart) and …/results/upload take it."""
    from modules.credits import sheet
    from web.errors import Refusal

    if content is None:
        raise Refusal("W552", detail="没有收到文件（表单字段 data）", detail_en="no file received (form field 'data')")
    summary, report = sheet.upload(db, me, project_id, content, dry_run=dry_run, filename=filename)
    if report is not None:
        return Response(report, status_code=422, media_type=XLSX,
                        headers={"content-disposition": f'attachment; filename="results-{project_id}-problems.xlsx"'})
    return Response(summary, status_code=200)


async def _json(request: Request) -> Any:
    """The body as JSON (sent as application/json it was checked already: W932, web/security/edge.py;
    sent under another type, or none, it is read here, with the same refusal in the same words)."""
    import json

    from web.errors import W_JSON_BAD, Refusal
    from web.security.edge import _short
    from web.security.wording import json_error

    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError) as exc:
        zh, en = json_error(_short(exc))
        raise Refusal(W_JSON_BAD, detail=zh, detail_en=en) from None


def _rows_in(body: Any) -> tuple[Any, bool]:
    """The JSON body's rows and dry_run (submit_results checks the rows themselves)."""
    from web.errors import Refusal

    if not isinstance(body, dict):
        raise Refusal("W552", detail="须为 {\"rows\": [...]} 形式的对象", detail_en='must be an object {"rows": [...]}')
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise Refusal("W552", detail="dry_run 须为 true 或 false", detail_en="dry_run must be true or false")
    return body.get("rows"), dry_run


@dataclass
class DecisionIn:
    approve: bool = True
    reason: Any = None          # required to reject (W720): the school reads it in the plan's row


@dataclass
class ReasonIn:
    reason: Any = None


def _reason(data: ReasonIn) -> str:
    if data.reason is not None and not isinstance(data.reason, str):
        from modules.credits import words as Wd
        from web.errors import Refusal

        raise Refusal(Wd.W_REVOKE_BODY, detail="reason 须为文字", detail_en="reason must be a string")
    return data.reason or ""


class TrainingController(Controller):
    path = "/api/v1/training/projects"
    tags = ["training credits"]

    @post("/", sync_to_thread=True, status_code=201, summary="Register a training project (an authority; a school its school-based plan)")
    def create(self, data: ProjectIn, db: Session, me: Principal) -> dict[str, Any]:
        return P.project_json(P.register_project(db, me, data.__dict__))

    @get("/", sync_to_thread=True, summary="Training projects you see (an institution: its own)")
    def index(self, db: Session, me: Principal) -> dict[str, Any]:
        return {"projects": P.list_projects(db, me)}

    @get("/{project_id:int}/results", sync_to_thread=True, summary="A project's results (masked ID numbers)")
    def results(self, project_id: int, db: Session, me: Principal) -> dict[str, Any]:
        return {"results": R.results_of(db, me, project_id)}

    @post("/{project_id:int}/results", status_code=200, request_max_body_size=UPLOAD_LIMIT,
          summary="Submit participants' results (JSON rows, or the filled template as an upload): all rows or none; "
                  "dry_run checks only",
          description="JSON body: {\"rows\": [{\"id_number\": \"…\" (a string), \"hours\": 24, \"passed\": true, "
                      "\"score\": optional 0–100, \"name\": optional}], \"dry_run\": false}. The ID number identifies "
                      "the participant among the teachers the project takes; a name, when sent, must be theirs. "
                      "Resubmitting a participant replaces a waiting or rejected result (confirmed ones: refused). "
                      "422 W548 lists each problem by row and column (W631 an ID sent as a number, W632 a wrong "
                      "check character, W633 a name that does not match). Or multipart/form-data with the filled "
                      "template in the field data (or file) and dry_run, as …/results/upload: 200 with the summary, "
                      "or 422 with the workbook, every problem written into its row.")
    async def submit(self, request: Request, project_id: int, db: Session, me: Principal) -> Response[Any]:
        from web.deps import run_unit_of_work

        if request.content_type[0] in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.form()
            file = form.get("data") or form.get("file")
            content = file.file.read(UPLOAD_LIMIT) if isinstance(file, UploadFile) else None
            name = file.filename if isinstance(file, UploadFile) else None
            dry = str(form.get("dry_run") or "").strip().lower() in ("1", "true", "on", "yes")
            return await run_unit_of_work(db, lambda: _upload(db, me, project_id, content, dry, name))
        rows, dry_run = _rows_in(await _json(request))
        return Response(await run_unit_of_work(db, lambda: R.submit_results(db, me, project_id, rows, dry_run=dry_run)))

    @get("/{project_id:int}/results/template.xlsx", sync_to_thread=True, summary="The results template of a project (xlsx)")
    def template(self, project_id: int, db: Session, me: Principal) -> Response[bytes]:
        from modules.credits import sheet

        content = sheet.template(db, me, project_id)
        name = R.project_for_submitter(db, me, project_id).name
        return Response(content, media_type=XLSX, headers={"content-disposition": _download_name(
            f"results-{project_id}.xlsx", f"{name}-成绩模板.xlsx")})

    @post("/{project_id:int}/results/upload", sync_to_thread=True, status_code=200,
          summary="Submit results from the filled template (multipart: data, dry_run): 200 with the summary, "
                  "or 422 with the workbook, every problem written into its row (nothing saved)")
    def upload(self, project_id: int, data: Annotated[ResultsUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
               db: Session, me: Principal) -> Response[Any]:
        content = data.data.file.read(UPLOAD_LIMIT) if isinstance(data.data, UploadFile) else None
        return _upload(db, me, project_id, content, bool(data.dry_run), getattr(data.data, "filename", None))

    @post("/{project_id:int}/results/confirm", sync_to_thread=True, status_code=200,
          summary="Confirm submitted results: credits under the province's rules into the credit bank")
    def confirm(self, project_id: int, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return R.confirm_results(db, me, project_id, root=ctx.settings.repo_root, cat=ctx.catalogue)

    @post("/{project_id:int}/results/{result_id:int}/reject", sync_to_thread=True, status_code=200,
          summary="Send one waiting result back to the institution with a reason (as the project page's 退回)")
    def reject(self, project_id: int, result_id: int, data: ReasonIn, db: Session, me: Principal) -> dict[str, Any]:
        return R.reject_result(db, me, project_id, result_id, _reason(data))

    @post("/{project_id:int}/results/{result_id:int}/revoke", sync_to_thread=True, status_code=200,
          summary="Revoke one confirmed result with a reason: a revoking ledger entry, its 国内培训 record removed")
    def revoke(self, project_id: int, result_id: int, data: ReasonIn, db: Session, ctx: AppContext,
               me: Principal) -> dict[str, Any]:
        from modules.credits import corrections

        return corrections.revoke_result(db, me, project_id, result_id, _reason(data), cat=ctx.catalogue)

    @post("/{project_id:int}/approve", sync_to_thread=True, status_code=200,
          summary="Approve or reject a school-based plan (the school's authority); rejecting needs a reason (W720)")
    def approve(self, project_id: int, data: DecisionIn, db: Session, me: Principal) -> dict[str, Any]:
        return P.project_json(P.decide_plan(db, me, project_id, data.approve, data.reason))


class BalancesController(Controller):
    path = "/api/v1/training/balances"
    tags = ["training credits"]

    @get("/", sync_to_thread=True, summary="Credit balances of the teachers in your scope, one page (year, cycle, category, as of)",
         description="Query: as_of (yyyy-MM-dd, not after today: the credits recorded in the bank by that day; "
                     "default today), year (2000 … this year; default the as_of's year), unit (the code of a unit "
                     "within your scope: its teachers only), q (part of a teacher's name; an ID number is refused, W420), offset (clamped to 0 …), "
                     "limit (clamped to 1 … 200). W553/W708/W709 as_of; W711 year; W713 unit; W712 any other parameter.")
    def balances(self, request: Request, db: Session, ctx: AppContext, me: Principal, as_of: str | None = None,
                 year: str | None = None, unit: str | None = None, q: str | None = None,
                 offset: int = 0, limit: int = 50) -> dict[str, Any]:
        from modules.credits import dates

        dates.known_params(request.query_params, ("as_of", "year", "unit", "q", "offset", "limit"))
        from web.errors import W_ID_IN_URL, Refusal
        from web.security import search

        if search.looks_like_id_number(q):  # as GET /api/v1/teachers: no ID number in an address (W420)
            raise Refusal(W_ID_IN_URL, field="q", path="/api/v1/teachers/search")
        day = P.parse_day(as_of)
        return B.balances_page(db, me, root=ctx.settings.repo_root, as_of=day, year=dates.year(year),
                               unit=unit, q=q, limit=limit, offset=min(max(offset, 0), 10**7))


class TeacherCreditsController(Controller):
    path = "/api/v1/teachers"
    tags = ["training credits"]

    @get("/{teacher_id:int}/credits", sync_to_thread=True,
         summary="A teacher's credit bank: total, by year and category, entries (as of a day)",
         description="Query: as_of (yyyy-MM-dd, not after today: the credits recorded in the bank by that day; "
                     "default today), start and end (the entries effective from … to, 2000-01-01 … today + 2 years, "
                     "start ≤ end). W553 not a date; W708 out of range; W709 as_of after today; W710 start after end; "
                     "W712 any other parameter.")
    def credits(self, request: Request, teacher_id: int, db: Session, me: Principal, as_of: str | None = None,
                start: str | None = None, end: str | None = None) -> dict[str, Any]:
        from modules.credits import dates

        dates.known_params(request.query_params, ("as_of", "start", "end"))
        low, high = dates.window(start, end)
        return B.teacher_credits(db, me, teacher_id, as_of=P.parse_day(as_of), start=low, end=high)

    @post("/{teacher_id:int}/credits/adjustments", sync_to_thread=True, status_code=201,
          summary="Adjust a teacher's credits (an authority's reviewer): an 'adjusted' entry, either sign, with its reason",
          description="Body: {\"category\": one of the province's credit categories, \"credits\": signed, non-zero, "
                      "at most 2 decimals, \"hours\": optional, signed, \"effective\": a date not after today, "
                      "\"reason\": 1–200 characters}. 201: the entry as GET …/credits lists it. W676 the category's "
                      "total would go below 0; W677 category; W678 another field (named); W679 not an authority's "
                      "reviewer over the teacher's school; W402 a teacher outside your scope (as GET …/credits).")
    def adjust(self, teacher_id: int, data: dict[str, Any], db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        from modules.credits import adjustments as A

        return A.entry_json(db, A.adjust(db, me, teacher_id, data, root=ctx.settings.repo_root))
