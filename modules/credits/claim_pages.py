"""Pages of self-study claims (自主研修): the teacher files and corrects claims on 我的学分 (the
forms post here and come back to /credits/); the school and its authority see /credits/claims/,
the claims of their scope with their evidence, and review (通过 / 退回 with a reason) or confirm
them. The same service functions as the API (modules/credits/claims.py)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from modules.credits import claims as K
from web.context import AppContext
from web.db.models import Unit
from web.deps import run_unit_of_work
from web.pages.common import render
from web.principal import Principal

BODY_LIMIT = K.MAX_BYTES + 256 * 1024


async def _claim_form(request: Request) -> tuple[dict[str, Any], str, bytes | None]:
    form = await request.form()
    upload = form.get("file")
    content = upload.file.read(K.MAX_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else None
    data = {k: form.get(k) for k in ("title", "start", "end", "hours", "description")}
    return data, (upload.filename if isinstance(upload, UploadFile) else "") or "", content


def _page(request: Request, db: Session, me: Principal, status_code: int = 200, **context: Any) -> Template:
    return render(request, "credits/claims.html", me=me, me_unit=db.get(Unit, me.unit_id),
                  waiting=K.staff_list(db, me, "waiting"), claims=K.staff_list(db, me), status_code=status_code,
                  **context)


class ClaimPages(Controller):
    path = "/credits/claims"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, me: Principal) -> Template:
        return _page(request, db, me)

    @post("/", status_code=303, request_max_body_size=BODY_LIMIT)
    async def submit(self, request: Request, db: Session, me: Principal) -> Redirect:
        data, name, content = await _claim_form(request)

        def work() -> Redirect:
            claim = K.submit(db, me, data, name, content)
            return Redirect(path=f"/credits/?claim={claim.id}#claims", status_code=303)

        return await run_unit_of_work(db, work)

    @post("/{claim_id:int}", status_code=303, request_max_body_size=BODY_LIMIT)
    async def resubmit(self, request: Request, db: Session, me: Principal, claim_id: int) -> Redirect:
        data, name, content = await _claim_form(request)

        def work() -> Redirect:
            K.resubmit(db, me, claim_id, data, name, content)
            return Redirect(path=f"/credits/?claim={claim_id}#claims", status_code=303)

        return await run_unit_of_work(db, work)

    @post("/{claim_id:int}/review", sync_to_thread=True, status_code=200, media_type=MediaType.HTML)
    def review(self, request: Request, db: Session, me: Principal, claim_id: int,
               data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]) -> Template:
        claim = K.review(db, me, claim_id, data.get("decision") == "approve", str(data.get("reason") or ""))
        return _page(request, db, me, done=K.claim_json(claim))

    @post("/{claim_id:int}/confirm", sync_to_thread=True, status_code=200, media_type=MediaType.HTML)
    def confirm(self, request: Request, db: Session, ctx: AppContext, me: Principal, claim_id: int) -> Template:
        claim = K.confirm(db, me, claim_id, root=ctx.settings.repo_root, cat=ctx.catalogue)
        return _page(request, db, me, done=K.claim_json(claim))

