"""The form view model: what a page needs to draw one record of one set, built from the catalogue.

Pure (no database, no web): ``build_form`` takes the set as the teacher's school-type family sees
it, the values (stored or typed), the engine's violations and the language, and returns plain
dataclasses the Jinja templates walk. The same function serves the first render, the HTMX
refresh while the user types (shown-when, required marks, cascades, 无, defaults from other
fields) and the re-render after a refused save, so what the user typed is always drawn back.

How people's input becomes a record lives in ``read_input``; it keeps the raw text of every
field so that a value the engine cannot read (2020-13) is shown back exactly as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from engine import errors as E
from engine.catalogue import Catalogue
from engine.fieldtypes import is_empty
from engine.validate import Codes, FieldState, FieldView, SetValidator, SetView, Violation
from web.forms.i18n import t
from web.forms.widgets import widget_for

# Above this many selectable options a code field becomes a search-as-you-type box.
SEARCH_THRESHOLD = 60


@dataclass
class Msg:
    severity: str  # error | warning
    text: str
    rule: str


@dataclass
class Option:
    code: str
    label: str
    selected: bool = False
    depth: int = 0


@dataclass
class FieldModel:
    key: str
    dom_id: str
    label: str
    help: str | None
    type: str
    widget: str
    text: str = ""  # the value as drawn in a text box
    values: list[str] = field(default_factory=list)  # chosen codes (code/codes) or [text]
    display: str = ""  # label of the chosen code(s), the derived value, …
    required: bool = False
    shown: bool = True
    readonly: bool = False
    locked: bool = False  # cleared and locked by the 无 convention
    options: list[Option] | None = None
    table: str | None = None
    cascade_field: str | None = None
    cascade_value: str | None = None
    exclusive: list[str] = field(default_factory=list)
    controller: bool = False  # changing it re-draws the form (shown, cascades, 无, defaults)
    derived_source: str | None = None
    derived_set: str | None = None
    personal: bool = False
    messages: list[Msg] = field(default_factory=list)
    max_length: int | None = None
    lock_reason: str | None = None  # why this caller may not change it (web.forms.locks), drawn beside it

    @property
    def has_error(self) -> bool:
        return any(m.severity == "error" for m in self.messages)

    @property
    def has_warning(self) -> bool:
        return any(m.severity == "warning" for m in self.messages)


@dataclass
class SectionModel:
    key: str
    label: str
    fields: list[FieldModel]

    @property
    def visible(self) -> list[FieldModel]:
        return [f for f in self.fields if f.shown]


@dataclass
class FormModel:
    set_key: str
    label: str
    help: str | None
    cardinality: str
    filled_by: str
    sections: list[SectionModel]
    lang: str
    editable: bool
    record_messages: list[Msg] = field(default_factory=list)
    none_field: str | None = None
    none_code: str | None = None
    none_label: str | None = None
    is_none: bool = False
    version: int | None = None
    record_id: int | None = None

    @property
    def fields(self) -> list[FieldModel]:
        return [f for s in self.sections for f in s.fields]

    def field(self, key: str) -> FieldModel | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.fields for m in f.messages if m.severity == "error") + sum(
            1 for m in self.record_messages if m.severity == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for f in self.fields for m in f.messages if m.severity == "warning") + sum(
            1 for m in self.record_messages if m.severity == "warning")


def dom_id(key: str) -> str:
    return "f-" + key.replace(".", "__")


def controllers(view: SetView) -> set[str]:
    """Fields whose value changes how other fields are drawn: a round trip re-draws the form."""
    keys: set[str] = set()
    for f in view.fields:
        for expr in (f.shown_expr, f.required_expr, f.default_expr):
            if expr is not None:
                keys |= set(expr.refs)
        if f.spec.cascade is not None:
            keys.add(f.spec.cascade.field)
        if f.spec.type == "codes" and f.spec.exclusive:
            keys.add(f.key)
    if view.spec.none is not None:
        keys.add(view.spec.none.field)
    return keys


_DEPTHS: dict[int, dict[str, int]] = {}


def _depths(codes: Codes) -> dict[str, int]:
    cached = _DEPTHS.get(id(codes))
    if cached is None:
        cached = {}
        for item in codes.table.items:
            d, p, seen = 0, item.parent, 0
            while p is not None and seen < 32:
                d += 1
                parent = codes.by_code.get(p)
                p = parent.parent if parent else None
                seen += 1
            cached[item.code] = d
        _DEPTHS[id(codes)] = cached
    return cached


def code_label(codes: Codes | None, code: Any, lang: str) -> str:
    if codes is None or is_empty(code):
        return "" if is_empty(code) else str(code)
    return codes.label(str(code), lang)


def option_list(codes: Codes, lang: str, chosen: Iterable[str], parent_value: Any = None,
                cascade_by: str | None = None) -> list[Option]:
    chosen = set(chosen)
    depths = _depths(codes) if codes.table.hierarchical else {}
    return [Option(c, codes.label(c, lang), c in chosen, depths.get(c, 0))
            for c in codes.options(parent_value, cascade_by)]


def search_options(codes: Codes, q: str, lang: str, *, limit: int = 30, parent_value: Any = None,
                   cascade_by: str | None = None) -> tuple[list[Option], int]:
    """Options whose code starts with ``q`` or whose label/alias contains it; (first ``limit``, total)."""
    q = q.strip()
    allowed = codes.options(parent_value, cascade_by)
    if not q:
        hits = allowed
    else:
        low = q.lower()
        hits = []
        for c in allowed:
            item = codes.by_code[c]
            if c.startswith(q) or q in item.zh or (item.en and low in item.en.lower()) or any(
                    q in a for a in item.aliases):
                hits.append(c)
        # exact code first, then codes that start with q, then the rest (table order kept)
        hits.sort(key=lambda c: (c != q, not c.startswith(q)))
    return [Option(c, _path_label(codes, c, lang)) for c in hits[:limit]], len(hits)


def _path_label(codes: Codes, code: str, lang: str) -> str:
    """"江西省 / 南昌市 / 东湖区" for tree tables, so a search hit is unambiguous."""
    if not codes.table.hierarchical:
        return codes.label(code, lang)
    parts, c, seen = [], code, 0
    while c is not None and seen < 8:
        item = codes.by_code.get(c)
        if item is None:
            break
        parts.append((item.en or item.zh) if lang == "en" else item.zh)
        c, seen = item.parent, seen + 1
    return " / ".join(reversed(parts))


# --------------------------------------------------------------------------- input

def text_of(value: Any) -> str:
    """A canonical value as drawn in a text box."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


@dataclass
class Input:
    """A person's input for one record: raw values for the engine, raw text to draw back."""

    raw: dict[str, Any]
    typed: dict[str, Any]


def read_input(view: SetView, form: Mapping[str, list[str]], stored: Mapping[str, Any], *,
               trigger: str | None = None) -> Input:
    """Read posted fields (``form`` maps a name to all its values). Fields the page did not post
    (hidden, read-only, derived) keep their stored value; photos keep theirs unless replaced."""
    raw: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    posted = set(form.get("_fields", [""])[0].split(",")) if form.get("_fields") else set(form)
    for f in view.fields:
        s = f.spec
        if s.type == "derived":
            continue
        if s.readonly or f.key not in posted:
            if f.key in stored:
                raw[f.key] = stored[f.key]
            continue
        values = [v for v in form.get(f.key, []) if v is not None]
        if s.type == "codes":
            chosen = [v for v in values if v != ""]
            chosen = _exclusive(f, chosen, trigger)
            raw[f.key] = chosen
            typed[f.key] = chosen
        elif s.type in ("photo", "attachment"):
            value = values[-1] if values else ""
            raw[f.key] = value or None
        else:
            value = values[-1] if values else ""
            typed[f.key] = value
            raw[f.key] = value
    return Input(raw, typed)


def _exclusive(f: FieldView, chosen: list[str], trigger: str | None) -> list[str]:
    """The 无 codes of a multiple choice: ticking one clears the others, ticking another clears it."""
    excl = [c for c in chosen if c in f.spec.exclusive]
    if not excl or len(chosen) < 2:
        return chosen
    prefix = dom_id(f.key) + "-"
    ticked = trigger[len(prefix):] if trigger and trigger.startswith(prefix) else None
    if ticked in f.spec.exclusive:
        return [ticked]
    if ticked is not None:
        return [c for c in chosen if c not in f.spec.exclusive]
    return chosen  # no way to tell which came last: leave it to the validator (V_EXCLUSIVE)


@dataclass
class Checked:
    """A record read from input, cleaned, with every violation (coercion + engine)."""

    record: dict[str, Any]
    typed: dict[str, Any]
    violations: list[Violation]

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "warning"]


Context = Callable[[Mapping[str, Any]], tuple[list[Mapping[str, Any]] | None, Mapping[str, Any] | None, int | None]]


def _no_context(record: Mapping[str, Any]) -> tuple[None, None, None]:
    return None, None, None


def check_input(validator: SetValidator, inp: Input, *, context: Context = _no_context,
                fill_defaults: bool = False) -> Checked:
    """Coerce, apply cascades and CEL defaults, clean (hidden and 无-locked fields cleared) and
    validate with the engine: the one evaluator of every path. ``context(record)`` gives the
    sibling records, the whole file and the index with this record in place."""
    record, problems = validator.coerce(inp.raw)
    bad = {p.field for p in problems}
    _drop_stale_cascades(validator.view, record)
    records, file, index = context(record)
    if fill_defaults:
        _fill_cel_defaults(validator, record, inp, records, file)
    record = validator.clean(record, records=records, file=file)
    for key, value in record.items():
        if value is None and key in inp.typed and key not in bad and validator.fields[key].spec.type != "codes":
            inp.typed[key] = ""  # cleared by the engine (hidden or 无): draw it empty
    records, file, index = context(record)
    found = validator.validate(record, records=records, file=file, index=index)
    found = [v for v in found if not (v.field in bad and v.code == E.V_REQUIRED)]
    problems = [p if index is None else _with_index(p, index) for p in problems]
    return Checked(record, inp.typed, problems + found)


def _with_index(v: Violation, index: int) -> Violation:
    from dataclasses import replace

    return replace(v, index=index)


def _drop_stale_cascades(view: SetView, record: dict[str, Any]) -> None:
    """A cascaded choice that the new controlling value no longer offers is cleared."""
    for f in view.fields:
        c = f.spec.cascade
        if c is None or f.codes is None or is_empty(record.get(f.key)) or is_empty(record.get(c.field)):
            continue
        allowed = set(f.codes.options(record.get(c.field), c.by))
        value = record[f.key]
        if isinstance(value, list):
            record[f.key] = [v for v in value if v in allowed]
        elif value not in allowed:
            record[f.key] = None


def _fill_cel_defaults(validator: SetValidator, record: dict[str, Any], inp: Input,
                       records: list[Mapping[str, Any]] | None, file: Mapping[str, Any] | None) -> None:
    """Empty fields with a CEL default get it from what is typed so far (出生日期 from 身份证件号)."""
    for key, value in validator.fill_defaults(record, records=records, file=file).items():
        record[key] = value
        inp.typed[key] = text_of(value)


# --------------------------------------------------------------------------- build

def build_form(cat: Catalogue, set_key: str, family: str, *, record: Mapping[str, Any],
               typed: Mapping[str, Any] | None = None, violations: Iterable[Violation] = (),
               lang: str = "zh", editable: bool = True, file: Mapping[str, Any] | None = None,
               records: list[Mapping[str, Any]] | None = None, touched: set[str] | None = None,
               version: int | None = None, record_id: int | None = None) -> FormModel:
    """The view model of one record. ``touched`` limits field messages to fields the user has
    left (None: show all, as after a save)."""
    view = cat.view(set_key, family)
    validator = cat.validator(set_key, family)
    typed = typed or {}
    spec = view.spec
    ctl = controllers(view)
    states = validator.field_states(dict(record), records=records, file=file)  # as validation decides
    is_none = validator.is_none_record(record)
    derived = cat.derive(set_key, family, file) if file is not None and any(
        f.spec.type == "derived" for f in view.fields) else {}
    by_field: dict[str, list[Msg]] = {}
    record_msgs: list[Msg] = []
    keys = {f.key for f in view.fields}
    for v in violations:
        msg = Msg(v.severity, v.message(lang), v.code)
        if v.field and v.field in keys:
            if touched is None or v.field in touched:
                by_field.setdefault(v.field, []).append(msg)
        elif touched is None:
            record_msgs.append(msg)
    sections = []
    for sec in view.sections:
        fields = [_field_model(cat, f, validator, states[f.key], record, typed, derived, lang, editable, is_none,
                               spec.none.field if spec.none else None, ctl, by_field.get(f.key, []))
                  for f in sec.fields]
        sections.append(SectionModel(sec.key, sec.label.get(lang), fields))
    none_label = None
    if spec.none is not None:
        nf = view.field(spec.none.field)
        none_label = code_label(nf.codes if nf else None, spec.none.code, lang)
    return FormModel(set_key, spec.label.get(lang), spec.help.get(lang) if spec.help else None,
                     spec.cardinality, spec.filled_by, sections, lang, editable, record_msgs,
                     spec.none.field if spec.none else None, spec.none.code if spec.none else None,
                     none_label, is_none, version, record_id)


def _field_model(cat: Catalogue, f: FieldView, validator: SetValidator, state: FieldState,
                 record: Mapping[str, Any],
                 typed: Mapping[str, Any], derived: Mapping[str, Any], lang: str, editable: bool,
                 is_none: bool, none_field: str | None, ctl: set[str], messages: list[Msg]) -> FieldModel:
    s = f.spec
    value = record.get(f.key)
    shown, required = state.shown, state.required
    widget = widget_for(s.type, f.codes, len(f.codes.options()) if f.codes else 0, SEARCH_THRESHOLD, s.max_length)
    m = FieldModel(
        key=f.key, dom_id=dom_id(f.key), label=f.label(lang), help=s.help.get(lang) if s.help else None,
        type=s.type, widget=widget, required=required, shown=shown,
        readonly=(not editable) or s.readonly or s.type == "derived",
        locked=is_none and f.key != none_field, table=s.codes, exclusive=list(s.exclusive),
        controller=f.key in ctl, personal=s.personal, messages=messages, max_length=s.max_length,
    )
    if s.type == "derived" and s.derived is not None:
        value = derived.get(f.key, value)
        src_set = cat.sets.get(s.derived.from_set)
        src_view = cat.view(s.derived.from_set, validator.view.family) if src_set else None
        src_field = src_view.field(s.derived.field) if src_view else None
        set_label = src_set.label.get(lang) if src_set else s.derived.from_set
        m.derived_set = s.derived.from_set
        m.derived_source = t("derived_from", lang, set=set_label,
                             field=src_field.label(lang) if src_field else s.derived.field)
        m.display = code_label(f.codes, value, lang) if f.codes else text_of(value)
        if is_empty(value):
            m.display = t("derived_empty", lang, set=set_label)
        return m
    if s.type == "codes":
        chosen = list(typed.get(f.key, value or []) or [])
        m.values = [str(c) for c in chosen]
        m.display = "、".join(code_label(f.codes, c, lang) for c in m.values)
    elif s.type == "code":
        raw = typed.get(f.key, value)
        code = None if is_empty(raw) else str(raw)
        if code is not None and f.codes is not None and code not in f.codes.by_code:
            looked = f.codes.lookup(code)
            code = looked or code
        m.values = [code] if code else []
        m.text = code or ""
        m.display = code_label(f.codes, code, lang) if code else ""
    else:
        m.text = str(typed[f.key]) if f.key in typed and typed[f.key] is not None else text_of(value)
        m.values = [m.text] if m.text else []
    if s.cascade is not None:
        m.cascade_field = s.cascade.field
        parent = record.get(s.cascade.field)
        m.cascade_value = None if is_empty(parent) else str(parent)
    if f.codes is not None and widget in ("select", "radios", "checkboxes"):
        parent = m.cascade_value if s.cascade else None
        m.options = option_list(f.codes, lang, m.values, parent, s.cascade.by if s.cascade else None)
        # a stored code the table no longer offers is still drawn (and flagged by the engine)
        offered = {o.code for o in m.options}
        for c in m.values:
            if c not in offered:
                m.options.insert(0, Option(c, code_label(f.codes, c, lang), True))
    return m
