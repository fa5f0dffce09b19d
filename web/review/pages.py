"""HTML pages of the review module (server-rendered; plain forms, no script needed).

A refused action re-draws the same page with the message (Chinese, English available) and with
what the user typed (a 退回 reason is never lost); a successful one redirects (303) so a reload
does not repeat it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable
from urllib.parse import quote

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from web import permissions, privacy, scope
from web.security.edge import as_int
from web.context import AppContext
from web.db.models import Record, Teacher
from web.deps import lang_of, run_unit_of_work
from web.errors import W_BAD_REQUEST, Refusal
from web.pages.common import render
from web.security import search
from web.principal import Principal
from web.review import bulk
from web.review import changes as C
from web.review import progress as P
from web.review import queue as Q
from web.review import service as S
from web.review import naming
from web.review import words as W
from web.review.models import ReviewCase
from web.services import teachers as teacher_service

Form = dict[str, list[str]]
PAGE = 50


async def _form(request: Request) -> Form:
    data = await request.form()
    out: Form = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def _one(form: Form, key: str, default: str = "") -> str:
    return (form.get(key) or [default])[0]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _ints(values: list[str]) -> list[int]:
    return [i for i in (_int(v) for v in values) if i is not None]


def _back(url: str, msg: str) -> Redirect:
    sep = "&" if "?" in url else "?"
    return Redirect(path=f"{url}{sep}msg={quote(msg)}", status_code=303)


_run = run_unit_of_work


def _named(db: Session, me: Principal, results: list[Any], lang: str, *, cases: bool) -> list[dict[str, Any]]:
    """Bulk results for the page: each names its teacher (issue 20.7; ``id`` is a case's or a
    teacher's), within the reader's scope; an id outside it keeps only its message."""
    ids = [r.id for r in results]
    if cases:
        rows = db.execute(select(ReviewCase.id, Teacher.name).join(Teacher, Teacher.id == ReviewCase.teacher_id)
                          .where(ReviewCase.id.in_(ids), scope.teacher_filter(me, "teacher.read"))).all()
    else:
        rows = db.execute(select(Teacher.id, Teacher.name).where(Teacher.id.in_(ids),
                                                                 scope.teacher_filter(me, "teacher.read"))).all()
    names = dict(rows)
    return [{**r.json(), "name": names.get(r.id), "msg": r.message_en if lang == "en" else r.message}
            for r in results]


def _render(request: Request, db: Session, name: str, *, me: Principal, **context: Any) -> Template:
    """A review page, with ``can`` (web.permissions) for the actions it offers."""
    return render(request, name, me=me, can=permissions.Can(db, me), **context)


class ReviewPages(Controller):
    path = "/review"
    include_in_schema = False

    # ------------------------------------------------------------------ queue
    def _queue_page(self, request: Request, db: Session, ctx: AppContext, me: Principal, *,
                    error: Refusal | None = None, results: list[dict[str, Any]] | None = None,
                    done: str = "approve", reason: str = "") -> Template:
        qp = request.query_params
        page = max(1, _int(qp.get("page")) or 1)
        lang = lang_of(request)
        data = Q.queue(db, ctx.catalogue, me, unit_code=qp.get("unit") or None, kind=qp.get("kind") or None,
                       min_days=_int(qp.get("min_days")), max_days=_int(qp.get("max_days")),
                       limit=PAGE, offset=(page - 1) * PAGE, lang=lang, school=qp.get("school") or None)
        total = data["total"] or 0
        return _render(request, db, "review/queue.html", me=me, q=data, page=page, pages=max(1, -(-total // PAGE)),
                      filters={k: qp.get(k) or "" for k in ("unit", "school", "kind", "min_days", "max_days")},
                      schools=teacher_service.schools_in_scope(db, me),
                      kinds=[(k, W.word(W.KIND_WORDS, k, lang)) for k in W.KIND_WORDS], error=error,
                      results=results, done=done, reason=reason, msg=qp.get("msg"),
                      status_code=error.status if error else 200)

    @get("/", sync_to_thread=False)
    def home(self) -> Redirect:
        return Redirect(path="/review/queue", status_code=303)

    @get("/queue", sync_to_thread=True)
    def queue_page(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        return self._queue_page(request, db, ctx, me)

    @post("/queue/approve", status_code=200, media_type=MediaType.HTML)
    async def bulk_approve(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form = await _form(request)
        ids = _ints(form.get("case_ids", []))
        versions = {as_int(k[2:]): v for k, vs in form.items() if k.startswith("v_") and as_int(k[2:]) is not None
                    for v in _ints(vs)}
        results = await _run(db, lambda: S.bulk_approve(db, ctx.catalogue, me, ids, versions))
        lang = lang_of(request)
        return await anyio.to_thread.run_sync(lambda: self._queue_page(
            request, db, ctx, me, results=_named(db, me, results, lang, cases=True)))

    @post("/queue/reject", status_code=200, media_type=MediaType.HTML)
    async def bulk_reject(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        """批量退回 with one reason (a missing reason: the page again, with what was typed)."""
        form = await _form(request)
        ids = _ints(form.get("case_ids", []))
        versions = {int(k[2:]): v for k, vs in form.items() if k.startswith("v_") and k[2:].isdigit()
                    for v in _ints(vs)}
        reason = _one(form, "reason")
        lang = lang_of(request)
        try:
            results = await _run(db, lambda: bulk.bulk_reject(db, ctx.catalogue, me, ids, reason, versions))
        except Refusal as r:
            return await anyio.to_thread.run_sync(lambda: self._queue_page(request, db, ctx, me, error=r,
                                                                           reason=reason))
        return await anyio.to_thread.run_sync(lambda: self._queue_page(
            request, db, ctx, me, results=_named(db, me, results, lang, cases=True), done="reject"))

    # ------------------------------------------------------------------ one case
    def _case_page(self, request: Request, db: Session, ctx: AppContext, me: Principal, case_id: int, *,
                   error: Refusal | None = None, reason: str = "") -> Template:
        detail = Q.case_detail(db, ctx.catalogue, me, case_id, lang_of(request))
        return _render(request, db, "review/case.html", me=me, c=detail, error=error, reason=reason,
                      msg=request.query_params.get("msg"), status_code=error.status if error else 200)

    @get("/cases/{case_id:int}", sync_to_thread=True)
    def case(self, case_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        return self._case_page(request, db, ctx, me, case_id)

    @post("/cases/{case_id:int}/{action:str}", status_code=200, media_type=MediaType.HTML)
    async def case_action(self, case_id: int, action: str, request: Request, db: Session, ctx: AppContext,
                          me: Principal) -> Any:
        form = await _form(request)
        version = _int(_one(form, "version"))
        reason = _one(form, "reason")
        cat = ctx.catalogue
        actions: dict[str, Callable[[], Any]] = {
            "approve": lambda: S.approve(db, cat, me, case_id, version=version),
            "reject": lambda: S.reject(db, cat, me, case_id, reason, version=version),
            "submit": lambda: C.submit_change(db, cat, me, case_id),
            "discard": lambda: C.discard_change(db, cat, me, case_id),
        }
        if action not in actions:
            raise Refusal(W_BAD_REQUEST, detail=action)
        try:
            case = await _run(db, actions[action])
        except Refusal as r:
            return await anyio.to_thread.run_sync(
                lambda: self._case_page(request, db, ctx, me, case_id, error=r, reason=reason))
        lang = lang_of(request)
        done = {"approve": ("已审核通过", "Approved"), "reject": ("已退回", "Sent back"),
                "submit": ("已报送", "Submitted"), "discard": ("已撤回变更申请", "Change request discarded")}[action]
        target = f"/review/files/{case.teacher_id}" if action in ("submit", "discard") else f"/review/cases/{case_id}"
        return _back(target, done[1] if lang == "en" else done[0])

    # ------------------------------------------------------------------ one file
    def _file_page(self, request: Request, db: Session, ctx: AppContext, me: Principal, teacher_id: int, *,
                   error: Refusal | None = None) -> Template:
        lang = lang_of(request)
        status = Q.file_status(db, ctx.catalogue, me, teacher_id, lang=lang)
        records = []
        if status["state"] == W.APPROVED:
            cat = ctx.catalogue
            family = db.get(Teacher, teacher_id).unit.school_type
            rows = [r for r in db.scalars(select(Record).where(Record.teacher_id == teacher_id,
                                                               Record.copy_of_id.is_(None)))
                    if r.set_key in cat.sets]
            own = C.own_file(me, teacher_id)  # a teacher corrects only the sets the teacher fills
            for r in naming.sorted_records(cat, family, rows):
                if own and not cat.sets[r.set_key].teacher_fills_any():
                    continue
                records.append({"id": r.id, "set": r.set_key, "set_label": cat.sets[r.set_key].label.get(lang),
                                "many": cat.sets[r.set_key].cardinality == "many",
                                "name": " · ".join(naming.record_parts(cat, family, r.set_key, r.document, lang)),
                                "position": r.position, "state": r.state,
                                "state_label": W.word(W.STATE_WORDS, r.state, lang)})
        return _render(request, db, "review/file.html", me=me, f=status, records=records, error=error,
                      msg=request.query_params.get("msg"), status_code=error.status if error else 200)

    @get("/files/{teacher_id:int}", sync_to_thread=True)
    def file(self, teacher_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        return self._file_page(request, db, ctx, me, teacher_id)

    @post("/files/{teacher_id:int}/{action:str}", status_code=200, media_type=MediaType.HTML)
    async def file_action(self, teacher_id: int, action: str, request: Request, db: Session, ctx: AppContext,
                          me: Principal) -> Any:
        form = await _form(request)
        cat = ctx.catalogue
        actions: dict[str, Callable[[], Any]] = {
            "submit": lambda: S.submit(db, cat, me, teacher_id),
            "additions": lambda: C.submit_additions(db, cat, me, teacher_id),
            "change": lambda: C.open_change(db, cat, me, teacher_id, _ints(form.get("record_ids", [])),
                                            delete=_one(form, "delete") == "1"),
        }
        if action not in actions:
            raise Refusal(W_BAD_REQUEST, detail=action)
        try:
            case = await _run(db, actions[action])
        except Refusal as r:
            return await anyio.to_thread.run_sync(lambda: self._file_page(request, db, ctx, me, teacher_id, error=r))
        if action == "change":
            return Redirect(path=f"/review/cases/{case.id}", status_code=303)
        return _back(f"/review/files/{teacher_id}", "已报送" if lang_of(request) != "en" else "Submitted")

    # ------------------------------------------------------------------ a copy (复本)
    def _copy_page(self, request: Request, db: Session, ctx: AppContext, me: Principal, copy_id: int, *,
                   error: Refusal | None = None, typed: dict[str, Any] | None = None) -> Template:
        lang = lang_of(request)
        copy = db.get(Record, copy_id)
        if copy is None or copy.copy_of_id is None:
            raise Refusal(W.W_CASE_NOT_FOUND)
        teacher = scope.get_teacher(db, me, copy.teacher_id, "teacher.read")
        cat = ctx.catalogue
        view = cat.view(copy.set_key, teacher.unit.school_type)
        original = db.get(Record, copy.copy_of_id)
        reader = privacy.policy(db, me, teacher)
        values = reader.record(cat, copy.set_key, typed if typed is not None else copy.document)
        before = reader.record(cat, copy.set_key, original.document if original else {})
        fields = []
        for f in view.fields:
            if f.spec.type in ("derived", "photo", "attachment"):
                continue
            v = values.get(f.key)
            masked = reader.masks(cat, copy.set_key, f.key)
            options = [(c, f.codes.label(c, lang)) for c in f.codes.options()] \
                if f.codes is not None and not masked else None
            fields.append({"key": f.key, "label": f.label(lang), "value": "" if v is None else v,
                           "original": before.get(f.key), "masked": masked,
                           "options": options, "multi": f.spec.type == "codes", "type": f.spec.type})
        reader.audit(db, "review.copy", copy=copy.id)
        case_id = db.scalar(select(ReviewCase.id).where(ReviewCase.teacher_id == copy.teacher_id,
                                                        ReviewCase.kind == "change")
                            .order_by(ReviewCase.id.desc()).limit(1))
        return _render(request, db, "review/copy.html", me=me, copy=copy, teacher=teacher, fields=fields,
                      set_label=cat.sets[copy.set_key].label.get(lang), case_id=case_id, error=error,
                      violations=getattr(error, "violations", None), status_code=error.status if error else 200)

    @get("/copies/{copy_id:int}", sync_to_thread=True)
    def copy(self, copy_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        return self._copy_page(request, db, ctx, me, copy_id)

    @post("/copies/{copy_id:int}", status_code=200, media_type=MediaType.HTML)
    async def save_copy(self, copy_id: int, request: Request, db: Session, ctx: AppContext, me: Principal) -> Any:
        form = await _form(request)
        cat = ctx.catalogue

        def work() -> Any:
            copy = db.get(Record, copy_id)
            if copy is None or copy.copy_of_id is None:
                raise Refusal(W.W_CASE_NOT_FOUND)
            teacher = db.get(Teacher, copy.teacher_id)
            validator = cat.validator(copy.set_key, teacher.unit.school_type if teacher else None)
            raw: dict[str, Any] = {}
            for f in validator.view.fields:
                if f.key in form:
                    vals = [v for v in form[f.key] if v != ""]
                    raw[f.key] = vals if f.spec.type == "codes" else (vals[0] if vals else None)
            record, problems = validator.coerce(raw)
            if problems:
                raise C.Invalid(S.violations_json(problems, cat))
            merged = {**copy.document, **record}
            for k, v in raw.items():
                if v is None:
                    merged[k] = None
            C.save_record(db, cat, me, copy.teacher_id, copy.set_key, merged, record_id=copy.id,
                          version=_int(_one(form, "version")), require_version=True)
            return copy
        typed = {k: (v if len(v) > 1 else v[0]) for k, v in form.items() if not k.startswith("_")}
        try:
            copy = await _run(db, work)
        except Refusal as r:
            return await anyio.to_thread.run_sync(
                lambda: self._copy_page(request, db, ctx, me, copy_id, error=r, typed=typed))
        case_id = await anyio.to_thread.run_sync(lambda: db.scalar(
            select(ReviewCase.id).where(ReviewCase.teacher_id == copy.teacher_id, ReviewCase.kind == "change")
            .order_by(ReviewCase.id.desc()).limit(1)))
        return _back(f"/review/cases/{case_id}", "已保存" if lang_of(request) != "en" else "Saved")

    # ------------------------------------------------------------------ school: files and bulk 报送
    def _school_page(self, request: Request, db: Session, me: Principal, *,
                     results: list[dict[str, Any]] | None = None) -> Template:
        permissions.require(me, "review.submit_page")
        qp = request.query_params
        page = max(1, _int(qp.get("page")) or 1)
        lang = lang_of(request)
        q, q_token = search.query(request.app.state.ctx, me, qp.get("q"))  # a token in the URL
        total, items = teacher_service.listing(db, me, state=qp.get("state") or None, q=q or None,
                                               limit=PAGE, offset=(page - 1) * PAGE)
        for i in items:
            i["state_label"] = W.word(W.STATE_WORDS, i["state"], lang)
        windows = P.windows_for(db, me.unit_id)
        return _render(request, db, "review/school.html", me=me, items=items, total=total, page=page,
                      pages=max(1, -(-total // PAGE)), windows=windows, results=results,
                      filters={"state": qp.get("state") or "", "q": q, "q_token": q_token},
                      states=[(k, W.word(W.STATE_WORDS, k, lang)) for k in
                              (W.UNSUBMITTED, W.PENDING, W.APPROVED, W.REJECTED)], msg=qp.get("msg"))

    @get("/school", sync_to_thread=True)
    def school(self, request: Request, db: Session, me: Principal) -> Template:
        return self._school_page(request, db, me)

    @post("/school", status_code=303)
    async def school_search(self, request: Request, ctx: AppContext, me: Principal) -> Any:
        """The search form posts what was typed (an ID number stays out of the URL)."""
        return search.redirect("/review/school", ctx, me, await _form(request), ("state",))

    @post("/school/submit", status_code=200, media_type=MediaType.HTML)
    async def bulk_submit(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form = await _form(request)
        ids = _ints(form.get("teacher_ids", []))
        results = await _run(db, lambda: S.bulk_submit(db, ctx.catalogue, me, ids))
        lang = lang_of(request)
        return await anyio.to_thread.run_sync(lambda: self._school_page(
            request, db, me, results=_named(db, me, results, lang, cases=False)))

    # ------------------------------------------------------------------ progress and windows
    def _progress_page(self, request: Request, db: Session, me: Principal, *, error: Refusal | None = None) -> Template:
        data = P.progress(db, me, request.query_params.get("unit") or None, lang=lang_of(request))
        return _render(request, db, "review/progress.html", me=me, p=data, error=error, today=date.today().isoformat(),
                      msg=request.query_params.get("msg"))

    @get("/progress", sync_to_thread=True)
    def progress(self, request: Request, db: Session, me: Principal) -> Template:
        return self._progress_page(request, db, me)

    @post("/windows", status_code=200, media_type=MediaType.HTML)
    async def open_window(self, request: Request, db: Session, me: Principal) -> Any:
        form = await _form(request)
        try:
            due = date.fromisoformat(_one(form, "due_on"))
            await _run(db, lambda: P.open_window(db, me, _one(form, "unit_code"), _one(form, "title"), due,
                                                  title_en=_one(form, "title_en") or None))
        except (Refusal, ValueError) as r:
            error = r if isinstance(r, Refusal) else Refusal(W_BAD_REQUEST, detail="截止日期应为 YYYY-MM-DD",
                                                                               detail_en="the due date must be YYYY-MM-DD")
            return await anyio.to_thread.run_sync(lambda: self._progress_page(request, db, me, error=error))
        return _back("/review/progress", "已开启采集" if lang_of(request) != "en" else "Window opened")
