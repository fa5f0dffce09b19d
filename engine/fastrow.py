"""A compiled fast path for spreadsheet rows: coerce, clean and validate one row in one function.

Why: an import checks every row of every sheet, and the plain path (``SetValidator.coerce`` →
``clean`` → ``validate``) pays for its generality on each cell. Most rows of a real file are
correct, so this module generates, per sheet layout, one Python function that *accepts* a row
only when the plain path would accept it unchanged, and *declines* (returns None) everything
else. A declined row takes the plain path, which finds and words its problems; the fast path
never produces a message, so it cannot produce a wrong one.

What a row must be to be accepted, each test the plain path's own:
- every cell reads as its field type would read it, and passes that field's structural checks
  (both remembered per distinct cell text, per field: codes and months repeat a lot);
- no field is hidden by a ``shown`` condition while filled (clean would change the record),
  none is required and empty, the set's 无 code is not chosen;
- every rule that reads only the record passes (``SetValidator`` evaluators, memoised where
  pure). Rules that read ``file`` or ``records`` need the teacher's whole file: the caller
  runs them later with ``SetValidator.validate_deferred``.

A set whose ``shown``/``required`` conditions read more than the record, or a layout with a
derived column, gets no fast path (``compile_rows`` returns None).

The generated code is built from the validator's own compiled tables (its readers, checkers,
evaluators and rule plan), so both paths share every definition; tests/engine/test_fastrow.py
compares them on every set of every province and family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from engine.celgen import Unsupported, Writer
from engine.expr import EvalError
from engine.validate import NORMALISERS, SetValidator, Violation, holds

_MISS = object()          # not remembered yet, or (stored) declined
_MEMO_MAX = 20_000        # distinct cell texts remembered per field; past it the memo restarts
_NOT_TEXT = ("text", "photo", "attachment")
_COND_VARIABLES = frozenset({"record", "today", "this_year", "school_type"})

RowCheck = Callable[[Sequence[Any]], "tuple[Any, ...] | None"]


@dataclass(frozen=True)
class RowChecker:
    """``check(cells)`` → the row's canonical values in ``keys`` order, or None (take the plain
    path). An empty field's value is None (never "" or [])."""

    check: RowCheck
    keys: tuple[str, ...]
    source: str  # the generated code, for tests and for reading


def _learner(validator: SetValidator, key: str, value_checks: bool) -> tuple[Callable[[Any], Any], dict[str, Any]]:
    """How a field reads a cell it has not seen: the plain reader and (value-only) checker,
    remembered per cell text (returned, for the generated code's own look-up) and per number.
    Answers: the value (a list as a tuple), None (empty) or _MISS (declined)."""
    reader = validator._reader(validator.fields[key])
    checker = validator._checkers[key]
    by_text: dict[str, Any] = {}
    by_number: dict[float, Any] = {}  # apart from texts: 1.0 == True as a key

    def learn(cell: Any) -> Any:
        memo = by_text if cell.__class__ is str else by_number if cell.__class__ is float else None
        if memo is by_number:
            hit = by_number.get(cell, _MISS)
            if hit is not _MISS:
                return hit
        _, value, problem = reader(cell, None)
        filled = not (value is None or value == "" or value == [])
        if problem is not None or (filled and value_checks and checker(value, {}, None)):
            answer: Any = _MISS
        else:
            answer = tuple(value) if isinstance(value, list) else value
        if memo is not None:
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[cell] = answer
        return answer
    return learn, by_text


def _under(condition: str, body: list[str]) -> list[str]:
    """Generated lines ``body`` under ``if condition:``."""
    return [f"if {condition}:"] + ["    " + line for line in body]


def compile_rows(validator: SetValidator, columns: Sequence[tuple[int, str]]) -> RowChecker | None:
    """A fast path for rows whose cell ``j`` holds field ``key`` for each ``(j, key)`` in
    ``columns`` (other cells are ignored), or None when this set or layout has none."""
    view = validator.view
    fields = validator.fields
    keys = tuple(k for _, k in columns)
    if len(set(keys)) != len(keys) or any(k not in fields or fields[k].spec.type == "derived" for k in keys):
        return None
    for f in view.fields:
        for e in (f.shown_expr, f.required_expr):
            if e is not None and not e.variables <= _COND_VARIABLES:
                return None
    present = {k: i for i, k in enumerate(keys)}
    var = {k: f"v{i}" for i, k in enumerate(keys)}
    env: dict[str, Any] = {"MISS": _MISS, "EvalError": EvalError, "HOLDS": holds, "DAY": validator._new_day,
                           "THUNK": lambda record: validator._thunk(record, None, None)}
    writer = Writer(lambda k: var.get(k, "None") if k in fields else None, validator.functions,
                    {"today": "TD[0]", "this_year": "TD[1]", "school_type": repr(view.family)}, env)
    fallbacks = 0  # expressions evaluated the plain way: they need the record as a dict
    # ... built on first need (most rows never reach such an expression: a rule skipped on
    # empty fields, a cascade of an empty code), then kept for the rest of the row
    record_src = "{" + ", ".join(f"{k!r}: {var[k]}" for k in keys) + "}"
    lazy_record = f"(R if R is not None else (R := {record_src}))"
    lazy = {"record": lazy_record, "get": f"{lazy_record}.get",
            "values": f"(V if V is not None else (V := THUNK({lazy_record})))"}

    def written(expr: Any, plain: str, *args: str) -> str:
        """Python source of a condition: written out, or a call of its evaluator."""
        nonlocal fallbacks
        try:
            return writer.write(expr.src)
        except Unsupported:
            fallbacks += 1
            return plain.format(*args, **lazy)

    def empty(key: str) -> str:
        """Python text: is the field empty in the record being built? (absent fields are)"""
        if key not in present:
            return "True"
        return f"({var[key]} is None or {var[key]} == [])" if fields[key].spec.type == "codes" else f"{var[key]} is None"

    read: list[str] = []
    checks: list[str] = []
    # -- read every cell: the value, or decline
    cascades: list[str] = []
    for (j, key) in columns:
        f = fields[key]
        t = f.spec.type
        v = var[key]
        if t in _NOT_TEXT:
            # text: a cell typed as a number, or starting with ' (an export's guard), takes the plain path
            read += [f"x = cells[{j}]", "if x.__class__ is not str or x[:1] == \"'\":", "    return None",
                     f"{v} = x.strip() or None"]
            if key in NORMALISERS:  # a value the plain path would normalise (…x → …X) takes it
                env[f"N_{v}"] = NORMALISERS[key]
                read += [f"if {v} is not None and N_{v}({v}) != {v}:", "    return None"]
            spec = f.spec
            tests = []
            if spec.max_length:
                tests.append(f"len({v}) > {int(spec.max_length)}")
            if spec.min_length:
                tests.append(f"len({v}) < {int(spec.min_length)}")
            if f.pattern is not None:
                env[f"P_{v}"] = f.pattern
                tests.append(f"not P_{v}.search({v})")
            if tests:
                read += [f"if {v} is not None and ({' or '.join(tests)}):", "    return None"]
            continue
        cascade = t in ("code", "codes") and f.spec.cascade is not None
        learn, by_text = _learner(validator, key, value_checks=not cascade)
        env[f"L_{v}"], env[f"T_{v}"] = learn, by_text
        # a cell text seen before is one look-up; anything else (numbers too) asks the learner
        read += [f"{v} = T_{v}.get(cells[{j}], MISS)", f"if {v} is MISS:", f"    {v} = L_{v}(cells[{j}])",
                 f"    if {v} is MISS:", "        return None"]
        if t == "codes":
            read.append(f"if {v} is not None: {v} = list({v})")  # remembered as a tuple: each record its own
        if cascade:
            cascades.append(key)
    none = validator.none
    if none is not None and none.field in present:
        checks += [f"if {var[none.field]} == {none.code!r}:", "    return None"]

    # -- clean: a filled field that its condition hides would change the record: decline
    for i, (key, shown) in enumerate(validator._shown_ev):
        f = fields[key]
        if key not in present:
            continue
        env[f"S{i}"] = shown
        cond = written(f.shown_expr, "HOLDS(S{0}, {get}, {values}, True)", str(i))
        checks += [f"if not ({empty(key)}) and ({cond}) is not True:", "    return None"]

    # -- validate: required (when shown), cascades, then the rules that read only the record
    plainly_required = []
    for i, (key, f, _check, always, required, shown) in enumerate(validator._vplan):
        if not always and required is None:
            continue
        cond = []
        if required is not None and not always:
            env[f"Q{i}"] = required
            cond.append(f"({written(f.required_expr, 'HOLDS(Q{0}, {get}, {values}, False)', str(i))}) is True")
        if shown is not None:
            env[f"W{i}"] = shown
            cond.append(f"({written(f.shown_expr, 'HOLDS(W{0}, {get}, {values}, True)', str(i))}) is True")
        if key not in present and not cond:
            return None  # a required field without a column: every row would be declined
        if not cond:
            plainly_required.append(empty(key))
            continue
        cond = list(dict.fromkeys(cond))  # required when shown, by the same condition: once
        checks += [f"if ({empty(key)}) and {' and '.join(cond)}:", "    return None"]
    if plainly_required:
        checks[:0] = [f"if {' or '.join(plainly_required)}:", "    return None"]
    for key in cascades:
        env[f"C_{var[key]}"] = validator._checkers[key]
        fallbacks += 1
        checks += [f"if not ({empty(key)}) and C_{var[key]}({var[key]}, {lazy_record}, None):", "    return None"]
    for i, r in enumerate(validator._rules):
        if r.deferred:
            continue
        guard = [empty(k) for k in r.refs] if r.skip_on_empty else []
        if "True" in guard:
            continue  # reads a field this layout has not: skipped on every row
        env[f"K{i}"] = r.check
        body = [f"if ({written(r.rule.check, 'K{0}({get}, {values})', str(i))}) is not True:", "    return None"]
        if r.when is not None:
            env[f"H{i}"] = r.when
            # a condition that fails to evaluate skips the rule in the plain path: here it declines
            body = _under(f"({written(r.rule.when, 'HOLDS(H{0}, {get}, {values}, False)', str(i))}) is True", body)
        if guard:
            body = _under(f"not ({' or '.join(guard)})", body)
        checks += body

    lines = ["def check(cells):"] + ["    " + x for x in read]
    if fallbacks:
        lines.append("    R = V = None")
    body = "\n".join(checks)
    if "TD[" in body:
        lines.append("    TD = DAY()")
    # a would-be CEL error in written-out code (Declined, or a helper's own error) declines the row
    if checks:
        lines += ["    try:"] + ["        " + x for x in checks] + ["    except Exception:", "        return None"]
    # an empty list (codes) comes back as None: a fast row's empty fields are all None
    lines.append("    return (" + "".join((f"{var[k]} or None" if fields[k].spec.type == "codes" else var[k]) + ", "
                                          for k in keys) + ")")
    source = "\n".join(lines) + "\n"
    namespace = dict(env)
    exec(compile(source, f"<fast rows of {view.key}>", "exec"), namespace)
    return RowChecker(namespace["check"], keys, source)


Passes = Callable[[Any, Any, Any], bool]


def compile_deferred(validator: SetValidator) -> Passes | None:
    """``passes(record, records, file)``: True when every rule of ``validator.deferred_rules``
    passes for this record, so that ``validate_deferred`` would return nothing; False or an
    exception when it cannot say so (then ask ``validate_deferred``, which words the problems).
    None when a deferred rule is not written out here (it reads ``records`` or ``unit``, or
    something outside engine.celgen's subset)."""
    fields = validator.fields
    rules = validator._deferred
    if not rules or any("." in k for k in fields):
        return None
    env: dict[str, Any] = {"DAY": validator._new_day}
    writer = Writer(lambda k: f"get({k!r})" if k in fields else None, validator.functions,
                    {"file": "FILE", "today": "TD[0]", "this_year": "TD[1]",
                     "school_type": repr(validator.view.family)}, env)
    lines = ["def passes(record, records, file):", "    get = record.get", "    FILE = file if file is not None else {}"]
    for r in rules:
        try:
            check = writer.write(r.rule.check.src)
            cond = writer.write(r.rule.when.src) if r.rule.when is not None else None
        except Unsupported:
            return None
        body = [f"if ({check}) is not True:", "    return False"]
        if cond is not None:  # a condition that is not true skips the rule (an error raises: ask)
            body = _under(f"({cond}) is True", body)
        if r.reads_file:
            body = _under("file is not None", body)
        if r.skip_on_empty and r.refs:  # each value looked up once (the walrus), tested three ways
            body = _under("not (" + " or ".join(f"((_v := get({k!r})) is None or _v == '' or _v == [])"
                                                for k in r.refs) + ")", body)
        lines += ["    " + b for b in body]
    if any("TD[" in line for line in lines):  # today and this year, only for rules that read them
        lines.insert(1, "    TD = DAY()")
    lines.append("    return True")
    namespace = dict(env)
    exec(compile("\n".join(lines) + "\n", f"<deferred rules of {validator.view.key}>", "exec"), namespace)
    return namespace["passes"]  # type: ignore[no-any-return]


class DeferredCheck:
    """``validator.validate_deferred``, asking ``compile_deferred``'s check first: most records
    pass, and then no variables are built; the plain path words any problem."""

    def __init__(self, validator: SetValidator) -> None:
        self.validator = validator
        self._passes = compile_deferred(validator) if validator.deferred_rules else None

    def passes(self, record: Any, records: Any, file: Any) -> bool:
        """True when no deferred rule can fail for this record; False: ask the check itself
        (no compiled check, a rule that fails, or a would-be CEL error)."""
        if self._passes is None:
            return False
        try:
            return self._passes(record, records, file) is True
        except Exception:
            return False

    def __call__(self, record: Any, *, records: Any = None, file: Any = None,
                 index: int | None = None) -> list[Violation]:
        if self.passes(record, records, file):
            return []
        return self.validator.validate_deferred(record, records=records, file=file, index=index)

