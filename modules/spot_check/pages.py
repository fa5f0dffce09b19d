"""Pages of the spot checks: /spot-checks/ (the list, and the form that draws one) and
/spot-checks/<id> (seed, population, items with their results, the forms to verify and publish).
A refused form re-draws its page with the message and what was typed; a done one redirects (303)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from modules.spot_check import present as P
from modules.spot_check import service as S
from modules.spot_check import words as W
from web.db.models import Unit
from web.deps import lang_of, run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


class SpotCheckPages(Controller):
    path = "/spot-checks"
    include_in_schema = False

    def _list(self, request: Request, db: Session, me: Principal, *, error: Refusal | None = None,
              typed: dict[str, str] | None = None) -> Template:
        lang = lang_of(request)
        checks = [P.summary_json(db, me, c, lang) for c in S.listing(db, me)]
        return render(request, "spot_check/list.html", me=me, checks=checks, may_draw=P.may_draw(db, me),
                      unit=db.get(Unit, me.unit_id), kinds=W.KINDS, error=error, typed=typed or {},
                      max_size=W.MAX_SIZE, status_code=error.status if error else 200)

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, me: Principal) -> Template:
        return self._list(request, db, me)

    @post("/", status_code=200, media_type=MediaType.HTML)
    async def create(self, request: Request, db: Session, me: Principal) -> Any:
        form = await _form(request)

        def work() -> Any:
            return S.draw(db, me, kind=form.get("kind", ""), size=form.get("size", ""), seed=form.get("seed"),
                          title=form.get("title", "")).id
        try:
            check_id = await run_unit_of_work(db, work)
        except Refusal as r:
            return await anyio.to_thread.run_sync(lambda: self._list(request, db, me, error=r, typed=form))
        return Redirect(path=f"/spot-checks/{check_id}", status_code=303)

    def _check(self, request: Request, db: Session, me: Principal, check_id: int, *, error: Refusal | None = None,
               typed: dict[str, str] | None = None) -> Template:
        lang = lang_of(request)
        c = P.check_json(db, me, S.get(db, me, check_id), lang, verify=request.query_params.get("verify") == "1")
        db.commit()  # the read's audit entry
        return render(request, "spot_check/check.html", me=me, c=c, results=W.RESULTS, error=error,
                      typed=typed or {}, msg=request.query_params.get("msg"),
                      status_code=error.status if error else 200)

    @get("/{check_id:int}", sync_to_thread=True)
    def one(self, check_id: int, request: Request, db: Session, me: Principal) -> Template:
        return self._check(request, db, me, check_id)

    @post("/{check_id:int}/items/{item_id:int}", status_code=200, media_type=MediaType.HTML)
    async def record(self, check_id: int, item_id: int, request: Request, db: Session, me: Principal) -> Any:
        form = await _form(request)
        try:
            await run_unit_of_work(db, lambda: S.record(db, me, check_id, item_id, form.get("result", ""),
                                                        form.get("note")))
        except Refusal as r:
            return await anyio.to_thread.run_sync(
                lambda: self._check(request, db, me, check_id, error=r, typed={**form, "item": str(item_id)}))
        done = "已记录" if lang_of(request) != "en" else "Recorded"
        return Redirect(path=f"/spot-checks/{check_id}?msg={quote(done)}#item-{item_id}", status_code=303)

    @post("/{check_id:int}/publish", status_code=200, media_type=MediaType.HTML)
    async def publish(self, check_id: int, request: Request, db: Session, me: Principal) -> Any:
        form = await _form(request)
        try:
            await run_unit_of_work(db, lambda: S.publish(db, me, check_id, form.get("summary")))
        except Refusal as r:
            return await anyio.to_thread.run_sync(lambda: self._check(request, db, me, check_id, error=r, typed=form))
        done = "已通报" if lang_of(request) != "en" else "Published"
        return Redirect(path=f"/spot-checks/{check_id}?msg={quote(done)}", status_code=303)
