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


class EvalError(Exception):
    pass


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
