"""Validation of records against one set as one school-type family sees it.

One evaluator for every path (forms, Excel, API, CLI, completeness check). Semantics:
- a hidden field (``shown`` false) is cleared and never required;
- ``required`` means required when shown;
- a constraint on an empty value passes (``required`` says the rest); a rule passes when any
  ``record.<field>`` it reads is empty, unless the rule says ``on_empty: check``;
- the 无 convention: when the set's none field holds the none code, every other field is
  cleared (``clean``) and must be empty (``validate``);
- severities: ``error`` blocks saving or submitting, ``warning`` is shown and recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from engine import errors as E
from engine import idnumber
from engine.clock import today as today_now
from engine.compile import CompiledRule
from engine.expr import NO_UNIT, Env, EvalError, Evaluator, Expr, LazyEnv, base_values, evaluator, nest
from engine.fieldtypes import REGISTRY, is_empty
from engine.spec import CodeTable, FieldSpec, SetSpec, Text


# Text fields whose input is normalised on every entry (forms, API, import), by field key: an ID
# number typed with a lowercase x, full-width digits or spaces is the same number (issue 20.1).
NORMALISERS: dict[str, Callable[[Any], str]] = {"id_number": idnumber.normalize}

@dataclass(frozen=True)
class FieldState:
    shown: bool
    required: bool


@dataclass(frozen=True)
class Violation:
    """One thing wrong with a record: where (set, record index, field), what, how bad."""

    set: str
    field: str
    code: str  # V… for structure, the rule id for rules
    severity: str
    message_zh: str
    message_en: str
    index: int | None = None
    hint_zh: str = ""  # the catalogue's fix, filled with this problem's values (V… codes)
    hint_en: str = ""

    @property
    def rule(self) -> str:
        return self.code

    @property
    def path(self) -> str:
        where = f"{self.set}[{self.index}]" if self.index is not None else self.set
        return f"{where}.{self.field}" if self.field else where

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        out = {"set": self.set, "index": self.index, "field": self.field, "path": self.path,
               "rule": self.code, "severity": self.severity}
        if lang:
            out["message"] = self.message(lang)
        else:
            out["message"] = {"zh": self.message_zh, "en": self.message_en}
        return out


@dataclass
class Codes:
    """A code table prepared for lookups: by code, by label and alias, tree and cascades."""

    table: CodeTable
    by_code: dict[str, Any] = field(default_factory=dict)
    by_text: dict[str, str] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    # caches for the hot paths (imports look up and check hundreds of thousands of codes)
    _exact: dict[str, str] | None = field(default=None, repr=False, compare=False)
    _selectable: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _allowed: dict[tuple[Any, Any, Any], frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    _cell_texts: dict[str, str] | None = field(default=None, repr=False, compare=False)
    # a label or alias of several items (朝阳区 in Beijing and in Changchun) names none of them:
    # text → those codes, so that the reader can say which to choose
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, table: CodeTable) -> "Codes":
        c = cls(table)
        named: dict[str, list[str]] = {}
        for item in table.items:
            c.by_code[item.code] = item
            for text in [item.zh, *(item.aliases)] + ([item.en] if item.en else []):
                codes = named.setdefault(text.strip(), [])
                if item.code not in codes:
                    codes.append(item.code)
                c.by_text.setdefault(f"{item.code}-{item.zh}", item.code)
                c.by_text.setdefault(f"{item.code} {item.zh}", item.code)
            if item.parent is not None:
                c.children.setdefault(item.parent, []).append(item.code)
        for text, codes in named.items():
            c._name(text, codes)
        return c

    def _name(self, text: str, codes: list[str]) -> None:
        """What a label or alias shared by several items reads as:
        - the one of them that may be chosen (Engineer: the category 080 or the title 083);
        - the first, where the items are told apart by ``when`` (信息技术 of senior or of primary
          stages): the rule on that condition reports a mismatch, and files written before
          (where the first was shown bare) still read;
        - none of them otherwise (朝阳区): the reader lists the choices (V017)."""
        choosable = [code for code in codes if self.selectable(code)]
        if len(codes) == 1 or len(choosable) == 1:
            self.by_text.setdefault(text, choosable[0] if len(choosable) == 1 else codes[0])
        elif any(self.by_code[code].when for code in codes):
            self.by_text.setdefault(text, codes[0])
        else:
            self.ambiguous[text] = tuple(choosable or codes)

    def ambiguity(self, raw: Any) -> dict[str, str] | None:
        """For a text that names several codes: the message's arguments (the choices, written
        as "code-label", which reads back exactly); None otherwise."""
        codes = self.ambiguous.get(str(raw).strip())
        if not codes:
            return None
        written = [f"{c}-{self.label(c)}" for c in codes]
        return {"choices": "、".join(written[:8]) + ("…" if len(written) > 8 else "")}

    def lookup(self, raw: Any) -> str | None:
        """A code from its code, label, alias, or "code-label" text; None when unknown."""
        if raw.__class__ is str:
            exact = self._exact
            if exact is None:
                exact = self._exact = self._exact_texts()
            hit = exact.get(raw)
            if hit is not None:
                return hit
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = str(raw).strip()
        if text in self.by_code:
            return text
        return self.by_text.get(text)

    def _exact_texts(self) -> dict[str, str]:
        """Text → code for texts typed exactly (no surrounding spaces), codes first as in
        ``lookup``; anything else takes the general path."""
        out = {t: c for t, c in self.by_text.items() if t == t.strip()}
        out.update({c: c for c in self.by_code if c == c.strip()})
        return out

    def selectable_codes(self) -> frozenset[str]:
        if self._selectable is None:
            self._selectable = frozenset(c for c in self.by_code if self.selectable(c))
        return self._selectable

    def allowed(self, parent_value: Any, cascade_by: str | None) -> frozenset[str]:
        """``set(options(parent_value, cascade_by))``, cached per controlling value."""
        try:
            key = (parent_value.__class__, parent_value, cascade_by)  # True and 1 are different values here
            hit = self._allowed.get(key)
        except TypeError:  # a list (multi-select controller): not cached
            return frozenset(self.options(parent_value, cascade_by))
        if hit is None:
            hit = self._allowed[key] = frozenset(self.options(parent_value, cascade_by))
        return hit

    def cell_text(self, code: str) -> str:
        """How a spreadsheet shows a code (template dropdowns, exports): its label, unless the
        label reads back as another code (two items share it): then "code-label", which reads
        back exactly."""
        if self._cell_texts is None:
            self._cell_texts = {}
        hit = self._cell_texts.get(code)
        if hit is None:
            text = self.label(code)
            hit = self._cell_texts[code] = text if self.lookup(text) == code else f"{code}-{text}"
        return hit

    def label(self, code: str, lang: str = "zh") -> str:
        item = self.by_code.get(code)
        if item is None:
            return code
        return (item.en or item.zh) if lang == "en" else item.zh

    def selectable(self, code: str) -> bool:
        item = self.by_code.get(code)
        if item is None:
            return False
        if not item.selectable:
            return False
        if self.table.hierarchical and not self.table.parent_selectable and code in self.children:
            return False
        return True

    def descends(self, code: str, ancestor: str) -> bool:
        seen = 0
        while code is not None and seen < 64:
            if code == ancestor:
                return True
            item = self.by_code.get(code)
            code = item.parent if item else None
            seen += 1
        return False

    def options(self, parent_value: Any = None, cascade_by: str | None = None) -> list[str]:
        """Codes offered to a person, filtered by a cascade's controlling value if any (a list of
        controlling values, from a multi-select, offers the union)."""
        if isinstance(parent_value, list):
            allowed = {c for v in parent_value for c in self.options(v, cascade_by)}
            return [i.code for i in self.table.items if i.code in allowed] if parent_value else self.options(None)
        out = []
        for item in self.table.items:
            if not self.selectable(item.code):
                continue
            if cascade_by == "when" and parent_value is not None and item.when is not None:
                if str(parent_value) not in item.when:
                    continue
            if cascade_by == "parent" and parent_value is not None:
                if item.code == str(parent_value) or not self.descends(item.code, str(parent_value)):
                    continue
            out.append(item.code)
        return out


def _pattern_args(s: FieldSpec) -> dict[str, Any]:
    """What V005 says the value should look like: the field's help and its example (a pattern
    means nothing to the person typing)."""
    zh = [x for x in (s.help.zh if s.help else "", f"例如 {s.example}" if s.example else "") if x]
    en = [x for x in (s.help.get("en") if s.help else "", f"for example {s.example}" if s.example else "") if x]
    return {"pattern": s.pattern, "expected_zh": "：" + "；".join(zh) if zh else "",
            "expected_en": ": " + "; ".join(en) if en else ""}


@dataclass
class FieldView:
    """A field as one family sees it (variants applied) with its compiled conditions."""

    spec: FieldSpec
    required_expr: Expr | None = None
    shown_expr: Expr | None = None
    default_expr: Expr | None = None
    codes: Codes | None = None
    pattern: re.Pattern[str] | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    def label(self, lang: str = "zh") -> str:
        return self.spec.label.get(lang)


@dataclass
class SectionView:
    key: str
    label: Text
    fields: list[FieldView]


@dataclass
class SetView:
    """A set as one school-type family sees it: the input of every emitter and validator."""

    spec: SetSpec
    family: str
    sections: list[SectionView]
    rules: list[CompiledRule]

    @property
    def key(self) -> str:
        return self.spec.set

    @property
    def fields(self) -> list[FieldView]:
        return [f for s in self.sections for f in s.fields]

    def field(self, key: str) -> FieldView | None:
        return next((f for f in self.fields if f.key == key), None)


Checker = Callable[[Any, Mapping[str, Any], "int | None"], "list[Violation] | None"]
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_YM_TEXT = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_CODES_SPLIT = re.compile(r"[,，;；、]")
_GOOD_DATES: set[str] = set()  # canonical dates already found valid (bounded below)


def _stored(stores: tuple[type, ...]) -> Callable[[Any], bool]:
    """Is a value of the Python type the field type stores? (bool is an int, but not an integer.)"""
    bool_ok = bool in stores

    def ok(value: Any) -> bool:
        return isinstance(value, stores) and (bool_ok or not isinstance(value, bool))
    return ok


@dataclass(frozen=True)
class _Rule:
    """A compiled rule with what the per-record loop needs at hand."""

    rule: CompiledRule
    refs: tuple[str, ...]          # record fields read; empty ones skip the rule (on_empty: pass)
    skip_on_empty: bool
    reads_file: bool
    when: Evaluator | None         # the rule's condition and assertion (engine.expr.evaluator)
    check: Evaluator
    deferred: bool                 # reads the file or the set's other records (engine.fastrow leaves it)


class SetValidator:
    """Coerce, clean and validate records of one set as one family sees it.

    Speed (imports run this for every row): each field gets its checker and its reader built once
    (``_checkers``, ``_readers``) instead of dispatching on the type per value; the CEL variables
    are built only when a condition or rule is actually evaluated (``LazyEnv``), ``records`` only
    when some expression reads it; a rule reading an empty field is skipped before its variables
    exist. The messages and their order are those of the plain implementation.
    """

    def __init__(self, view: SetView, functions: Mapping[str, Any], *, today: dt.date | None = None,
                 memo: bool = True) -> None:
        self.view = view
        self.functions = functions
        self.today = today
        self.fields = {f.key: f for f in view.fields}
        self.label_to_key: dict[str, str] = {}
        for f in view.fields:
            for lang in ("zh", "en"):
                self.label_to_key.setdefault(f.label(lang), f.key)
        self.none = view.spec.none
        self._plan = [(f.key, f) for f in view.fields if f.spec.type != "derived"]
        self._today = today
        self._checkers: dict[str, Checker] = {f.key: self._checker(f) for f in view.fields}
        self._shown = [f for f in view.fields if f.shown_expr is not None]
        exprs = [e for f in view.fields for e in (f.required_expr, f.shown_expr, f.default_expr) if e is not None]
        exprs += [e for r in view.rules for e in (r.check, r.when) if e is not None]
        self._reads_records = any("records" in e.variables for e in exprs)
        self._namespaced = any("." in k for k in self.fields)
        self._readers: dict[str, Callable[[Any, int | None], tuple[Any, Violation | None]]] = {}
        # every condition and rule as an evaluator (engine.expr.evaluator: memoised where pure)
        types = {k: f.spec.type for k, f in self.fields.items()}
        self._evaluators: dict[int, Evaluator] = {}
        for e in exprs:
            if id(e) not in self._evaluators:
                self._evaluators[id(e)] = evaluator(e, functions, types, memo=memo)
        ev = self._evaluators.get
        self._shown_ev = [(f.key, ev(id(f.shown_expr))) for f in self._shown]
        # (key, field, checker, required is plainly true, required condition, shown condition)
        conditional = {key for key, f in self._plan if f.spec.required not in (True, False, None)}
        self._vplan = [(key, f, self._checkers[key],
                         f.spec.required is True or (key in conditional and f.required_expr is None),
                         ev(id(f.required_expr)) if key in conditional and f.required_expr is not None else None,
                         ev(id(f.shown_expr)) if f.shown_expr is not None else None) for key, f in self._plan]
        self._rules = [_Rule(r, tuple(r.check.refs), r.spec.on_empty == "pass", r.reads_file,
                             ev(id(r.when)) if r.when is not None else None, ev(id(r.check)),
                             r.reads_file or bool({"file", "records", "unit"} & (
                                 r.check.variables | (r.when.variables if r.when is not None else set()))))
                       for r in view.rules]
        # rules that need more than the record itself (engine.fastrow runs the others per row)
        self.deferred_rules = frozenset(r.rule.id for r in self._rules if r.deferred)
        self._subsets: dict[frozenset[str], list[_Rule]] = {}  # validate_rules' rules by the ids asked for
        self._deferred = [r for r in self._rules if r.deferred]
        self._day: dt.date | None = None
        self._day_values: tuple[str, int] = ("", 0)

    # -- helpers -------------------------------------------------------------------------

    def _env(self, record: Mapping[str, Any], records: list[Mapping[str, Any]] | None,
             file: Mapping[str, Any] | None, unit: Mapping[str, str] | None = None) -> Env:
        return LazyEnv(lambda: self._values(record, records, file, unit), self.functions)

    def _values(self, record: Mapping[str, Any], records: list[Mapping[str, Any]] | None,
                file: Mapping[str, Any] | None, unit: Mapping[str, str] | None) -> dict[str, Any]:
        full = dict.fromkeys(self.fields)
        full.update(record)
        values = base_values(self.today or today_now(), self.view.family)
        values["record"] = nest(full) if self._namespaced else full
        # a record checked on its own is the only record of its set; when nothing reads
        # ``records``, the set's records are not copied for every one of them
        if not self._reads_records:
            values["records"] = []
        else:
            values["records"] = [nest(r) for r in records] if records is not None else [values["record"]]
        values["file"] = file if file is not None else {}
        if unit is not None:
            values["unit"] = {**NO_UNIT, **unit}
        return values

    def _new_day(self) -> tuple[str, int]:
        """Memos hold answers for one day (``today`` is one of their inputs): cleared when it
        changes. Returns the day's ``today`` and ``this_year`` as CEL sees them."""
        today = self.today or today_now()
        if today != self._day:
            for e in self._evaluators.values():
                clear = getattr(e, "clear", None)
                if clear is not None:
                    clear()
            self._day = today
            self._day_values = (today.isoformat(), today.year)
        return self._day_values

    def _thunk(self, record: Mapping[str, Any], records: list[Mapping[str, Any]] | None,
               file: Mapping[str, Any] | None) -> Callable[[], dict[str, Any]]:
        """The variables of one record, built on first use and then kept."""
        box: list[dict[str, Any] | None] = [None]

        def values() -> dict[str, Any]:
            v = box[0]
            if v is None:
                v = box[0] = self._values(record, records, file, None)
            return v
        return values

    def _cond(self, expr: Expr | None, env: Env, on_error: bool) -> bool:
        if expr is None:
            return True
        try:
            return expr(env) is True
        except EvalError:
            return on_error

    def _violation(self, f: FieldView | None, code: str, args: dict[str, Any], index: int | None,
                   severity: str = "error") -> Violation:
        label = {"zh": f.label("zh"), "en": f.label("en")} if f else {"zh": "", "en": ""}
        zh = E.render(code, {**args, "label": label["zh"]}, "zh")
        en = E.render(code, {**args, "label": label["en"]}, "en")
        hint_zh = E.render_hint(code, {**args, "label": label["zh"]}, "zh")
        hint_en = E.render_hint(code, {**args, "label": label["en"]}, "en")
        return Violation(self.view.key, f.key if f else "", code, severity, zh, en, index, hint_zh, hint_en)

    def is_none_record(self, record: Mapping[str, Any]) -> bool:
        return self.none is not None and record.get(self.none.field) == self.none.code

    # -- coercion from people's input ----------------------------------------------------

    def coerce(self, raw: Mapping[str, Any], index: int | None = None) -> tuple[dict[str, Any], list[Violation]]:
        """Turn input keyed by field key or label, with codes as code/label/alias and dates as
        text, into a canonical record. Values that cannot be read are reported and left out."""
        record: dict[str, Any] = {}
        problems: list[Violation] = []
        readers = self._readers
        for name, value in raw.items():
            read = readers.get(name)
            if read is None:
                key = name if name in self.fields else self.label_to_key.get(str(name).strip().rstrip("*").strip())
                if key is None:
                    args = {"field": name, **E.suggestion(str(name), list(self.fields) + list(self.label_to_key))}
                    problems.append(Violation(self.view.key, str(name), E.V_UNKNOWN_FIELD, "error",
                                              E.render(E.V_UNKNOWN_FIELD, args, "zh"),
                                              E.render(E.V_UNKNOWN_FIELD, args, "en"), index))
                    continue
                read = readers[name] = self._reader(self.fields[key])
            key, parsed, problem = read(value, index)
            if problem is not None:
                problems.append(problem)
            elif key is not None:
                record[key] = parsed
        return record, problems

    def _unknown_code(self, f: FieldView, codes: Codes, value: Any, index: int | None) -> Violation:
        several = codes.ambiguity(value)
        if several is not None:
            return self._violation(f, E.V_AMBIGUOUS_CODE, {"value": value, **several}, index)
        return self._violation(f, E.V_UNKNOWN_CODE, {"value": value}, index)

    def _reader(self, f: FieldView) -> Callable[[Any, int | None], tuple[str | None, Any, Violation | None]]:
        """How one field reads a person's input: (key, canonical value, problem); key None: left out."""
        key = f.key
        t = f.spec.type
        codes = f.codes
        parse = REGISTRY[t].parse
        spec = f.spec

        def empty(value: Any) -> bool:
            if value.__class__ is str:  # the usual case (a spreadsheet cell): one test
                return not value or value.isspace()
            return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())

        if t == "code" and codes is not None:
            def read_code(value: Any, index: int | None) -> tuple[str | None, Any, Violation | None]:
                if empty(value):
                    return key, None, None
                code = codes.lookup(value)
                if code is None:
                    return None, None, self._unknown_code(f, codes, value, index)
                return key, code, None
            return read_code
        if t == "codes" and codes is not None:
            def read_codes(value: Any, index: int | None) -> tuple[str | None, Any, Violation | None]:
                if empty(value):
                    return key, None, None
                items = value if isinstance(value, list) else _CODES_SPLIT.split(str(value))
                out = []
                for item in items:
                    if str(item).strip() == "":
                        continue
                    code = codes.lookup(item)
                    if code is None:
                        return None, None, self._unknown_code(f, codes, item, index)
                    out.append(code)
                return key, out, None
            return read_codes

        normalise = NORMALISERS.get(key) if t == "text" else None

        def read(value: Any, index: int | None) -> tuple[str | None, Any, Violation | None]:
            if empty(value):
                return key, None, None
            parsed, failure = parse(value, spec)
            if failure:
                return None, None, self._violation(f, failure[0], failure[1], index)
            if normalise is not None:
                parsed = normalise(parsed)
            return key, parsed, None
        return read

    # -- cleaning: hidden and none-locked fields are cleared --------------------------------

    def clean(self, record: Mapping[str, Any], *, records: list[Mapping[str, Any]] | None = None,
              file: Mapping[str, Any] | None = None) -> dict[str, Any]:
        fields = self.fields
        out = {k: v for k, v in record.items() if k in fields}
        if self.is_none_record(out):
            assert self.none is not None
            return {k: (v if k == self.none.field else None) for k, v in out.items()}
        if self._shown_ev:
            self._new_day()
            get, values = out.get, self._thunk(out, records, file)
            hidden = []
            for key, shown in self._shown_ev:  # every condition sees the record as it came
                try:
                    visible = shown(get, values) is True
                except EvalError:
                    visible = True
                if not visible and not is_empty(get(key)):
                    hidden.append(key)
            for key in hidden:
                out[key] = None
        return out

    def field_states(self, record: Mapping[str, Any], *, records: list[Mapping[str, Any]] | None = None,
                     file: Mapping[str, Any] | None = None) -> dict[str, FieldState]:
        """Whether each field is shown and required for this record, as validation decides it:
        what a form draws (required marks, hidden fields) can never disagree with a save."""
        env = self._env(record, records, file)
        out = {}
        for f in self.view.fields:
            shown = self._cond(f.shown_expr, env, on_error=True)
            out[f.key] = FieldState(shown, shown and f.spec.type != "derived" and self._required(f, env))
        return out

    def fill_defaults(self, record: Mapping[str, Any], *, records: list[Mapping[str, Any]] | None = None,
                      file: Mapping[str, Any] | None = None,
                      unit: Mapping[str, str] | None = None) -> dict[str, Any]:
        """CEL defaults of the fields still empty, computed from what is filled so far (e.g. 出生日期
        from 身份证件号); the values to put in, by field key."""
        env = self._env(record, records, file, unit)
        out: dict[str, Any] = {}
        for f in self.view.fields:
            if f.default_expr is None or not is_empty(record.get(f.key)):
                continue
            try:
                value = f.default_expr(env)
            except EvalError:
                continue  # a default that cannot be computed yet is simply not filled
            if not is_empty(value):
                out[f.key] = value
        return out

    def defaults(self, *, file: Mapping[str, Any] | None = None,
                 unit: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Initial values for a new record (constants and CEL defaults, which may read ``unit``)."""
        out: dict[str, Any] = {}
        env = self._env({}, None, file, unit)
        for f in self.view.fields:
            d = f.spec.default
            if d is None:
                continue
            if f.default_expr is not None:
                try:
                    value = f.default_expr(env)
                except EvalError:
                    continue
                if not is_empty(value):
                    out[f.key] = value
            else:
                out[f.key] = list(d) if isinstance(d, list) else d
        return out

    # -- validation ----------------------------------------------------------------------

    def check_value(self, f: FieldView, value: Any, record: Mapping[str, Any], index: int | None) -> list[Violation]:
        """Structural checks of one non-empty canonical value."""
        check = self._checkers.get(f.key)
        if check is None or self.fields.get(f.key) is not f:
            check = self._checker(f)
        return check(value, record, index) or []

    def _checker(self, f: FieldView) -> Checker:
        """The structural checks of one field, built once: returns None or the violations."""
        s = f.spec
        ft = REGISTRY[s.type]
        stored = _stored(ft.stores)
        plain = ft.stores[0] if len(ft.stores) == 1 and ft.stores[0] is not int else None  # exact type: no bool doubt
        v = self._violation
        wrong = {"expected_zh": ft.zh, "expected_en": ft.en, "example": ft.example}

        def bad_type(value: Any) -> bool:
            return value.__class__ is not plain and not stored(value)

        t = s.type
        if t in ("text", "photo", "attachment"):
            max_length, min_length, pattern = s.max_length, s.min_length, f.pattern
            form = _pattern_args(s)

            def check_text(value: Any, record: Mapping[str, Any], index: int | None) -> list[Violation] | None:
                if bad_type(value):
                    return [v(f, E.V_FORMAT, wrong, index)]
                out = None
                if max_length and len(value) > max_length:
                    out = [v(f, E.V_TOO_LONG, {"max": max_length, "actual": len(value)}, index)]
                if min_length and len(value) < min_length:
                    out = (out or []) + [v(f, E.V_TOO_SHORT, {"min": min_length}, index)]
                if pattern is not None and not pattern.search(value):
                    out = (out or []) + [v(f, E.V_PATTERN, form, index)]
                return out
            return check_text
        if t in ("integer", "decimal", "year"):
            lo, hi = s.min, s.max
            places = s.places if t == "decimal" else None

            def check_number(value: Any, record: Mapping[str, Any], index: int | None) -> list[Violation] | None:
                if bad_type(value):
                    return [v(f, E.V_FORMAT, wrong, index)]
                out = None
                if (lo is not None and value < lo) or (hi is not None and value > hi):
                    code = E.V_RANGE if lo is not None and hi is not None else (E.V_MIN if hi is None else E.V_MAX)
                    out = [v(f, code, {"min": _num(lo), "max": _num(hi)}, index)]
                if places is not None and round(value, places) != value:
                    out = (out or []) + [v(f, E.V_DECIMAL_PLACES, {"places": places}, index)]
                return out
            return check_number
        if t == "date":
            parse_date = REGISTRY["date"].parse

            def check_date(value: Any, record: Mapping[str, Any], index: int | None) -> list[Violation] | None:
                if bad_type(value):
                    return [v(f, E.V_FORMAT, wrong, index)]
                if value in _GOOD_DATES:
                    return None
                if not _DATE_TEXT.fullmatch(value) or parse_date(value, s)[1]:
                    return [v(f, E.V_FORMAT, {"expected_zh": "日期（年-月-日）", "expected_en": "yyyy-MM-dd",
                                              "example": "2008-09-01"}, index)]
                if len(_GOOD_DATES) < 200_000:
                    _GOOD_DATES.add(value)
                return None
            return check_date
        if t == "year_month":
            def check_ym(value: Any, record: Mapping[str, Any], index: int | None) -> list[Violation] | None:
                if bad_type(value):
                    return [v(f, E.V_FORMAT, wrong, index)]
                if not _YM_TEXT.fullmatch(value):
                    return [v(f, E.V_FORMAT, {"expected_zh": "年月（年-月，月份为 01–12）",
                                              "expected_en": "yyyy-MM (month 01–12)",
                                              "example": "2008-09"}, index)]
                return None
            return check_ym
        if t in ("code", "codes") and f.codes is not None:
            codes = f.codes
            many = t == "codes"
            cascade = s.cascade
            exclusive = s.exclusive

            def check_codes(value: Any, record: Mapping[str, Any], index: int | None) -> list[Violation] | None:
                if bad_type(value):
                    return [v(f, E.V_FORMAT, wrong, index)]
                if not many and cascade is None and value in codes.selectable_codes():
                    return None  # the usual case: one selectable code, no cascade
                values = value if many else [value]
                out: list[Violation] = []
                for code in values:
                    if not isinstance(code, str) or code not in codes.by_code:
                        out.append(v(f, E.V_UNKNOWN_CODE, {"value": code}, index))
                    elif not codes.selectable(code):
                        out.append(v(f, E.V_NOT_SELECTABLE, {"value": codes.label(code)}, index))
                if many and len(values) > 1:
                    for code in values:
                        if code in exclusive:
                            out.append(v(f, E.V_EXCLUSIVE, {"value": codes.label(code)}, index))
                if cascade and not out:
                    controller = self.fields.get(cascade.field)
                    parent_value = record.get(cascade.field)
                    if controller is not None and not is_empty(parent_value):
                        allowed = codes.allowed(parent_value, cascade.by)
                        for code in values:
                            if code not in allowed:
                                out.append(v(f, E.V_CASCADE, {
                                    "value": codes.label(code), "parent_label": controller.label("zh")}, index))
                return out or None
            return check_codes

        def check_type(value: Any, record: Mapping[str, Any], index: int | None) -> list[Violation] | None:
            if bad_type(value):
                return [v(f, E.V_FORMAT, wrong, index)]
            return None
        return check_type

    def run(self, raw: Mapping[str, Any], *, records: list[Mapping[str, Any]] | None = None,
            file: Mapping[str, Any] | None = None, index: int | None = None) -> tuple[dict[str, Any], list[Violation]]:
        """Coerce a person's input, clear hidden values and validate: the one entry point for forms,
        imports, the API and the CLI. A value that could not be read is reported once (not also
        as missing)."""
        record, problems = self.coerce(raw, index)
        record = self.clean(record, records=records, file=file)
        unreadable = {v.field for v in problems}
        return record, problems + self.validate(record, records=records, file=file, index=index, skip=unreadable)

    def validate(self, record: Mapping[str, Any], *, records: list[Mapping[str, Any]] | None = None,
                 file: Mapping[str, Any] | None = None, index: int | None = None,
                 skip: set[str] | frozenset[str] = frozenset()) -> list[Violation]:
        """Every violation of one canonical record (run ``clean`` first to clear hidden values).
        Fields in ``skip`` were already reported and get no "required" message."""
        out: list[Violation] = []
        fields = self.fields
        for key in record:
            if key not in fields:
                args = {"field": key, **E.suggestion(key, list(fields))}
                out.append(Violation(self.view.key, key, E.V_UNKNOWN_FIELD, "error",
                                     E.render(E.V_UNKNOWN_FIELD, args, "zh"), E.render(E.V_UNKNOWN_FIELD, args, "en"),
                                     index))
        if self.is_none_record(record):
            for key, value in record.items():
                if key != self.none.field and key in fields and not is_empty(value):  # type: ignore[union-attr]
                    out.append(self._violation(fields[key], E.V_NONE_FILLED, {}, index))
            if records is not None and len(records) > 1:
                # "无" says the set is empty: it cannot stand beside real records
                out.append(self._violation(fields.get(self.none.field), E.V_NONE_NOT_ALONE,  # type: ignore[union-attr]
                                           {"set_label": self.view.spec.label.zh}, index))
            return out
        self._new_day()
        values = self._thunk(record, records, file)
        get = record.get
        for key, f, check, always, required, shown in self._vplan:
            value = get(key)
            if value is None or value == "" or value == []:
                if key not in skip and (always or (required is not None and holds(required, get, values, False))) \
                        and (shown is None or holds(shown, get, values, True)):
                    out.append(self._violation(f, E.V_REQUIRED, {}, index))
                continue
            found = check(value, record, index)
            if found:
                out += found
        self._check_rules(self._rules, get, values, file, index, out)
        return out

    def validate_deferred(self, record: Mapping[str, Any], *, records: list[Mapping[str, Any]] | None = None,
                          file: Mapping[str, Any] | None = None, index: int | None = None) -> list[Violation]:
        """The violations of the rules that read the teacher's file or the set's other records
        (``deferred_rules``), for a record whose own checks passed already (engine.fastrow):
        with those, exactly what ``validate`` returns for it."""
        out: list[Violation] = []
        if self._deferred:
            self._new_day()
            self._check_rules(self._deferred, record.get, self._thunk(record, records, file), file, index, out)
        return out

    def has_rules(self, rule_ids: frozenset[str]) -> bool:
        """Does this family's view have any of these rules (would ``validate_rules`` evaluate anything)?"""
        rules = self._subsets.get(rule_ids)
        if rules is None:
            rules = self._subsets[rule_ids] = [r for r in self._rules if r.rule.id in rule_ids]
        return bool(rules)

    def validate_rules(self, record: Mapping[str, Any], rule_ids: frozenset[str] | set[str], *,
                       records: list[Mapping[str, Any]] | None = None, index: int | None = None) -> list[Violation]:
        """The violations of just these rules (those this family's view has), as ``validate`` reports
        them: what a change of those rules alone can change about a record (web.services.impact)."""
        rules = self._subsets.get(rule_ids) if isinstance(rule_ids, frozenset) else None
        if rules is None:
            rules = [r for r in self._rules if r.rule.id in rule_ids]
            if isinstance(rule_ids, frozenset):
                self._subsets[rule_ids] = rules
        out: list[Violation] = []
        if rules:
            self._new_day()
            self._check_rules(rules, record.get, self._thunk(record, records, None), None, index, out)
        return out

    def _check_rules(self, rules: list[_Rule], get: Callable[[str], Any], values: Callable[[], dict[str, Any]],
                     file: Mapping[str, Any] | None, index: int | None, out: list[Violation]) -> None:
        for r in rules:
            if r.skip_on_empty:
                empty = False
                for k in r.refs:
                    value = get(k)
                    if value is None or value == "" or value == []:
                        empty = True
                        break
                if empty:
                    continue
            if r.reads_file and file is None:
                continue  # a cross-set rule needs the whole file; the completeness check runs it
            if r.when is not None and not holds(r.when, get, values, False):
                continue
            rule = r.rule
            try:
                ok = r.check(get, values)
            except EvalError as exc:
                args = {"rule": rule.id, "detail": str(exc)[:200]}
                where = (rule.spec.fields or [""])[0]
                out.append(Violation(self.view.key, where, E.V_RULE_FAILED, "error",
                                     E.render(E.V_RULE_FAILED, args, "zh"), E.render(E.V_RULE_FAILED, args, "en"),
                                     index))
                continue
            if ok is not True:
                msg = rule.spec.message
                out += [Violation(self.view.key, key, rule.id, rule.spec.severity, msg.zh, msg.en or msg.zh, index)
                        for key in (rule.spec.fields or [""])]

    def _required(self, f: FieldView, env: Env) -> bool:
        req = f.spec.required
        if req is True:
            return True
        if req is False or req is None:
            return False
        return self._cond(f.required_expr, env, on_error=False)


def holds(ev: Evaluator, get: Callable[[str], Any], values: Callable[[], dict[str, Any]], on_error: bool) -> bool:
    """A condition's answer (``_cond`` for evaluators): true only when it evaluates to true."""
    try:
        return ev(get, values) is True
    except EvalError:
        return on_error


def _num(v: float | None) -> str:
    if v is None:
        return "…"
    return str(int(v)) if float(v).is_integer() else str(v)


def iter_records(value: Any) -> Iterable[tuple[int | None, Mapping[str, Any]]]:
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, Mapping):
        return [(None, value)]
    return []
