"""Pages of the mobility cases (server-rendered, plain forms): per kind a list (waiting for me,
then every case I may see) with the form that starts one, and the case page with its steps,
its log and the actions the caller may take. Names everywhere, never ids. A refused action
re-draws the page with the message and what was typed; a done one redirects (303)."""

from __future__ import annotations

from typing import Any, Callable

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.orm import Session
from urllib.parse import quote

from engine import idnumber
from web import scope
from web.cases import service as S
from web.cases import words as C
from web.context import AppContext
from web.db.models import Teacher, Unit
from web.deps import lang_of, run_unit_of_work
from web.errors import W_BAD_REQUEST, Refusal
from web.pages.common import render
from web.principal import Principal



async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _page(request: Request, slug: str) -> S.PageKind:
    """The kind listed at /cases/<slug>, as its module registered it (S.register_pages), if that
    module is one of this app's (a module deleted or switched off has no pages)."""
    page = S.PAGES.get(slug)
    if page is None or page.module not in {m.key for m in request.app.state.modules.modules}:
        raise Refusal(C.W_CASE_NOT_FOUND)
    return page


def _kind(request: Request, slug: str) -> tuple[str, str, str]:
    page = _page(request, slug)
    return page.kind, page.zh, page.en


def own_teacher(db: Session, me: Principal, id_number: str, name: str) -> int:
    """A teacher of the caller's own units by ID number and name (rotations, status changes); the
    number as typed is read through the one normalisation of ID numbers (engine.idnumber)."""
    teacher = db.scalar(scope.teachers(me, "record.edit").where(Teacher.id_number == idnumber.normalize(id_number),
                                                                 Teacher.name == name.strip()))
    if teacher is None:
        raise Refusal(C.W_PERSON_NOT_FOUND)
    return teacher.id


def _start(page: S.PageKind, db: Session, ctx: AppContext, me: Principal, form: dict[str, str]) -> Any:
    return page.start(db, ctx, me, form)


class CasePages(Controller):
    path = "/cases"
    include_in_schema = False

    def _list(self, request: Request, db: Session, ctx: AppContext, me: Principal, slug: str, *,
              error: Refusal | None = None, typed: dict[str, str] | None = None) -> Template:
        page = _page(request, slug)
        kind, zh, en = page.kind, page.zh, page.en
        lang = lang_of(request)
        extra = page.extra(db, ctx, me, lang) if page.extra is not None else {}
        waiting, all_cases = S.listing(db, me, kind, "mine"), S.listing(db, me, kind)
        S.audit_read(db, me, all_cases + [c for c in waiting if c not in all_cases])
        mine = [S.case_json(db, me, c, lang) for c in waiting]
        every = [S.case_json(db, me, c, lang) for c in all_cases]
        unit = db.get(Unit, me.unit_id)
        wf = S.workflows(None, ctx.settings.province).get(kind)
        may_start = bool(wf and unit and S.may_start(me, wf, unit)) and extra.pop("startable", True)
        from web.people import words as P

        changes = [(k, c.zh if lang != "en" else c.en) for k, c in P.CHANGES.items()]
        return render(request, "cases/list.html", me=me, slug=slug, title=en if lang == "en" else zh, mine=mine,
                      every=every, may_start=may_start, unit=unit, error=error, typed=typed or {},
                      changes=changes, msg=request.query_params.get("msg"),
                      status_code=error.status if error else 200, **extra)

    @get("/{slug:str}", sync_to_thread=True)
    def list_page(self, slug: str, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        return self._list(request, db, ctx, me, slug)

    @post("/{slug:str}", status_code=200, media_type=MediaType.HTML)
    async def start(self, slug: str, request: Request, db: Session, ctx: AppContext, me: Principal) -> Any:
        page = _page(request, slug)
        form = await _form(request)
        try:
            case = await run_unit_of_work(db, lambda: _start(page, db, ctx, me, form))
        except Refusal as r:
            return await anyio.to_thread.run_sync(lambda: self._list(request, db, ctx, me, slug, error=r, typed=form))
        if isinstance(case, str):  # the kind went elsewhere (a request to another province: its list)
            return Redirect(path=case, status_code=303)
        return Redirect(path=f"/cases/{slug}/{case.id}", status_code=303)

    def _case(self, request: Request, db: Session, me: Principal, slug: str, case_id: int, *,
              error: Refusal | None = None, reason: str = "") -> Template:
        kind, zh, en = _kind(request, slug)
        case = S.get(db, me, case_id, kind)
        S.audit_read(db, me, [case])
        c = S.case_json(db, me, case, lang_of(request))
        return render(request, "cases/case.html", me=me, slug=slug, list_title=en if lang_of(request) == "en" else zh,
                      c=c, error=error, reason=reason, msg=request.query_params.get("msg"),
                      status_code=error.status if error else 200)

    @get("/{slug:str}/{mobility_case_id:int}", sync_to_thread=True)
    def case_page(self, slug: str, mobility_case_id: int, request: Request, db: Session, me: Principal) -> Template:
        return self._case(request, db, me, slug, mobility_case_id)

    @post("/{slug:str}/{mobility_case_id:int}/{action:str}", status_code=200, media_type=MediaType.HTML)
    async def act(self, slug: str, mobility_case_id: int, action: str, request: Request, db: Session, ctx: AppContext,
                  me: Principal) -> Any:
        kind, _, _ = _kind(request, slug)
        case_id = mobility_case_id
        if action not in S.ACTION_WORDS or action == "start":
            raise Refusal(W_BAD_REQUEST, detail=action)
        form = await _form(request)
        reason = form.get("reason", "")
        version = int(form["version"]) if form.get("version", "").isdigit() else None

        def work() -> Any:
            S.get(db, me, case_id, kind)
            return S.act(db, ctx.catalogue, me, case_id, action, reason=reason, version=version,
                         province=ctx.settings.province)
        try:
            await run_unit_of_work(db, work)
        except Refusal as r:
            return await anyio.to_thread.run_sync(
                lambda: self._case(request, db, me, slug, case_id, error=r, reason=reason))
        words = S.ACTION_WORDS[action]
        done = ("已" + words[0]) if lang_of(request) != "en" else words[1].capitalize()
        return Redirect(path=f"/cases/{slug}/{case_id}?msg={quote(done)}", status_code=303)
