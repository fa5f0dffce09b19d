"""Pages of self-study claims (自主研修): the teacher files and corrects claims on 我的学分 (the
forms post here and come back to /credits/); the school and its authority see /credits/claims/,
the claims of their scope with their evidence, and review (通过 / 退回 with a reason) or confirm
them. The same service functions as the API (modules/credits/claims.py)."""

from __future__ import annotations

from typing import Any, Callable

import anyio

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from modules.credits import claim_words as Wc
from modules.credits import claims as K
from web.context import AppContext
from web.db.models import Unit
from web.deps import run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal

# A file up to four times the limit still reaches the page, which refuses it (W653, naming the
# 5 MB limit) beside the form, filled in; past that the framework refuses the request (W730 naming
# the form's limit, from the route's opt: web/security/errorlog.py).
BODY_LIMIT = 4 * K.MAX_BYTES + 256 * 1024
UPLOAD_OPT = {"upload_limit": f"{K.MAX_BYTES // (1024 * 1024)} MB"}
FIELDS = ("title", "start", "end", "hours", "description")
# the claim form's refusals, and the field each is shown beside
FILE_CODES = (Wc.W_EVIDENCE_MISSING, Wc.W_EVIDENCE_TYPE, Wc.W_EVIDENCE_SIZE)
FIELD_OF = {"title": "title", "start/end": "dates", "hours": "hours", "description": "description"}


async def _claim_form(request: Request) -> tuple[dict[str, Any], str, bytes | None]:
    form = await request.form()
    upload = form.get("file")
    content = upload.file.read(K.MAX_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else None
    data = {k: str(form.get(k) or "")[:2000] for k in FIELDS}
    return data, (upload.filename if isinstance(upload, UploadFile) else "") or "", content


def form_field(refusal: Refusal) -> str | None:
    """The claim form's field a refusal is about (None: not the form's refusal)."""
    if refusal.code in FILE_CODES:
        return "file"
    if refusal.code == Wc.W_CLAIM_FIELD:
        return FIELD_OF.get(str(refusal.args_.get("field_en")), "title")
    from modules.credits import bound_words as Wb  # dates out of range, hours beyond the days, the same claim twice

    return {Wb.W_DATE_RANGE: "dates", Wb.W_HOURS_PER_DAY: "hours", Wb.W_DUPLICATE_CLAIM: "title"}.get(refusal.code)


async def _refused(request: Request, db: Session, ctx: AppContext, me: Principal, refusal: Refusal,
                   data: dict[str, Any], claim_id: int | None = None) -> Template:
    """我的学分 again, the claim form (or the returned claim's form) filled in as sent, the refusal
    beside the field it names; the file must be chosen again (browsers do not keep it)."""
    field = form_field(refusal)
    if field is None:
        raise refusal  # not the form's (an account that is not a teacher, a claim not found …)
    from modules.credits.pages import mine_page

    kept = {"claim_form": data} if claim_id is None else {"resubmit_form": {claim_id: data}}
    return await anyio.to_thread.run_sync(lambda: mine_page(
        request, db, ctx, me, status_code=refusal.status, claim_error=refusal, claim_field=field,
        claim_error_for=claim_id or 0, **kept))


def _page(request: Request, db: Session, me: Principal, status_code: int = 200, done: int = 0,
          **context: Any) -> Template:
    """The claims of the caller's scope; ``done``: the claim just reviewed or confirmed (the POST
    redirects here with ?done=<id>), its state read from the database, never from the address."""
    claims = K.staff_list(db, me)
    return render(request, "credits/claims.html", me=me, me_unit=db.get(Unit, me.unit_id),
                  waiting=K.staff_list(db, me, "waiting"), claims=claims, status_code=status_code,
                  done=next((c for c in claims if c["id"] == done), None) if done else None,
                  review_error=context.pop("review_error", None), review_for=context.pop("review_for", 0),
                  review_reason=context.pop("review_reason", ""), **context)


def _done(claim_id: int) -> Redirect:
    return Redirect(path=f"/credits/claims/?done={claim_id}#claim-done", status_code=303)


async def _decide(request: Request, db: Session, me: Principal, claim_id: int, reason: str,
                  act: Callable[[], Any]) -> Redirect | Template:
    """A reviewer's decision on one claim from the list (review, confirm, send back): done, to the
    list by GET; refused for want of a reason (W656), the list again with the message in the
    claim's row beside its reason field, the reason typed kept."""
    def work() -> Redirect:
        act()
        return _done(claim_id)

    try:
        return await run_unit_of_work(db, work)
    except Refusal as refusal:
        if refusal.code != Wc.W_CLAIM_REASON:
            raise
        return await anyio.to_thread.run_sync(lambda: _page(
            request, db, me, status_code=refusal.status, review_error=refusal, review_for=claim_id,
            review_reason=reason))


class ClaimPages(Controller):
    path = "/credits/claims"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, me: Principal, done: str | None = None) -> Template:
        return _page(request, db, me, done=int(done) if done and done.isascii() and done.isdigit()
                     and len(done) < 10 else 0)

    @post("/", status_code=303, request_max_body_size=BODY_LIMIT, media_type=MediaType.HTML, opt=UPLOAD_OPT)
    async def submit(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Redirect | Template:
        data, name, content = await _claim_form(request)

        def work() -> Redirect:
            claim = K.submit(db, me, data, name, content)
            return Redirect(path=f"/credits/?claim={claim.id}#claims", status_code=303)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:
            return await _refused(request, db, ctx, me, refusal, data)

    @post("/{claim_id:int}", status_code=303, request_max_body_size=BODY_LIMIT, media_type=MediaType.HTML,
          opt=UPLOAD_OPT)
    async def resubmit(self, request: Request, db: Session, ctx: AppContext, me: Principal,
                       claim_id: int) -> Redirect | Template:
        data, name, content = await _claim_form(request)

        def work() -> Redirect:
            K.resubmit(db, me, claim_id, data, name, content)
            return Redirect(path=f"/credits/?claim={claim_id}#claims", status_code=303)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:
            return await _refused(request, db, ctx, me, refusal, data, claim_id)

    @post("/{claim_id:int}/review", status_code=303, media_type=MediaType.HTML)
    async def review(self, request: Request, db: Session, me: Principal, claim_id: int) -> Redirect | Template:
        form = await request.form()
        approve, reason = form.get("decision") == "approve", str(form.get("reason") or "")[:500]
        return await _decide(request, db, me, claim_id, reason, lambda: K.review(db, me, claim_id, approve, reason))

    @post("/{claim_id:int}/confirm", status_code=303, media_type=MediaType.HTML)
    async def confirm(self, request: Request, db: Session, ctx: AppContext, me: Principal,
                      claim_id: int) -> Redirect | Template:
        form = await request.form()
        back, reason = form.get("decision") == "return", str(form.get("reason") or "")[:500]

        def act() -> Any:
            if back:  # the authority returns it to the teacher instead (claims.send_back)
                return K.send_back(db, me, claim_id, reason)
            return K.confirm(db, me, claim_id, root=ctx.settings.repo_root, cat=ctx.catalogue)

        return await _decide(request, db, me, claim_id, reason, act)
