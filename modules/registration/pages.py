"""The pages of 教师资格定期注册 (server-rendered, plain forms): /registration lists the
applications waiting for the caller, the warning list of its scope (a school's 信息管理员 ticks
teachers there and applies) and every application it may see; /registration/batches/<id> shows
one application with each teacher's conditions and the acting step's decision form. A refused
action re-draws the page with the message; a done one redirects (303)."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from modules.registration import batch as B
from modules.registration import eligibility as EL
from modules.registration import mine as M
from modules.registration import warnings as WR
from modules.registration import words as W
from web.cases import service as CS
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of, run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.permissions import denied
from web.principal import Principal
from web.security.edge import as_int


async def _form(request: Request) -> dict[str, Any]:
    data = await request.form()
    return {"teacher_ids": [v for k, v in data.multi_items() if k == "teacher_id" and isinstance(v, str)],
            **{k: v for k, v in data.items() if isinstance(v, str)}}


class RegistrationPages(Controller):
    path = "/registration"
    include_in_schema = False

    def _list(self, request: Request, db: Session, ctx: AppContext, me: Principal, *,
              error: Refusal | None = None) -> Template:
        if me.kind != "staff" or not me.has("teacher.read"):   # as the menu entry asks
            raise denied(me, "teacher.read")
        waiting, every = B.listing(db, me, "mine"), B.listing(db, me)
        B.audit_read(db, me, every + [b for b in waiting if b not in every])
        unit = db.get(Unit, me.unit_id)
        may_apply = bool(unit is not None and me.kind == "staff" and CS.may_start(me, B.workflow(ctx), unit))
        # the warning list of a school or a county at once; above, of the unit asked for (?unit=):
        # a city's or a province's whole list is long and slow to compute on every visit
        asked = (request.query_params.get("unit") or "").strip() or None
        as_of = request.query_params.get("as_of")
        if asked or (unit is not None and unit.level in ("school", "county")):
            warned = WR.warning_list(db, ctx, me, asked, as_of)
        else:
            warned = None
        # applications are judged as of today (B.apply: W717 otherwise): looking at another day,
        # the page lists but offers no application, and says so
        other_day = bool((as_of or "").strip()) and (as_of or "").strip() != B.today().isoformat()
        apply_elsewhen = may_apply and other_day
        may_apply = may_apply and not other_day
        # a school's teachers who are due and meet the conditions: ticked, or all at once
        ready = WR.warning_list(db, ctx, me, None, as_of, eligible=True)["teachers"] if may_apply else []
        return render(request, "registration/list.html", me=me, waiting=[B.batch_json(db, me, b, with_apps=False) for b in waiting],
                      every=[B.batch_json(db, me, b, with_apps=False) for b in every], warned=warned, ready=ready,
                      units=WR.units_to_filter(db, me), as_of=(as_of or "").strip()[:10], may_apply=may_apply, asked=asked or "",
                      warn_months=EL.rules_for(ctx).warn_months, apply_elsewhen=apply_elsewhen, today=B.today().isoformat(), error=error,
                      msg=B.page_message(None, request.query_params.get("msg"), lang_of(request)),
                      status_code=error.status if error else 200)

    @get("/", sync_to_thread=True)
    def list_page(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template | Redirect:
        if me.kind == "teacher":   # a teacher's registration is its own page
            return Redirect(path="/registration/mine", status_code=303)
        return self._list(request, db, ctx, me)

    @get("/mine", sync_to_thread=True)
    def mine_page(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        """我的注册: the signed-in teacher's cycle, conditions and applications (mine.py)."""
        error, mine = None, None
        try:
            mine = M.my_registration(db, ctx, me, request.query_params.get("as_of"))
        except Refusal as r:
            if me.kind != "teacher" or r.status != 422:   # a bad as-of date: the page again with its message
                raise
            error, mine = r, M.my_registration(db, ctx, me)
        return render(request, "registration/mine.html", me=me, r=mine, error=error,
                      status_code=error.status if error else 200)

    @post("/apply", status_code=200, media_type=MediaType.HTML)
    async def apply(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Any:
        form = await _form(request)
        try:
            # "²".isdigit() too; digits past INT32 (or int()'s 4300) name no teacher: 0, W402
            ids = [as_int(t) or 0 for t in form["teacher_ids"] if t.isascii() and t.isdigit()]
            as_of = form.get("as_of") or None
            if form.get("all_eligible") == "1":
                batch = await run_unit_of_work(db, lambda: B.apply_all_eligible(db, ctx, me, as_of))
            else:
                batch = await run_unit_of_work(db, lambda: B.apply(db, ctx, me, ids, as_of))
        except Refusal as r:
            error = r   # the lambda outlives the except block's name
            return await anyio.to_thread.run_sync(lambda: self._list(request, db, ctx, me, error=error))
        return Redirect(path=f"/registration/batches/{batch.id}?msg=applied", status_code=303)

    def _batch(self, request: Request, db: Session, me: Principal, batch_id: int, *,
               error: Refusal | None = None, typed: dict | None = None) -> Template:
        batch = B.get(db, me, batch_id)
        B.audit_read(db, me, [batch])
        return render(request, "registration/batch.html", me=me, b=B.batch_json(db, me, batch),
                      decisions=[(k, v[1] if lang_of(request) != "en" else v[2]) for k, v in W.DECISIONS.items()],
                      error=error, typed=typed or {},
                      msg=B.page_message(batch, request.query_params.get("msg"), lang_of(request)),
                      status_code=error.status if error else 200)

    @get("/batches/{batch_id:int}", sync_to_thread=True)
    def batch_page(self, batch_id: int, request: Request, db: Session, me: Principal) -> Template:
        return self._batch(request, db, me, batch_id)

    @post("/batches/{batch_id:int}/decide", status_code=200, media_type=MediaType.HTML)
    async def decide(self, batch_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> Any:
        form = await _form(request)
        items = [{"teacher_id": k.split("-", 1)[1], "decision": v, "reason": form.get(f"reason-{k.split('-', 1)[1]}", "")}
                 for k, v in form.items() if k.startswith("decision-") and v]
        typed_version = str(form.get("version", "")).strip()
        # the page's own version, else (typed over, "abc", 5000 digits) one no batch has: W584, nothing saved
        version = (as_int(typed_version) if as_int(typed_version) is not None else -1) if typed_version else None
        forward = form.get("forward") == "1"

        def work() -> Any:
            B.decide(db, ctx, me, batch_id, items, version)
            if forward:
                B.forward(db, ctx, me, batch_id)
        try:
            await run_unit_of_work(db, work)
        except Refusal as r:
            error = r
            typed = {k: str(v) for k, v in form.items() if k.startswith(("decision-", "reason-"))}  # redrawn as typed
            return await anyio.to_thread.run_sync(lambda: self._batch(request, db, me, batch_id, error=error, typed=typed))
        return Redirect(path=f"/registration/batches/{batch_id}?msg={'forwarded' if forward else 'saved'}", status_code=303)
