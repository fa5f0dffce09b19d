"""HTML pages of a teacher's file: one page per set, record forms, HTMX fragments, photo upload.

Handlers are thin: read the request, call ``web.forms.service`` (scope, permissions, audit) and
``web.forms.viewmodel`` (what to draw), render. Form posts are read in the event loop and the
database work runs in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from engine.fieldtypes import is_empty
from engine.validate import SetView
from web import privacy
from web.context import AppContext
from web.deps import lang_of
from web.errors import W_BAD_REQUEST, W_NO_PERMISSION, Refusal
from web.forms import locks
from web.forms import photo as photos
from web.forms import service
from web.forms.i18n import state_label, t
from web.forms.viewmodel import (FormModel, Input, build_form, check_input, code_label, dom_id, read_input,
                                 search_options, text_of)
from web.pages.common import render
from web.principal import Principal
from web.services import teacher_delete

FormData = dict[str, list[str]]
MAX_PHOTO_VALUE = 120_000  # a processed photo as a data URL is well below this


async def read_form(request: Request) -> FormData:
    data = await request.form()
    out: FormData = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def _cat(ctx: AppContext) -> Catalogue:
    return ctx.catalogue


def _set_or_404(cat: Catalogue, tf: service.TeacherFile, set_key: str) -> None:
    if set_key not in cat.set_keys(tf.family):
        raise Refusal(W_BAD_REQUEST, detail=f"no set '{set_key}'")


@dataclass
class Urls:
    base: str
    set_key: str
    record_id: int | None
    new: bool = False

    @property
    def set_base(self) -> str:
        return self.base + "/sets"

    @property
    def set(self) -> str:
        return f"{self.base}/sets/{self.set_key}"

    @property
    def save(self) -> str:
        if self.record_id is not None:
            return f"{self.set}/records/{self.record_id}"
        return f"{self.set}/new" if self.new else self.set

    @property
    def refresh(self) -> str:
        return f"{self.set}/refresh"

    @property
    def validate(self) -> str:
        return f"{self.set}/validate"

    @property
    def photo(self) -> str:
        return f"{self.set}/photo"

    @property
    def back(self) -> str | None:
        return self.set if (self.record_id is not None or self.new) else None


def _urls(tf: service.TeacherFile, set_key: str, record_id: int | None = None, new: bool = False) -> Urls:
    return Urls(f"/forms/teachers/{tf.teacher.id}", set_key, record_id, new)


# why a record (or the set, record=None) cannot be written now, by the review module's refusal code
LOCK_WORDS = {"W601": "locked_pending", "W602": "locked_approved"}


def _locked_reason(db: Session, cat: Catalogue, me: Principal, tf: service.TeacherFile, set_key: str, lang: str,
                   record: Any = None) -> str | None:
    """The reason shown above a read-only form or table (None: nothing to explain)."""
    if not service.may_edit_set(me, cat.sets[set_key], tf.teacher):
        return t("read_only_set", lang) if me.kind == "teacher" else None
    refusal = service.review_refusal(db, cat, tf.teacher, set_key, record)
    if refusal is None:
        return None
    if refusal.code == "W601" and tf.teacher.state != "pending":
        return t("addition_pending", lang)  # a new record of an approved file, under review
    return t(LOCK_WORDS.get(refusal.code, "locked_approved"), lang)


def _review_note(cat: Catalogue, me: Principal, tf: service.TeacherFile, set_key: str, lang: str) -> dict[str, str] | None:
    """On an approved file, a repeating set the user fills: say where new records go next."""
    spec = cat.sets[set_key]
    if tf.teacher.state != "approved" or spec.cardinality != "many" or not service.may_edit_set(me, spec, tf.teacher):
        return None
    return {"text": t("approved_note_teacher" if me.kind == "teacher" else "approved_note", lang),
            "href": f"/review/files/{tf.teacher.id}", "link": t("to_review_page", lang)}


def _masked(cat: Catalogue, db: Session, me: Principal, tf: service.TeacherFile, set_key: str,
            record: Mapping[str, Any]) -> dict[str, Any]:
    """Personal values as the reader may see them (web.privacy decides)."""
    return privacy.policy(db, me, tf.teacher).record(cat, set_key, record)


def _set_writable(db: Session, cat: Catalogue, me: Principal, tf: service.TeacherFile, set_key: str) -> bool:
    """May the user write something in this set now: add a record (repeating set) or save its only
    record (single set)."""
    spec = cat.sets[set_key]
    rows = tf.rows(set_key)
    record = rows[0] if spec.cardinality == "one" and rows else None
    return service.may_write(db, cat, me, tf.teacher, set_key, record)


def _nav(db: Session, cat: Catalogue, me: Principal, tf: service.TeacherFile, lang: str) -> list[dict[str, Any]]:
    out = []
    for key in cat.set_keys(tf.family):
        spec = cat.sets[key]
        rows = tf.rows(key)
        out.append({"key": key, "label": spec.label.get(lang), "editable": _set_writable(db, cat, me, tf, key),
                    "count": len(rows) if spec.cardinality == "many" else None})
    return out


FILLED_BY = {"teacher": "filled_by_teacher", "school": "filled_by_school", "authority": "filled_by_authority"}


def _page_context(db: Session, cat: Catalogue, me: Principal, tf: service.TeacherFile, set_key: str, lang: str,
                  record: Any = None) -> dict[str, Any]:
    """What every page of a set draws; ``record`` is the record shown on a record page (None: the
    set's page, or a new record)."""
    spec = cat.sets[set_key]
    if record is None and spec.cardinality == "one":
        rows = tf.rows(set_key)
        record = rows[0] if rows else None
    return {
        "teacher": tf.teacher, "set_key": set_key, "page_title": spec.label.get(lang),
        "set_help": spec.help.get(lang) if spec.help else None,
        "filled_by_label": t(FILLED_BY[spec.filled_by], lang),
        "nav": _nav(db, cat, me, tf, lang), "state_label": state_label(tf.teacher.state, lang),
        "editable": service.may_write(db, cat, me, tf.teacher, set_key, record),
        "locked_reason": _locked_reason(db, cat, me, tf, set_key, lang, record),
        "review_note": _review_note(cat, me, tf, set_key, lang),
        "deletable": teacher_delete.deletable(db, me, tf.teacher),  # 删除档案 (a file entered by mistake)
    }


def _context(cat: Catalogue, tf: service.TeacherFile, set_key: str, record_id: int | None) -> Any:
    """A function giving (sibling records, whole file, index) with the record in place, so the
    engine sees the file as it would be after saving (cross-record and cross-set rules)."""
    base = tf.engine_file(cat)
    ids = [r.id for r in tf.rows(set_key)]
    one = cat.sets[set_key].cardinality == "one"

    def place(record: Mapping[str, Any]) -> tuple[Any, Any, Any]:
        file = dict(base)
        if one:
            file[set_key] = dict(record)
            return None, file, None
        siblings = list(base[set_key])
        index = ids.index(record_id) if record_id in ids else len(siblings)
        if index == len(siblings):
            siblings.append(dict(record))
        else:
            siblings[index] = dict(record)
        file[set_key] = siblings
        return siblings, file, index

    return place


def _check(cat: Catalogue, tf: service.TeacherFile, set_key: str, record_id: int | None, inp: Input,
           fill_defaults: bool = False) -> Any:
    validator = cat.validator(set_key, tf.family)
    return check_input(validator, inp, context=_context(cat, tf, set_key, record_id), fill_defaults=fill_defaults)


def _sanitize_photos(view: SetView, inp: Input, stored: Mapping[str, Any]) -> None:
    """A photo value must be the one on record or a photo made to the field's rule (by this
    server's cropper): anything else sent keeps what is on record."""
    for f in view.fields:
        if f.spec.type != "photo" or f.key not in inp.raw:
            continue
        value = inp.raw[f.key]
        if value and value != stored.get(f.key) and (
                len(value) > MAX_PHOTO_VALUE or f.spec.photo is None or not photos.conforms(value, f.spec.photo)):
            inp.raw[f.key] = stored.get(f.key)


def _stored(tf: service.TeacherFile, set_key: str, cat: Catalogue, record_id: int | None) -> tuple[dict[str, Any], int | None, int | None]:
    """(document, record id, version) of the record being edited; a single set's only row."""
    rows = tf.rows(set_key)
    if cat.sets[set_key].cardinality == "one":
        if rows:
            return dict(rows[0].document), rows[0].id, rows[0].version
        return {}, None, None
    if record_id is None:
        return {}, None, None
    row = tf.row(set_key, record_id)
    return dict(row.document), row.id, row.version


def _form_model(cat: Catalogue, db: Session, me: Principal, tf: service.TeacherFile, set_key: str, *,
                record: Mapping[str, Any], lang: str, typed: Mapping[str, Any] | None = None,
                violations: Any = (), touched: set[str] | None = None, version: int | None,
                record_id: int | None) -> FormModel:
    spec = cat.sets[set_key]
    row = _row_or_none(tf, set_key, record_id)
    editable = service.may_write(db, cat, me, tf.teacher, set_key, row)
    stored = dict(row.document) if row is not None else {}
    locked = locks.locked_fields(me, tf.teacher, spec, stored) if editable else {}
    if locked:  # drawn as they stand, whatever a refused request carried
        record = {**record, **{k: lock.current for k, lock in locked.items()}}
        typed = {k: v for k, v in (typed or {}).items() if k not in locked}
    siblings, file, _ = _context(cat, tf, set_key, record_id)(record)
    shown_record = _masked(cat, db, me, tf, set_key, record)
    fm = build_form(cat, set_key, tf.family, record=shown_record, typed=typed, violations=violations, lang=lang,
                    editable=editable, file=file, records=siblings, touched=touched, version=version,
                    record_id=record_id if spec.cardinality == "many" else None)
    return _lock_form(fm, locked, lang)


def _lock_form(fm: FormModel, locked: Mapping[str, locks.Lock], lang: str) -> FormModel:
    """Fields the caller may not change (web.forms.locks, the rule the save applies): drawn as text
    with the reason beside them, and never posted back."""
    for f in fm.fields:
        lock = locked.get(f.key)
        if lock is not None:
            f.readonly, f.lock_reason = True, lock.reason(lang)
    return fm


def _row_or_none(tf: service.TeacherFile, set_key: str, record_id: int | None) -> Any:
    """The stored row a form edits (a single set's only row); None for a new record."""
    if record_id is None:
        return None
    try:
        return tf.row(set_key, record_id)
    except service.NotFound:
        return None


def _photo_rule(cat: Catalogue, family: str, set_key: str, lang: str) -> str:
    """The set's photo rule in words (the field's ``photo:``), shown beside the upload."""
    rule = next((f.spec.photo for f in cat.view(set_key, family).fields if f.spec.type == "photo"), None)
    return t("photo_rule", lang, rule=rule.describe(lang)) if rule is not None else ""


def _banner(request: Request, lang: str) -> dict[str, str] | None:
    q = request.query_params
    if q.get("saved"):
        warn = int(q.get("warn") or 0)
        if warn:
            return {"kind": "warn", "text": t("saved_with_warnings", lang, n=warn)}
        return {"kind": "ok", "text": t("saved", lang)}
    if q.get("deleted"):
        return {"kind": "ok", "text": t("deleted", lang)}
    return None


def _columns(cat: Catalogue, set_key: str, family: str, lang: str) -> list[Any]:
    fields = [f for f in cat.view(set_key, family).fields if f.spec.type not in ("attachment", "photo", "derived")]
    return fields[:6]


def _cell(f: Any, value: Any, lang: str) -> str:
    if is_empty(value):
        return ""
    if f.spec.type == "boolean":
        return t("yes" if value else "no", lang)
    if f.spec.type == "codes":
        return "、".join(code_label(f.codes, c, lang) for c in value)
    if f.spec.type == "code":
        return code_label(f.codes, value, lang)
    return text_of(value)


class FormPages(Controller):
    path = "/forms"
    include_in_schema = False

    # ------------------------------------------------------------------ entry points
    @get("/me", sync_to_thread=False)
    def my_file(self, me: Principal) -> Redirect:
        if me.teacher_id is None:
            return Redirect(path="/forms/teachers", status_code=303)
        return Redirect(path=f"/forms/teachers/{me.teacher_id}/sets/basic", status_code=303)

    @get("/teachers/{tid:int}", sync_to_thread=False)
    def file_home(self, tid: int) -> Redirect:
        return Redirect(path=f"/forms/teachers/{tid}/sets/basic", status_code=303)

    # ------------------------------------------------------------------ set pages
    @get("/teachers/{tid:int}/sets/{set_key:str}", sync_to_thread=True)
    def set_page(self, request: Request, tid: int, set_key: str, db: Session, ctx: AppContext,
                 me: Principal) -> Template:
        cat, lang = _cat(ctx), lang_of(request)
        tf = service.load_file(db, cat, me, tid)
        _set_or_404(cat, tf, set_key)
        page = _page_context(db, cat, me, tf, set_key, lang)
        if any(f.spec.personal for f in cat.view(set_key, tf.family).fields):
            service.audit_read(db, me, tf.teacher, set_key)
        spec = cat.sets[set_key]
        if spec.cardinality == "one":
            record, rid, version = _stored(tf, set_key, cat, None)
            if page["editable"]:
                # fields never filled yet are offered their defaults (国籍 中国, 人员状态 在本单位任职 …)
                defaults = cat.validator(set_key, tf.family).defaults(file=tf.engine_file(cat))
                record = {**{k: v for k, v in defaults.items() if k not in record}, **record}
            form = _form_model(cat, db, me, tf, set_key, record=record, lang=lang, version=version,
                               record_id=rid, violations=(), touched=set())
            return render(request, "forms/set_one.html", me=me, form=form, u=_urls(tf, set_key),
                          banner=_banner(request, lang), photo_rule=_photo_rule(cat, tf.family, set_key, lang), **page)
        validator = cat.validator(set_key, tf.family)
        columns = _columns(cat, set_key, tf.family, lang)
        file = tf.engine_file(cat)
        rows = []
        for i, r in enumerate(tf.rows(set_key)):
            doc = _masked(cat, db, me, tf, set_key, r.document)
            errs = [v for v in validator.validate(r.document, records=file[set_key], file=file, index=i)
                    if v.severity == "error"]
            none = validator.is_none_record(r.document)
            rows.append({"id": r.id, "version": r.version, "is_none": none, "errors": len(errs),
                         "editable": service.may_write(db, cat, me, tf.teacher, set_key, r),
                         "state": r.state, "state_label": _record_state(tf.teacher.state, r.state, lang),
                         "none_text": _none_text(cat, set_key, tf.family, lang),
                         "cells": [_cell(f, doc.get(f.key), lang) for f in columns]})
        return render(request, "forms/set_many.html", me=me, rows=rows,
                      columns=[{"key": f.key, "label": f.label(lang)} for f in columns],
                      banner=_banner(request, lang), **page)

    @get("/teachers/{tid:int}/sets/{set_key:str}/new", sync_to_thread=True)
    def new_record(self, request: Request, tid: int, set_key: str, db: Session, ctx: AppContext,
                   me: Principal) -> Template:
        cat, lang = _cat(ctx), lang_of(request)
        tf = service.load_file(db, cat, me, tid)
        _set_or_404(cat, tf, set_key)
        service.require_edit(db, me, cat.sets[set_key], tf.teacher, cat=cat)
        record = cat.validator(set_key, tf.family).defaults(file=tf.engine_file(cat))
        form = _form_model(cat, db, me, tf, set_key, record=record, lang=lang, version=None, record_id=None,
                           touched=set())
        page = _page_context(db, cat, me, tf, set_key, lang)
        return render(request, "forms/record.html", me=me, form=form, u=_urls(tf, set_key, new=True),
                      record_title=t("new_record", lang), photo_rule=_photo_rule(cat, tf.family, set_key, lang), **page)

    @get("/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}", sync_to_thread=True)
    def edit_record(self, request: Request, tid: int, set_key: str, rid: int, db: Session, ctx: AppContext,
                    me: Principal) -> Template:
        cat, lang = _cat(ctx), lang_of(request)
        tf = service.load_file(db, cat, me, tid)
        _set_or_404(cat, tf, set_key)
        try:
            record, rid_, version = _stored(tf, set_key, cat, rid)
        except service.NotFound:
            raise Refusal(W_BAD_REQUEST, detail=f"no record {rid}") from None
        if any(f.spec.personal for f in cat.view(set_key, tf.family).fields):
            service.audit_read(db, me, tf.teacher, set_key)
        # show the engine's verdict on a stored record at once (it may predate a rule change)
        inp = Input(dict(record), {})
        checked = _check(cat, tf, set_key, rid, inp)
        form = _form_model(cat, db, me, tf, set_key, record=record, lang=lang, version=version, record_id=rid_,
                           violations=checked.violations, touched={k for k, v in record.items() if not is_empty(v)})
        page = _page_context(db, cat, me, tf, set_key, lang, _row_or_none(tf, set_key, rid_))
        index = [r.id for r in tf.rows(set_key)].index(rid) + 1
        return render(request, "forms/record.html", me=me, form=form, u=_urls(tf, set_key, rid),
                      record_title=t("record_n", lang, n=index), photo_rule=_photo_rule(cat, tf.family, set_key, lang), **page)

    # ------------------------------------------------------------------ saving
    @post("/teachers/{tid:int}/sets/{set_key:str}", status_code=200)
    async def save_one(self, request: Request, tid: int, set_key: str, db: Session, ctx: AppContext,
                       me: Principal) -> Response:
        form = await read_form(request)
        return await anyio.to_thread.run_sync(lambda: self._save(request, tid, set_key, None, form, db, ctx, me))

    @post("/teachers/{tid:int}/sets/{set_key:str}/new", status_code=200)
    async def save_new(self, request: Request, tid: int, set_key: str, db: Session, ctx: AppContext,
                       me: Principal) -> Response:
        form = await read_form(request)
        return await anyio.to_thread.run_sync(lambda: self._save(request, tid, set_key, None, form, db, ctx, me, new=True))

    @post("/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}", status_code=200)
    async def save_record(self, request: Request, tid: int, set_key: str, rid: int, db: Session, ctx: AppContext,
                          me: Principal) -> Response:
        form = await read_form(request)
        return await anyio.to_thread.run_sync(lambda: self._save(request, tid, set_key, rid, form, db, ctx, me))

    def _save(self, request: Request, tid: int, set_key: str, rid: int | None, form: FormData, db: Session,
              ctx: AppContext, me: Principal, new: bool = False) -> Response:
        cat, lang = _cat(ctx), lang_of(request)
        tf = service.load_file(db, cat, me, tid)
        _set_or_404(cat, tf, set_key)
        spec = cat.sets[set_key]
        if spec.cardinality == "many" and rid is None and not new:
            raise Refusal(W_BAD_REQUEST, detail="use /new or /records/<id>")
        try:
            stored, rid, current_version = _stored(tf, set_key, cat, rid)
        except service.NotFound:
            raise Refusal(W_BAD_REQUEST, detail=f"no record {rid}") from None
        version = _int(form.get("_version", [""])[0])
        inp = read_input(cat.view(set_key, tf.family), form, stored)
        _sanitize_photos(cat.view(set_key, tf.family), inp, stored)
        checked = _check(cat, tf, set_key, rid, inp)
        banner = None
        status = 422
        try:
            # the review state decides per record (service.require_edit): on an approved file a new
            # record of a repeating set is an addition; an approved record is refused (W602)
            row, violations = service.save(db, cat, me, tf, set_key, checked.record, record_id=rid,
                                           version=version, violations=checked.violations)
        except Refusal as refusal:
            if refusal.code not in LOCK_WORDS:
                raise
            # locked meanwhile (报送, 审核通过) or never writable: say why, keep what was typed
            text = (f"{refusal.message(lang)} ({refusal.code}). {refusal.hint(lang)}" if lang == "en"
                    else f"{refusal.message(lang)}（{refusal.code}）{refusal.hint(lang)}")
            banner = {"kind": "error", "text": text}
            status = refusal.status
        except service.Refused as refused:
            checked.violations = refused.violations if refused.violations != checked.violations else checked.violations
            n = sum(1 for v in checked.violations if v.severity == "error")
            banner = {"kind": "error", "text": t("not_saved", lang, n=n)}
        except service.Conflict as conflict:
            banner = {"kind": "error", "text": t("conflict", lang, theirs=conflict.theirs)}
            version = conflict.theirs
        else:
            warn = sum(1 for v in violations if v.severity == "warning")
            target = f"/forms/teachers/{tid}/sets/{set_key}"
            if spec.cardinality == "one" or warn:
                if spec.cardinality == "many":
                    target += f"/records/{row.id}"
            return Redirect(path=f"{target}?saved=1&warn={warn}", status_code=303)
        # refused: draw everything back as typed, with every message, and say why
        db.rollback()
        tf = service.load_file(db, cat, me, tid)
        fm = _form_model(cat, db, me, tf, set_key, record=checked.record, typed=checked.typed, lang=lang,
                         violations=checked.violations, touched=None, version=version if version is not None else current_version,
                         record_id=rid)
        page = _page_context(db, cat, me, tf, set_key, lang, _row_or_none(tf, set_key, rid))
        name = "forms/set_one.html" if spec.cardinality == "one" else "forms/record.html"
        title = t("new_record", lang) if rid is None else t("record_n", lang, n=[r.id for r in tf.rows(set_key)].index(rid) + 1)
        many = spec.cardinality == "many"
        return render(request, name, me=me, form=fm, u=_urls(tf, set_key, rid if many else None, new=many and rid is None),
                      banner=banner, record_title=title, photo_rule=_photo_rule(cat, tf.family, set_key, lang), status_code=status, **page)

    @post("/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}/delete")
    async def delete_record(self, request: Request, tid: int, set_key: str, rid: int, db: Session, ctx: AppContext,
                            me: Principal) -> Response:
        form = await read_form(request)

        def work() -> Response:
            cat, lang = _cat(ctx), lang_of(request)
            tf = service.load_file(db, cat, me, tid)
            _set_or_404(cat, tf, set_key)
            try:
                service.delete(db, cat, me, tf, set_key, rid, version=_int(form.get("_version", [""])[0]))
            except service.NotFound:
                raise Refusal(W_BAD_REQUEST, detail=f"no record {rid}") from None
            except service.Conflict as conflict:
                return Redirect(path=f"/forms/teachers/{tid}/sets/{set_key}/records/{rid}?conflict={conflict.theirs}",
                                status_code=303)
            return Redirect(path=f"/forms/teachers/{tid}/sets/{set_key}?deleted=1", status_code=303)

        return await anyio.to_thread.run_sync(work)

    # ------------------------------------------------------------------ HTMX while typing
    @post("/teachers/{tid:int}/sets/{set_key:str}/refresh", status_code=200)
    async def refresh(self, request: Request, tid: int, set_key: str, db: Session, ctx: AppContext,
                      me: Principal) -> Template:
        """Re-draw the form from what is typed: shown-when, required marks, cascades, 无, defaults."""
        form = await read_form(request)
        trigger = request.headers.get("hx-trigger")

        def work() -> Template:
            cat, lang = _cat(ctx), lang_of(request)
            tf = service.load_file(db, cat, me, tid)
            _set_or_404(cat, tf, set_key)
            rid = _int(form.get("_record_id", [""])[0])
            stored, rid_, version = _stored_safe(tf, set_key, cat, rid)
            view = cat.view(set_key, tf.family)
            inp = read_input(view, form, stored, trigger=trigger)
            _sanitize_photos(view, inp, stored)
            checked = _check(cat, tf, set_key, rid_, inp, fill_defaults=True)
            touched = {k for k, v in checked.typed.items() if not is_empty(v)}
            trigger_key = _key_of_trigger(view, trigger)
            if trigger_key:
                touched.add(trigger_key)
            fm = _form_model(cat, db, me, tf, set_key, record=checked.record, typed=checked.typed, lang=lang,
                             violations=checked.violations, touched=touched,
                             version=_int(form.get("_version", [""])[0]), record_id=rid_)
            many = cat.sets[set_key].cardinality == "many"
            return render(request, "forms/_form.html", me=me, form=fm,
                          u=_urls(tf, set_key, rid_ if many else None, new=many and rid_ is None),
                          photo_rule=_photo_rule(cat, tf.family, set_key, lang))

        return await anyio.to_thread.run_sync(work)

    @post("/teachers/{tid:int}/sets/{set_key:str}/validate", status_code=200)
    async def validate_field(self, request: Request, tid: int, set_key: str, db: Session, ctx: AppContext,
                             me: Principal, field: str) -> Template:
        """The messages of one field as the user leaves it (the engine, on the server)."""
        form = await read_form(request)

        def work() -> Template:
            cat, lang = _cat(ctx), lang_of(request)
            tf = service.load_file(db, cat, me, tid)
            _set_or_404(cat, tf, set_key)
            rid = _int(form.get("_record_id", [""])[0])
            stored, rid_, version = _stored_safe(tf, set_key, cat, rid)
            view = cat.view(set_key, tf.family)
            if view.field(field) is None:
                raise Refusal(W_BAD_REQUEST, detail=f"no field '{field}'")
            inp = read_input(view, form, stored)
            _sanitize_photos(view, inp, stored)
            checked = _check(cat, tf, set_key, rid_, inp)
            fm = _form_model(cat, db, me, tf, set_key, record=checked.record, typed=checked.typed, lang=lang,
                             violations=checked.violations, touched={field}, version=version, record_id=rid_)
            return render(request, "forms/_msgs.html", me=me, f=fm.field(field))

        return await anyio.to_thread.run_sync(work)

    @post("/teachers/{tid:int}/sets/{set_key:str}/photo", status_code=200)
    async def photo(self, request: Request, tid: int, set_key: str, db: Session, ctx: AppContext,
                    me: Principal) -> Template:
        """Crop, resize and compress an uploaded photo to the national rule; show the result."""
        data = await request.form()
        upload = data.get("upload")
        content = await upload.read() if upload is not None and hasattr(upload, "read") else b""

        def work() -> Template:
            cat, lang = _cat(ctx), lang_of(request)
            tf = service.load_file(db, cat, me, tid)
            _set_or_404(cat, tf, set_key)
            single = cat.sets[set_key].cardinality == "one"
            rows = tf.rows(set_key)
            service.require_edit(db, me, cat.sets[set_key], tf.teacher, record=rows[0] if single and rows else None,
                                 cat=cat)
            view = cat.view(set_key, tf.family)
            pf = next((f for f in view.fields if f.spec.type == "photo"), None)
            if pf is None or pf.spec.photo is None:
                raise Refusal(W_BAD_REQUEST, detail="this set has no photo")
            stored, _, version = _stored(tf, set_key, cat, None) if cat.sets[set_key].cardinality == "one" else ({}, None, None)
            info = error = None
            value = stored.get(pf.key)
            try:
                result = photos.process(content, pf.spec.photo)
                value = result.data_url
                info = t("photo_done", lang, w=result.width, h=result.height, kb=result.kb)
            except photos.PhotoError as exc:
                error = exc.message(lang)
            fm = build_form(cat, set_key, tf.family, record={pf.key: value}, lang=lang)
            return render(request, "forms/_photo.html", me=me, f=fm.field(pf.key), u=_urls(tf, set_key),
                          photo_info=info, photo_error=error, photo_rule=_photo_rule(cat, tf.family, set_key, lang))

        return await anyio.to_thread.run_sync(work)

    # ------------------------------------------------------------------ options search
    @get("/options/{table:str}", sync_to_thread=False)
    def options(self, request: Request, table: str, ctx: AppContext, me: Principal, q: str = "",
                field: str = "", parent: str | None = None, by: str | None = None, multi: str = "",
                name: str = "") -> Template:
        cat, lang = _cat(ctx), lang_of(request)
        codes = cat.codes.get(table)
        if codes is None:
            raise Refusal(W_BAD_REQUEST, detail=f"no code table '{table}'")
        cascade_by = by or ("parent" if codes.table.hierarchical else "when") if parent else None
        found, total = search_options(codes, q, lang, parent_value=parent, cascade_by=cascade_by)
        return render(request, "forms/_options.html", me=me, options=found, more=max(total - len(found), 0),
                      field=field, multi=bool(multi), input_name=name)


def _stored_safe(tf: service.TeacherFile, set_key: str, cat: Catalogue, rid: int | None
                 ) -> tuple[dict[str, Any], int | None, int | None]:
    try:
        return _stored(tf, set_key, cat, rid)
    except service.NotFound:
        raise Refusal(W_BAD_REQUEST, detail=f"no record {rid}") from None


def _key_of_trigger(view: SetView, trigger: str | None) -> str | None:
    if not trigger:
        return None
    for f in view.fields:
        d = dom_id(f.key)
        if trigger == d or trigger.startswith(d + "-"):
            return f.key
    return None


RECORD_STATES = {"approved": "rec_approved", "draft": "rec_added", "pending": "rec_pending",
                 "rejected": "rec_rejected"}


def _record_state(file_state: str, record_state: str, lang: str) -> str | None:
    """On an approved file each record says where it stands (approved, or a new record and how far
    it got); elsewhere the file's state says it all."""
    if file_state != "approved":
        return None
    key = RECORD_STATES.get(record_state)
    return t(key, lang) if key else record_state


def _none_text(cat: Catalogue, set_key: str, family: str, lang: str) -> str:
    spec = cat.sets[set_key]
    if spec.none is None:
        return ""
    f = cat.view(set_key, family).field(spec.none.field)
    return f"{f.label(lang) if f else ''}：{code_label(f.codes if f else None, spec.none.code, lang)}"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
