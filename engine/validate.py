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
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from engine import errors as E
from engine.compile import CompiledRule
from engine.expr import NO_UNIT, Env, EvalError, Expr, base_values, nest
from engine.fieldtypes import REGISTRY, is_empty
from engine.spec import CodeTable, FieldSpec, SetSpec, Text


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

    @classmethod
    def of(cls, table: CodeTable) -> "Codes":
        c = cls(table)
        for item in table.items:
            c.by_code[item.code] = item
            for text in [item.zh, *(item.aliases)] + ([item.en] if item.en else []):
                c.by_text.setdefault(text.strip(), item.code)
                c.by_text.setdefault(f"{item.code}-{item.zh}", item.code)
                c.by_text.setdefault(f"{item.code} {item.zh}", item.code)
            if item.parent is not None:
                c.children.setdefault(item.parent, []).append(item.code)
        return c

    def lookup(self, raw: Any) -> str | None:
        """A code from its code, label, alias, or "code-label" text; None when unknown."""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = str(raw).strip()
        if text in self.by_code:
            return text
        return self.by_text.get(text)

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


class SetValidator:
    def __init__(self, view: SetView, functions: Mapping[str, Any], *, today: dt.date | None = None) -> None:
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

    # -- helpers -------------------------------------------------------------------------

    def _env(self, record: Mapping[str, Any], records: list[Mapping[str, Any]] | None,
             file: Mapping[str, Any] | None, unit: Mapping[str, str] | None = None) -> Env:
        full = {k: None for k in self.fields}
        full.update(record)
        values = base_values(self.today or _today(), self.view.family)
        values["record"] = nest(full)
        # a record checked on its own is the only record of its set
        values["records"] = [nest(r) for r in records] if records is not None else [values["record"]]
        values["file"] = file if file is not None else {}
        if unit is not None:
            values["unit"] = {**NO_UNIT, **unit}
        return Env(values, self.functions)

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
        return Violation(self.view.key, f.key if f else "", code, severity, zh, en, index)

    def is_none_record(self, record: Mapping[str, Any]) -> bool:
        return self.none is not None and record.get(self.none.field) == self.none.code

    # -- coercion from people's input ----------------------------------------------------

    def coerce(self, raw: Mapping[str, Any], index: int | None = None) -> tuple[dict[str, Any], list[Violation]]:
        """Turn input keyed by field key or label, with codes as code/label/alias and dates as
        text, into a canonical record. Values that cannot be read are reported and left out."""
        record: dict[str, Any] = {}
        problems: list[Violation] = []
        for name, value in raw.items():
            key = name if name in self.fields else self.label_to_key.get(str(name).strip().rstrip("*").strip())
            if key is None:
                args = {"field": name, **E.suggestion(str(name), list(self.fields) + list(self.label_to_key))}
                problems.append(Violation(self.view.key, str(name), E.V_UNKNOWN_FIELD, "error",
                                          E.render(E.V_UNKNOWN_FIELD, args, "zh"),
                                          E.render(E.V_UNKNOWN_FIELD, args, "en"), index))
                continue
            f = self.fields[key]
            if is_empty(value) or (isinstance(value, str) and not value.strip()):
                record[key] = None
                continue
            if f.spec.type == "code" and f.codes is not None:
                code = f.codes.lookup(value)
                if code is None:
                    problems.append(self._violation(f, E.V_UNKNOWN_CODE, {"value": value}, index))
                    continue
                record[key] = code
                continue
            if f.spec.type == "codes" and f.codes is not None:
                items = value if isinstance(value, list) else re.split(r"[,，;；、]", str(value))
                codes, bad = [], None
                for item in items:
                    if str(item).strip() == "":
                        continue
                    code = f.codes.lookup(item)
                    if code is None:
                        bad = item
                        break
                    codes.append(code)
                if bad is not None:
                    problems.append(self._violation(f, E.V_UNKNOWN_CODE, {"value": bad}, index))
                    continue
                record[key] = codes
                continue
            parsed, failure = REGISTRY[f.spec.type].parse(value, f.spec)
            if failure:
                problems.append(self._violation(f, failure[0], failure[1], index))
                continue
            record[key] = parsed
        return record, problems

    # -- cleaning: hidden and none-locked fields are cleared --------------------------------

    def clean(self, record: Mapping[str, Any], *, records: list[Mapping[str, Any]] | None = None,
              file: Mapping[str, Any] | None = None) -> dict[str, Any]:
        out = {k: v for k, v in record.items() if k in self.fields}
        if self.is_none_record(out):
            assert self.none is not None
            return {k: (v if k == self.none.field else None) for k, v in out.items()}
        env = self._env(out, records, file)
        for f in self.view.fields:
            if f.shown_expr is not None and not self._cond(f.shown_expr, env, on_error=True):
                if not is_empty(out.get(f.key)):
                    out[f.key] = None
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
        s = f.spec
        out: list[Violation] = []
        stores = REGISTRY[s.type].stores
        if not isinstance(value, stores) or (isinstance(value, bool) and bool not in stores):
            ft = REGISTRY[s.type]
            return [self._violation(f, E.V_FORMAT, {"expected_zh": ft.zh, "expected_en": ft.en,
                                                    "example": ft.example}, index)]
        if s.type == "text" or s.type in ("photo", "attachment"):
            if s.max_length and len(value) > s.max_length:
                out.append(self._violation(f, E.V_TOO_LONG, {"max": s.max_length, "actual": len(value)}, index))
            if s.min_length and len(value) < s.min_length:
                out.append(self._violation(f, E.V_TOO_SHORT, {"min": s.min_length}, index))
            if f.pattern is not None and not f.pattern.search(value):
                out.append(self._violation(f, E.V_PATTERN, {"pattern": s.pattern}, index))
        elif s.type in ("integer", "decimal", "year"):
            if (s.min is not None and value < s.min) or (s.max is not None and value > s.max):
                out.append(self._violation(f, E.V_RANGE, {"min": _num(s.min), "max": _num(s.max)}, index))
            if s.type == "decimal" and s.places is not None and round(value, s.places) != value:
                out.append(self._violation(f, E.V_DECIMAL_PLACES, {"places": s.places}, index))
        elif s.type == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or REGISTRY["date"].parse(value, s)[1]:
                out.append(self._violation(f, E.V_FORMAT, {"expected_zh": "日期（年-月-日）", "expected_en": "yyyy-MM-dd",
                                                           "example": "2008-09-01"}, index))
        elif s.type == "year_month":
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
                out.append(self._violation(f, E.V_FORMAT, {"expected_zh": "年月（年-月）", "expected_en": "yyyy-MM",
                                                           "example": "2008-09"}, index))
        elif s.type in ("code", "codes") and f.codes is not None:
            values = value if s.type == "codes" else [value]
            for code in values:
                if not isinstance(code, str) or code not in f.codes.by_code:
                    out.append(self._violation(f, E.V_UNKNOWN_CODE, {"value": code}, index))
                elif not f.codes.selectable(code):
                    out.append(self._violation(f, E.V_NOT_SELECTABLE, {"value": f.codes.label(code)}, index))
            if s.type == "codes" and len(values) > 1:
                for code in values:
                    if code in s.exclusive:
                        out.append(self._violation(f, E.V_EXCLUSIVE, {"value": f.codes.label(code)}, index))
            if s.cascade and not out:
                controller = self.fields.get(s.cascade.field)
                parent_value = record.get(s.cascade.field)
                if controller is not None and not is_empty(parent_value):
                    allowed = set(f.codes.options(parent_value, s.cascade.by))
                    for code in values:
                        if code not in allowed:
                            out.append(self._violation(f, E.V_CASCADE, {
                                "value": f.codes.label(code), "parent_label": controller.label("zh")}, index))
        return out

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
        for key in record:
            if key not in self.fields:
                args = {"field": key, **E.suggestion(key, list(self.fields))}
                out.append(Violation(self.view.key, key, E.V_UNKNOWN_FIELD, "error",
                                     E.render(E.V_UNKNOWN_FIELD, args, "zh"), E.render(E.V_UNKNOWN_FIELD, args, "en"),
                                     index))
        if self.is_none_record(record):
            for key, value in record.items():
                if key != self.none.field and key in self.fields and not is_empty(value):  # type: ignore[union-attr]
                    out.append(self._violation(self.fields[key], E.V_NONE_FILLED, {}, index))
            return out
        env = self._env(record, records, file)
        for key, f in self._plan:
            value = record.get(key)
            if value is None or value == "" or value == []:
                if key not in skip and self._required(f, env) and self._cond(f.shown_expr, env, on_error=True):
                    out.append(self._violation(f, E.V_REQUIRED, {}, index))
                continue
            out += self.check_value(f, value, record, index)
        for rule in self.view.rules:
            out += self._run_rule(rule, record, env, file, index)
        return out

    def _required(self, f: FieldView, env: Env) -> bool:
        req = f.spec.required
        if req is True:
            return True
        if req is False or req is None:
            return False
        return self._cond(f.required_expr, env, on_error=False)

    def _run_rule(self, rule: CompiledRule, record: Mapping[str, Any], env: Env,
                  file: Mapping[str, Any] | None, index: int | None) -> list[Violation]:
        if rule.spec.on_empty == "pass" and any(is_empty(record.get(k)) for k in rule.check.refs):
            return []
        if rule.reads_file and file is None:
            return []  # a cross-set rule needs the whole file; the completeness check runs it
        if rule.when is not None:
            try:
                if rule.when(env) is not True:
                    return []
            except EvalError:
                return []
        try:
            ok = rule.check(env)
        except EvalError as exc:
            args = {"rule": rule.id, "detail": str(exc)[:200]}
            where = (rule.spec.fields or [""])[0]
            return [Violation(self.view.key, where, E.V_RULE_FAILED, "error", E.render(E.V_RULE_FAILED, args, "zh"),
                              E.render(E.V_RULE_FAILED, args, "en"), index)]
        if ok is True:
            return []
        msg = rule.spec.message
        return [Violation(self.view.key, key, rule.id, rule.spec.severity, msg.zh, msg.en or msg.zh, index)
                for key in (rule.spec.fields or [""])]


def _today() -> dt.date:
    # one clock read per second is plenty; validation runs thousands of records a second
    now = time.monotonic()
    if now - _TODAY[1] > 1.0:
        _TODAY[0], _TODAY[1] = dt.date.today(), now
    return _TODAY[0]


_TODAY: list[Any] = [dt.date.today(), time.monotonic()]


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
