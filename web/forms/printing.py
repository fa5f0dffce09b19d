"""The print-ready teacher information form: every set, values as labels, signature lines.

Seed 003: teachers print their tables, check and sign them; the school checks and seals. The page
is plain HTML with a print style sheet (A4, repeated table headers, no navigation).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.orm import Session

from engine.fieldtypes import is_empty
from web import privacy
from web.context import AppContext
from web.deps import lang_of
from web.forms import service
from web.forms.pages import _cell, _masked
from web.forms.i18n import state_label
from web.pages.common import render
from web.principal import Principal

SKIP = ("attachment",)


def print_model(cat: Any, db: Session, me: Principal, tf: service.TeacherFile, lang: str) -> list[dict[str, Any]]:
    file = tf.engine_file(cat)
    out = []
    for key in cat.set_keys(tf.family):
        spec = cat.sets[key]
        view = cat.view(key, tf.family)
        fields = [f for f in view.fields if f.spec.type not in SKIP]
        if spec.cardinality == "one":
            doc = _masked(cat, db, me, tf, key, file.get(key) or {})
            derived = cat.derive(key, tf.family, file)
            items = []
            for f in fields:
                if f.spec.type == "photo":
                    continue
                value = derived.get(f.key) if f.spec.type == "derived" else doc.get(f.key)
                items.append({"label": f.label(lang), "value": _cell(f, value, lang) if f.spec.type != "derived"
                              else _derived_text(f, value, lang)})
            pf = next((f for f in fields if f.spec.type == "photo"), None)
            photo = doc.get(pf.key) if pf is not None else None
            if photo == privacy.MASK:  # a masked photo is left out, not drawn as a broken image
                photo = None
            rule = pf.spec.photo if pf is not None else None  # printed at the rule's size
            out.append({"key": key, "label": spec.label.get(lang), "one": True, "items": items, "photo": photo,
                        "photo_mm": (rule.width_mm, rule.height_mm) if rule is not None else None})
        else:
            docs = [_masked(cat, db, me, tf, key, d) for d in file.get(key) or []]
            used = [f for f in fields if f.spec.type != "photo" and any(not is_empty(d.get(f.key)) for d in docs)]
            cols = used or fields[:5]
            out.append({"key": key, "label": spec.label.get(lang), "one": False,
                        "columns": [f.label(lang) for f in cols],
                        "rows": [[_cell(f, d.get(f.key), lang) for f in cols] for d in docs]})
    return out


def _derived_text(f: Any, value: Any, lang: str) -> str:
    if is_empty(value):
        return ""
    return f.codes.label(str(value), lang) if f.codes else str(value)


class PrintPages(Controller):
    path = "/forms"
    include_in_schema = False

    @get("/teachers/{tid:int}/print", sync_to_thread=True)
    def print_form(self, request: Request, tid: int, db: Session, ctx: AppContext, me: Principal) -> Template:
        cat, lang = ctx.catalogue, lang_of(request)
        tf = service.load_file(db, cat, me, tid)
        service.audit_read(db, me, tf.teacher, "print")
        return render(request, "forms/print.html", me=me, teacher=tf.teacher, sets=print_model(cat, db, me, tf, lang),
                      state_label=state_label(tf.teacher.state, lang), today=date.today().isoformat())
