"""管理端: the school's teacher list (search, filter by state and completeness) and the
completeness check (完整性检测) on one teacher or many, with links to the places to fix."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from web import audit, permissions, scope
from web.security.edge import as_int
from web.context import AppContext
from web.db.models import Record, Teacher
from web.deps import lang_of, run_unit_of_work
from web.forms import service
from web.forms.i18n import STATE_KEYS, state_label, t
from web.forms.pages import read_form
from web.pages.common import render
from web.security import search
from web.principal import Principal
from web.services import teacher_delete
from web.services import teachers as teacher_service

PAGE = 50
FILTER_CAP = 5000  # a completeness filter looks at this many teachers at most (a school has far fewer)

# teacher id → (fingerprint, catalogue version, errors, warnings); a cache, never the truth
_CACHE: dict[tuple[str, int], tuple[Any, str, int, int]] = {}


def load_files(db: Session, cat: Catalogue, principal: Principal, ids: list[int]) -> dict[int, service.TeacherFile]:
    """Many files in two queries (teachers, records), through the scope filter."""
    if not ids:
        return {}
    teachers = db.scalars(scope.teachers(principal).where(Teacher.id.in_(ids))).all()
    files = {tc.id: service.TeacherFile(tc, cat.family_of(tc.unit.school_type), {}) for tc in teachers}
    rows = db.scalars(scope.records(principal).where(Record.teacher_id.in_(list(files)), Record.copy_of_id.is_(None))
                      .order_by(Record.teacher_id, Record.set_key, Record.position, Record.id)).all()
    for r in rows:
        files[r.teacher_id].records.setdefault(r.set_key, []).append(r)
    return files


def summaries(db: Session, ctx: AppContext, principal: Principal, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(errors, warnings) per teacher, from the cache when the file has not changed."""
    cat: Catalogue = ctx.catalogue
    key_db = ctx.settings.database_url
    prints = service.fingerprint(db, principal, ids)
    out: dict[int, tuple[int, int]] = {}
    todo = []
    for tid in ids:
        hit = _CACHE.get((key_db, tid))
        if hit and hit[0] == prints.get(tid) and hit[1] == cat.version:
            out[tid] = (hit[2], hit[3])
        else:
            todo.append(tid)
    for start in range(0, len(todo), 200):
        chunk = todo[start:start + 200]
        for tid, tf in load_files(db, cat, principal, chunk).items():
            c = service.completeness(cat, tf)
            _CACHE[(key_db, tid)] = (prints.get(tid), cat.version, c.errors, c.warnings)
            out[tid] = (c.errors, c.warnings)
    return out


class AdminPages(Controller):
    path = "/forms"
    include_in_schema = False

    @get("/teachers", sync_to_thread=True)
    def teacher_list(self, request: Request, db: Session, ctx: AppContext, me: Principal, q: str = "",
                     complete: str = "", page: int = 1, school: str = "") -> Template:
        lang = lang_of(request)
        q, q_token = search.query(ctx, me, q)  # the search travels as a token (web/security/search.py)
        state = request.query_params.get("state") or ""  # 'state' is a reserved parameter name in Litestar
        scope.require(me, "teacher.read")
        page = max(page, 1)
        if complete in ("yes", "no"):
            total, items = teacher_service.listing(db, me, q=q or None, state=state or None, limit=FILTER_CAP,
                                                   school=school or None)
            sums = summaries(db, ctx, me, [i["id"] for i in items])
            want_ok = complete == "yes"
            items = [i for i in items if (sums[i["id"]][0] == 0) == want_ok]
            total = len(items)
            items = items[(page - 1) * PAGE: page * PAGE]
        else:
            total, items = teacher_service.listing(db, me, q=q or None, state=state or None, limit=PAGE,
                                                   offset=(page - 1) * PAGE, school=school or None)
            sums = summaries(db, ctx, me, [i["id"] for i in items])
        for i in items:
            i["errors"], i["warnings"] = sums.get(i["id"], (None, None))
            i["state_label"] = state_label(i["state"], lang)
        states = [(k, state_label(k, lang)) for k in STATE_KEYS]
        return render(request, "forms/teachers.html", me=me, items=items, total=total, q=q, q_token=q_token, state=state,
                      deleted=request.query_params.get("deleted") == "1", school=school,
                      schools=teacher_service.schools_in_scope(db, me),
                      complete=complete, page=page, pages=max((total + PAGE - 1) // PAGE, 1), states=states,
                      can=permissions.Can(db, me),
                      export_sets=[(k, spec.label.get(lang)) for k, spec in
                                   sorted(ctx.catalogue.sets.items(), key=lambda kv: (kv[1].order, kv[0]))])

    @post("/teachers", status_code=303)
    async def teacher_search(self, request: Request, ctx: AppContext, me: Principal) -> Any:
        """The search form posts what was typed (an ID number stays out of the URL)."""
        return search.redirect("/forms/teachers", ctx, me, await read_form(request), ("state", "complete", "school"))

    @get("/teachers/{tid:int}/completeness", sync_to_thread=True)
    def check_one(self, request: Request, tid: int, db: Session, ctx: AppContext, me: Principal) -> Template:
        scope.get_teacher(db, me, tid)  # a teacher outside the scope is 'not found', not an empty page
        return self._check(request, [tid], db, ctx, me)

    @post("/completeness", status_code=200)
    async def check_many(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form = await read_form(request)
        ids = [i for i in (as_int(v) for v in form.get("teacher", [])) if i is not None]
        return await anyio.to_thread.run_sync(lambda: self._check(request, ids, db, ctx, me))

    def _check(self, request: Request, ids: list[int], db: Session, ctx: AppContext, me: Principal) -> Template:
        lang = lang_of(request)
        cat: Catalogue = ctx.catalogue
        if me.kind == "teacher":
            ids = [i for i in ids if i == me.teacher_id]
        scope.require(me, "teacher.read")
        files = load_files(db, cat, me, service.teacher_ids_in_scope(db, me, ids))
        results = []
        for tid in ids:
            tf = files.get(tid)
            if tf is None:
                continue
            c = service.completeness(cat, tf, lang)
            prints = service.fingerprint(db, me, [tid])
            _CACHE[(ctx.settings.database_url, tid)] = (prints.get(tid), cat.version, c.errors, c.warnings)
            results.append(c)
        if results:
            audit.record(db, "teacher.completeness", actor=me, target_type="teacher",
                         target_id=results[0].teacher.id if len(results) == 1 else None,
                         detail={"teachers": [c.teacher.id for c in results],
                                 "incomplete": sum(1 for c in results if not c.complete)})
        checks = [verdict(cat, me, files[c.teacher.id], c, lang) for c in results]
        ok = sum(1 for v in checks if v["ok"])
        return render(request, "forms/completeness.html", me=me, checks=checks,
                      summary=t("checked_n", lang, n=len(results), ok=ok, bad=len(results) - ok))


    # ------------------------------------------------------------------ 删除 a file entered by mistake
    @get("/teachers/{tid:int}/delete", sync_to_thread=True)
    def confirm_delete(self, request: Request, tid: int, db: Session, me: Principal) -> Template:
        """Asks before deleting (the refusal, when the file may not be deleted, says why)."""
        teacher = teacher_delete.check(db, me, tid)
        records = db.scalar(select(func.count()).select_from(Record).where(Record.teacher_id == tid)) or 0
        return render(request, "forms/delete_teacher.html", me=me, teacher=teacher, records=records)

    @post("/teachers/{tid:int}/delete", status_code=303)
    async def delete_file(self, request: Request, tid: int, db: Session, me: Principal) -> Redirect:
        await run_unit_of_work(db, lambda: teacher_delete.delete_file(db, me, tid))
        return Redirect(path="/forms/teachers?deleted=1", status_code=303)


VERDICT_STATE = {"unsubmitted": "open", "rejected": "open", "pending": "pending", "approved": "approved"}


def verdict(cat: Catalogue, me: Principal, tf: service.TeacherFile, c: service.Completeness,
            lang: str) -> dict[str, Any]:
    """One file's check as its reader needs it: the problems the reader can fix (with links), the
    others (a teacher reading the sets the school fills: information, not the teacher's errors)
    and a headline that says what is true for the file's state."""
    mine = [p for p in c.problems if me.kind != "teacher" or p.set_key not in cat.sets
            or service.may_edit_set(me, cat.sets[p.set_key], tf.teacher)]
    others = [p for p in c.problems if p not in mine]
    errors = sum(1 for p in mine if p.severity == "error")
    state = VERDICT_STATE.get(tf.teacher.state, "open")
    key = f"verdict_{state}_{'ok' if errors == 0 else 'bad'}"
    if state == "open" and me.kind == "teacher":
        key += "_teacher"
    return {"c": c, "mine": mine, "others": others, "errors": errors, "ok": errors == 0,
            "headline": t(key, lang, n=errors), "state": state}
