"""CEL expressions as the engine runs them: compiled once, evaluated per record.

Each expression is compiled by the Rust ``cel`` package (the reference evaluator, and the
syntax check) and, where the expression stays inside the subset that ``engine.celfast``
understands, also into a Python closure that is used instead on the hot path. Both see the
same variables: ``record``, ``records``, ``file``, ``today``, ``this_year``, ``school_type``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import cel

VARIABLES = frozenset({"record", "records", "file", "today", "this_year", "school_type", "unit"})
# ``unit``: the teacher's unit as {"code", "name", "school_type"}; empty strings when unknown.
NO_UNIT = {"code": "", "name": "", "school_type": ""}

# CEL's own functions and operator overloads (what Program.functions() may report besides ours)
CEL_BUILTINS = frozenset({
    "size", "matches", "startsWith", "endsWith", "contains", "int", "uint", "double", "string",
    "bytes", "bool", "has", "all", "exists", "exists_one", "map", "filter", "type", "duration",
    "timestamp", "getFullYear", "getMonth", "getDate", "dyn", "in", "@in", "@not_strictly_false",
    "lowerAscii", "upperAscii", "trim", "split", "join", "replace", "indexOf", "substring",
})

_FIELD_REF = re.compile(r"\brecord\.([a-z][a-z0-9_]*)(?:\.([a-z][a-z0-9_]*))?")
_SET_REF = re.compile(r"\bfile\.([a-z][a-z0-9_]*)(?:\.([a-z][a-z0-9_]*))?")


def record_refs(src: str, namespaces: frozenset[str] = frozenset()) -> set[str]:
    """Field keys an expression reads from ``record`` (``record.gs.x`` → ``gs.x``)."""
    out = set()
    for m in _FIELD_REF.finditer(src):
        if m[2] and m[1] in namespaces:
            out.add(f"{m[1]}.{m[2]}")
        else:
            out.add(m[1])
    return out


def file_refs(src: str) -> set[str]:
    return {m[1] for m in _SET_REF.finditer(src)}


_FILE_FIELD = re.compile(r"\bfile\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\b(?!\s*\()")  # not a method call


def file_fields(src: str) -> dict[str, set[str] | None]:
    """Per set an expression reads through ``file``: the fields it reads (``file.basic.birth_date``;
    ``has(file.basic)`` asks only whether the set is there), or None where it reads the set some
    other way (``file.education.exists(e, …)``, ``size(file.work)``). Whole only when
    ``reads_only_members(src, "file")``."""
    out: dict[str, set[str] | None] = {}
    for set_key in file_refs(src):
        uses = len(re.findall(rf"\bfile\.{set_key}\b", src))
        present = len(re.findall(rf"\bhas\(\s*file\.{set_key}\s*\)", src))
        fields = [m[2] for m in _FILE_FIELD.finditer(src) if m[1] == set_key]
        out[set_key] = set(fields) if len(fields) + present == uses else None
    return out


def reads_only_members(src: str, variable: str) -> bool:
    """Whether every use of ``variable`` in ``src`` selects a member (``record.x``,
    ``file.basic``): then ``record_refs`` / ``file_refs`` name everything the expression reads."""
    return len(re.findall(rf"\b{variable}\b", src)) == len(re.findall(rf"\b{variable}\.[a-z]", src))


class EvalError(Exception):
    pass


def _message(exc: Exception) -> str:
    """What ``Expr.__call__`` says of an evaluation error (celfast's wrapper, then EvalError)."""
    from engine.celfast import CelEvalError

    return str(exc) if isinstance(exc, CelEvalError) else type(exc).__name__


@dataclass
class Expr:
    src: str
    program: Any
    fast: Callable[[Mapping[str, Any]], Any] | None
    refs: set[str]
    variables: set[str]
    functions: set[str]

    def __call__(self, env: "Env") -> Any:
        try:
            if self.fast is not None:
                return self.fast(env.values)
            return self.program.execute(env.context())
        except Exception as exc:  # both evaluators signal errors by raising
            raise EvalError(str(exc)) from None


# An evaluator: (the record's ``get``, a thunk building the variables) → value, or EvalError.
Evaluator = Callable[[Callable[[str], Any], Callable[[], dict[str, Any]]], Any]
_MISS = object()
MEMO_TRIAL = 2048      # look-ups before a memo decides whether it pays
MEMO_MIN_HITS = 0.25   # below this share of hits the memo is dropped (e.g. rules on ID numbers)
MEMO_MAX = 50_000      # entries; a full memo starts again


_IMMUTABLE = frozenset({bool, str, int, float, type(None)})


def _frozen_list(items: list[Any]) -> tuple[Any, ...] | list[Any]:
    """A list of strings as a key; any other list stays a list, which cannot be a key."""
    return tuple(items) if all(x.__class__ is str for x in items) else items


class _Failed:
    """An evaluation error remembered by a memo (re-raised as a new EvalError each time)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def evaluator(expr: Expr, functions: Mapping[str, Callable[..., Any]], fields: Mapping[str, str], *,
              memo: bool = True) -> Evaluator:
    """``expr`` as one validator runs it, for records of a set whose field types are ``fields``.

    An expression that reads nothing but ``record.<field>`` of this set and the constants of one
    day (``today``, ``this_year``, ``school_type``) gives the same answer for the same values of
    those fields, because every domain function is pure (engine/celfuncs.py). Such an
    expression remembers its answers by those values, so that thousands of records with the
    same codes and months cost one evaluation; a memo that is rarely hit (ID numbers, names)
    is dropped after a trial. The caller clears memos when the day changes (``clear``)."""
    raw = getattr(expr.fast, "raw", None)

    def evaluate(values: dict[str, Any]) -> Any:
        try:
            if raw is not None:
                return raw(values)
            return expr.program.execute(Env(values, functions).context())
        except Exception as exc:  # both evaluators signal errors by raising
            raise EvalError(_message(exc) if raw is not None else str(exc)) from None

    refs = tuple(sorted(expr.refs))
    pure = (expr.variables <= {"record", "today", "this_year", "school_type"} and bool(refs)
            and all(k in fields for k in refs) and reads_only_members(expr.src, "record"))
    if not (pure and memo):
        return lambda get, values: evaluate(values())
    answers: dict[Any, Any] | None = {}
    lookups = hits = 0

    def remembered(get: Callable[[str], Any], values: Callable[[], dict[str, Any]]) -> Any:
        nonlocal answers, lookups, hits
        m = answers  # one reference for this call: another thread may drop or clear them meanwhile
        if m is None:
            return evaluate(values())
        # the class is part of the key where Python equality is looser than CEL's (1 == 1.0 == true)
        key = tuple([v if (c := v.__class__) is str or v is None else (c, _frozen_list(v) if c is list else v)
                     for v in map(get, refs)])
        try:
            hit = m.get(key, _MISS)
        except TypeError:  # a value that cannot be a key (a list of other things than strings)
            return evaluate(values())
        lookups += 1
        if hit is not _MISS:
            hits += 1
            if hit.__class__ is _Failed:
                raise EvalError(hit.message)
            return hit
        if lookups >= MEMO_TRIAL and hits < lookups * MEMO_MIN_HITS:
            answers = None
            return evaluate(values())
        if len(m) >= MEMO_MAX:
            m.clear()
        try:
            value = evaluate(values())
        except EvalError as exc:
            m[key] = _Failed(str(exc))
            raise
        if value.__class__ in _IMMUTABLE:  # a list or map answer is never shared between callers
            m[key] = value
        return value

    def clear() -> None:
        nonlocal answers, lookups, hits
        answers, lookups, hits = {}, 0, 0

    remembered.clear = clear  # type: ignore[attr-defined]
    return remembered


@dataclass
class Env:
    """The variables of one evaluation; the Rust context is built at most once."""

    values: dict[str, Any]
    functions: Mapping[str, Callable[..., Any]]
    _ctx: Any = field(default=None, repr=False)

    def context(self) -> Any:
        if self._ctx is None:
            ctx = cel.Context()
            for name, value in self.values.items():
                ctx.add_variable(name, value)
            for name, fn in self.functions.items():
                ctx.add_function(name, fn)
            self._ctx = ctx
        return self._ctx


class LazyEnv(Env):
    """An ``Env`` whose variables are built on first use: a record whose conditions and rules all
    stop early (required fields are plain ``true``, rules skipped on empty fields) never pays
    for building them."""

    def __init__(self, make: Callable[[], dict[str, Any]], functions: Mapping[str, Callable[..., Any]]) -> None:
        self._make: Callable[[], dict[str, Any]] | None = make
        self._values: dict[str, Any] | None = None
        self.functions = functions
        self._ctx = None

    @property  # type: ignore[override]
    def values(self) -> dict[str, Any]:
        if self._values is None:
            assert self._make is not None
            self._values, self._make = self._make(), None
        return self._values


def nest(record: Mapping[str, Any]) -> dict[str, Any]:
    """CEL sees ``gs.bilingual_level`` as ``record.gs.bilingual_level``: nest namespaced keys."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        if "." in k:
            ns, rest = k.split(".", 1)
            out.setdefault(ns, {})[rest] = v
        else:
            out[k] = v
    return out


def base_values(today: dt.date | None = None, school_type: str = "") -> dict[str, Any]:
    today = today or dt.date.today()
    return {"today": today.isoformat(), "this_year": today.year, "school_type": school_type, "unit": NO_UNIT}


def compile_expr(src: str, functions: Mapping[str, Callable[..., Any]],
                 namespaces: frozenset[str] = frozenset()) -> Expr:
    """Compile with the Rust evaluator (raises ValueError on bad syntax) and, if possible, fast."""
    program = cel.compile(src)
    refs = program.references()
    fast = None
    try:
        from engine.celfast import compile_fast
    except ImportError:  # pragma: no cover - celfast is optional for correctness
        compile_fast = None  # type: ignore[assignment]
    if compile_fast is not None:
        try:
            fast = compile_fast(src, functions)
        except Exception:
            fast = None
    return Expr(src, program, fast, record_refs(src, namespaces), set(refs["variables"]), set(refs["functions"]))
