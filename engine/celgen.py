"""CEL as Python source, for engine.fastrow: exact when it answers, declining when in doubt.

``engine.celfast`` turns an expression into a tree of closures (one call per node). Inside the
generated row function of ``engine.fastrow`` an expression can instead be written out as Python
source that reads the row's local variables directly. The source is built from celfast's parse
tree and calls celfast's own runtime helpers (``_eq``, ``_lt``, ``_in`` …), so every value it
computes is the value celfast (and the CEL package, which celfast is tested against) computes.

What it gives up is error absorption: where CEL would turn an error into an answer
(``false && error`` is false) the generated code simply raises, and the row function declines
the row (it then takes the plain path, which says exactly what CEL says). Anything outside the
subset written here (macros, maps, a bare ``record``) is ``Unsupported``: the caller evaluates
that expression the plain way.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Mapping

from engine import celfast as F


class Unsupported(Exception):
    """The expression (or a node of it) is not written out; evaluate it the plain way."""


class Declined(Exception):
    """The generated code cannot answer exactly (a would-be CEL error, a non-bool operand)."""


def _decline() -> Any:
    raise Declined()


def _bool(v: Any) -> bool:
    if v is True or v is False:
        return v
    raise Declined()


def _sel(c: Any, name: str) -> Any:
    """``c.name`` on a map, as celfast selects (a missing key is an error)."""
    if c.__class__ is dict:
        return c[name]
    raise Declined()


def _has(c: Any, name: str) -> bool:
    if c.__class__ is dict:
        return name in c
    raise Declined()


def _lt(a: Any, b: Any) -> bool:
    return a < b if a.__class__ is str and b.__class__ is str else F._lt(a, b)


def _le(a: Any, b: Any) -> bool:
    return a <= b if a.__class__ is str and b.__class__ is str else F._le(a, b)


def _gt(a: Any, b: Any) -> bool:
    return a > b if a.__class__ is str and b.__class__ is str else F._gt(a, b)


def _ge(a: Any, b: Any) -> bool:
    return a >= b if a.__class__ is str and b.__class__ is str else F._ge(a, b)


RUNTIME: dict[str, Any] = {
    "_decline": _decline, "_bool": _bool, "_sel": _sel, "_has": _has, "_eq": F._eq, "_lt": _lt, "_le": _le, "_gt": _gt, "_ge": _ge,
    "_add": F._add, "_sub": F._sub, "_mul": F._mul, "_div": F._div, "_mod": F._mod, "_neg": F._neg,
    "_not": F._not, "_in": F._in, "_index": F._index, "_size": F._size, "_to_int": F._to_int,
    "_to_double": F._to_double, "_to_string": F._to_string, "_starts": F._STARTS, "_ends": F._ENDS,
    "_contains": F._contains,
}
_ORDER = {"<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge"}
_ARITH = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "%": "_mod"}
_BUILTIN = {"size": "_size", "int": "_to_int", "double": "_to_double", "string": "_to_string"}
_METHODS = {"startsWith": "_starts", "endsWith": "_ends", "contains": "_contains"}


class Writer:
    """Writes expressions of one generated function; shares its constants and temporaries.

    ``field(key)`` names the Python expression holding ``record.<key>`` (None: not a field this
    writer can read); ``constants`` gains the names the source refers to (functions, regexes,
    literal sets) and is the namespace the caller compiles the function in."""

    def __init__(self, field: Callable[[str], str | None], functions: Mapping[str, Callable[..., Any]],
                 variables: Mapping[str, str], constants: dict[str, Any]) -> None:
        self.field = field
        self.functions = functions
        self.variables = variables        # CEL variable → Python expression (today, this_year …)
        self.constants = constants
        self.constants.update(RUNTIME)
        self._ids = itertools.count()

    def write(self, src: str) -> str:
        """Python source of ``src``; raises Unsupported."""
        try:
            tree = F.parse(src)
        except (F.CelSyntaxError, RecursionError):
            raise Unsupported(src) from None
        return self._node(tree)

    def _name(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{next(self._ids)}"
        self.constants[name] = value
        return name

    def _temp(self) -> str:
        return f"_t{next(self._ids)}"

    # -- nodes --------------------------------------------------------------------------
    def _node(self, node: tuple) -> str:
        kind = node[0]
        method = getattr(self, f"_n_{kind}", None)
        if method is None:
            raise Unsupported(kind)
        return method(node)

    def _n_lit(self, node: tuple) -> str:
        value = node[1]
        if value is None or value.__class__ in (bool, int, str):
            return repr(value)
        return self._name("_k", value)  # floats (inf, nan) and anything else as a constant

    def _n_ident(self, node: tuple) -> str:
        expr = self.variables.get(node[1])
        if expr is None:
            raise Unsupported(node[1])  # record as a whole, records, file, unit …
        return expr

    def _record_path(self, node: tuple) -> str | None:
        """``record.a`` → "a", ``record.ns.a`` → "ns.a"; None for anything else."""
        if node[0] != "select":
            return None
        if node[1] == ("ident", "record"):
            return node[2]
        inner = node[1]
        if inner[0] == "select" and inner[1] == ("ident", "record"):
            return f"{inner[2]}.{node[2]}"
        return None

    def _n_select(self, node: tuple) -> str:
        path = self._record_path(node)
        if path is None:  # file.basic.birth_date and the like: a map's key
            return f"_sel({self._node(node[1])}, {node[2]!r})"
        expr = self.field(path)
        if expr is None:
            raise Unsupported("select")
        return expr

    def _n_has(self, node: tuple) -> str:
        path = self._record_path(("select", node[1], node[2]))
        if path is None:
            return f"_has({self._node(node[1])}, {node[2]!r})"
        if self.field(path) is None:
            raise Unsupported("has")
        return "True"  # every field of the set is a key of ``record`` (missing ones are null)

    def _n_index(self, node: tuple) -> str:
        return f"_index({self._node(node[1])}, {self._node(node[2])})"

    def _n_list(self, node: tuple) -> str:
        return "[" + "".join(self._node(i) + ", " for i in node[1]) + "]"

    def _n_unary(self, node: tuple) -> str:
        return f"{'_not' if node[1] == '!' else '_neg'}({self._node(node[2])})"

    def _n_binary(self, node: tuple) -> str:
        op, left, right = node[1], node[2], node[3]
        a = self._node(left)
        if op in ("==", "!=") and right[0] == "lit" and right[1].__class__ is str:
            return f"({a} {op} {right[1]!r})"  # a str never equals a non-str, in CEL as in Python
        if op in ("==", "!=") and right[0] == "lit" and (right[1] is None or right[1].__class__ is bool):
            return f"({a} {'is' if op == '==' else 'is not'} {right[1]!r})"  # only null is null, only true is true
        if op == "in" and right[0] == "list" and right[1] and all(
                i[0] == "lit" and i[1].__class__ is str for i in right[1]):
            choices = self._name("_s", frozenset(i[1] for i in right[1]))
            t = self._temp()
            return f"({t} in {choices} if ({t} := {a}).__class__ is str else False)"
        b = self._node(right)
        if op == "==":
            return f"_eq({a}, {b})"
        if op == "!=":
            return f"(not _eq({a}, {b}))"
        if op in _ORDER:
            return f"{_ORDER[op]}({a}, {b})"
        if op in _ARITH:
            return f"{_ARITH[op]}({a}, {b})"
        if op == "in":
            return f"_in({a}, {b})"
        raise Unsupported(op)

    def _n_and(self, node: tuple) -> str:
        t = self._temp()
        return f"(_bool({self._node(node[2])}) if ({t} := {self._node(node[1])}) is True " \
               f"else False if {t} is False else _decline())"

    def _n_or(self, node: tuple) -> str:
        t = self._temp()
        return f"(True if ({t} := {self._node(node[1])}) is True " \
               f"else _bool({self._node(node[2])}) if {t} is False else _decline())"

    def _n_cond(self, node: tuple) -> str:
        t = self._temp()
        return f"({self._node(node[2])} if ({t} := {self._node(node[1])}) is True " \
               f"else {self._node(node[3])} if {t} is False else _decline())"

    def _n_call(self, node: tuple) -> str:
        name, args = node[1], node[2]
        written = ", ".join(self._node(a) for a in args)
        if (name, len(args)) in F._BUILTIN_CALLS:
            return f"{_BUILTIN[name]}({written})"
        if name in F._BUILTIN_NAMES or name not in self.functions:
            raise Unsupported(name)
        return f"{self._name('_f', self.functions[name])}({written})"

    def _n_method(self, node: tuple) -> str:
        target, name, args = node[1], node[2], node[3]
        t = self._node(target)
        if name == "size" and not args:
            return f"_size({t})"
        if len(args) != 1:
            raise Unsupported(name)
        if name == "matches":
            if args[0][0] != "lit" or args[0][1].__class__ is not str:
                raise Unsupported("matches")
            m = F._matches_fn(args[0][1])
            if m is None:
                raise Unsupported("regex")
            return f"{self._name('_m', m)}({t})"
        helper = _METHODS.get(name)
        if helper is None:
            raise Unsupported(name)
        return f"{helper}({t}, {self._node(args[0])})"
