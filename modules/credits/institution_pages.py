"""The page 培训机构 (/credits/institutions/): an authority's data staff register a training
institution; its system administrator creates the institution's accounts (培训机构管理员), whose
initial password is shown once (no-store), as on 用户权限管理 (so that page is drawn at the POST's
address). A registered institution redirects (303) to the page by GET, which names it (?registered=<id>,
one of the caller's unit's institutions). Refusals re-draw the page with their message."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from modules.credits import institutions as I
from modules.credits import projects as P
from modules.credits import words as Wd
from web.context import AppContext
from web.db.models import Unit
from web.deps import run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal


def _page(request: Request, db: Session, me: Principal, *, status_code: int = 200, registered_id: int = 0,
          **context: Any) -> Template:
    may = I.rights(db, me)
    institutions = I.listing(db, me)  # the caller's unit's: the one just registered is named from here
    registered = next((i["name"] for i in institutions if i["id"] == registered_id), None)
    response = render(request, "credits/institutions.html", me=me, me_unit=db.get(Unit, me.unit_id), may=may,
                      institutions=institutions, registered=registered, status_code=status_code, **context)
    response.headers["cache-control"] = "no-store"   # an initial password may be on it
    return response


def _id(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else 0


async def _form(request: Request) -> dict[str, str]:
    return {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}


class InstitutionPages(Controller):
    path = "/credits/institutions"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, me: Principal, registered: str | None = None) -> Template:
        return _page(request, db, me, registered_id=_id(registered))

    @post("/new", status_code=303, media_type=MediaType.HTML)
    async def register(self, request: Request, db: Session, me: Principal) -> Template | Redirect:
        form = await _form(request)

        def work() -> Redirect:  # the page by GET: a reload registers nothing again
            inst = P.register_institution(db, me, form.get("name", ""))
            return Redirect(path=f"/credits/institutions/?registered={inst.id}", status_code=303)
        return await self._run(request, db, me, work, form)

    @post("/{institution_id:int}/accounts", status_code=200, media_type=MediaType.HTML)
    async def create_account(self, request: Request, db: Session, ctx: AppContext, me: Principal,
                             institution_id: int) -> Template:
        form = await _form(request)

        def work() -> Template:
            account, issued = I.create_account(db, ctx, me, institution_id, username=form.get("username", ""),
                                               real_name=form.get("real_name", ""), phone=form.get("phone") or None)
            return _page(request, db, me, issued={"username": account.username, "real_name": account.real_name,
                                                  "password": issued})
        return await self._run(request, db, me, work, form, institution_id)

    async def _run(self, request: Request, db: Session, me: Principal, work: Any, form: dict[str, str],
                   institution_id: int = 0) -> Template | Redirect:
        try:
            return await run_unit_of_work(db, work)
        except Refusal as ref:
            import anyio

            error = ref
            # an account form's refusal is shown in that institution's form, filled in (once, not
            # also above the page); the register form's above the page, its name kept
            in_form = institution_id and error.code != Wd.W_INSTITUTION_NOT_FOUND and error.status != 403
            kept = ({"account_error": error, "account_for": institution_id, "account_form": form} if in_form
                    else {"error": error, "form": form})
            return await anyio.to_thread.run_sync(lambda: _page(request, db, me, status_code=error.status, **kept))
