"""Types in rules: what each ``record.<field>`` holds, what each domain function takes, and the
comparisons that compile but can never decide anything.

CEL itself is untyped here (records are maps), so ``age_at(record.birth_date, record.work_start_month)``
compiles and quietly answers 0 for every teacher, and ``record.x != ""`` never fails (an empty field
reads as null and rules skip empty fields). This module walks an expression's syntax tree
(``engine.celfast.parse``) with the set's field types and reports:

- E318 (error): a domain function given a field of a type it cannot read (``FUNCTIONS`` below
  declares each function's parameters in field types);
- E319 (warning): a field compared with ``""`` or tested with ``has()``, which cannot tell an empty
  field (use ``required_when`` / ``length(…) > 0`` with ``on_empty: check``);
- E320 (warning): a field compared with a literal of another kind (a year with ``"2020"``);
- E321 (warning): a code field compared with text that is not one of its table's codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from engine import errors as E
from engine.celfast import CelSyntaxError, parse
from engine.errors import Problem
from engine.source import SourceLoc
from engine.spec import CodeTable, FieldSpec, SetSpec

TEXTS = frozenset({"text", "code", "date", "year_month", "photo", "attachment", "string"})
NUMBERS = frozenset({"integer", "year", "decimal", "int", "double"})


@dataclass(frozen=True)
class Signature:
    params: tuple[frozenset[str], ...]  # the field types (or literal kinds) each parameter takes
    returns: str | None

    def describe(self, name: str) -> str:
        return f"{name}({', '.join('|'.join(sorted(p)) for p in self.params)})"


def _sig(*params: set[str], returns: str | None) -> Signature:
    return Signature(tuple(frozenset(p) for p in params), returns)


# Every domain function of engine.celfuncs (a test keeps the two lists equal). "string" is a
# quoted literal, which may be any of them.
FUNCTIONS: dict[str, Signature] = {
    "length": _sig(TEXTS, returns="int"),
    "id_valid": _sig({"text", "string"}, returns="bool"),
    "permit_valid": _sig({"text", "string"}, returns="bool"),
    "id_birth_date": _sig({"text", "string"}, returns="date"),
    "id_gender": _sig({"text", "string"}, returns="code"),
    "ym": _sig({"date", "year_month", "string"}, returns="year_month"),
    "year_of": _sig({"date", "year_month", "year", "integer", "int", "string"}, returns="int"),
    "age_at": _sig({"date", "string"}, {"date", "string"}, returns="int"),
    "months_between": _sig({"date", "year_month", "string"}, {"date", "year_month", "string"}, returns="int"),
    "code_in": _sig({"text", "string"}, {"code", "string"}, returns="bool"),
    "code_under": _sig({"text", "string"}, {"code", "string"}, {"code", "string"}, returns="bool"),
}
_VARIABLES = {"today": "date", "this_year": "int", "school_type": "string"}
_LITERAL = {str: "string", bool: "bool", int: "int", float: "double", type(None): "null"}
_COMPARE = frozenset({"==", "!=", "<", "<=", ">", ">="})


def _path(node: tuple) -> str | None:
    """``record.x`` → "x", ``record.gd.x`` → "gd.x"; None for anything else."""
    parts: list[str] = []
    while node[0] == "select":
        parts.append(node[2])
        node = node[1]
    if node != ("ident", "record") or not parts:
        return None
    return ".".join(reversed(parts))


class TypeCheck:
    """One expression of one set: ``run`` returns (errors, warnings)."""

    def __init__(self, spec: SetSpec, tables: Mapping[str, CodeTable], loc: SourceLoc) -> None:
        self.fields: dict[str, FieldSpec] = {f.key: f for f in spec.all_fields()}
        self.tables, self.loc = tables, loc
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.guarded: set[str] = set()  # fields compared with null somewhere: the author handles empty
        self.empty_tests: list[tuple[str, str]] = []  # (field, how) of comparisons with "" and has()

    # -- kinds ------------------------------------------------------------------------
    def kind(self, node: tuple) -> str | None:
        key = _path(node) if node[0] == "select" else None
        if key is not None:
            f = self.fields.get(key)
            return f.type if f is not None and f.type != "derived" else None
        if node[0] == "lit":
            return _LITERAL.get(type(node[1]))
        if node[0] == "ident":
            return _VARIABLES.get(node[1])
        if node[0] == "call" and node[1] in FUNCTIONS:
            return FUNCTIONS[node[1]].returns
        return None

    def _field(self, node: tuple) -> FieldSpec | None:
        key = _path(node) if node[0] == "select" else None
        return self.fields.get(key) if key else None

    # -- walk -------------------------------------------------------------------------
    def walk(self, node: Any) -> None:
        if not isinstance(node, tuple) or not node:
            return
        kind = node[0]
        if kind == "macro" and node[3] == "record":
            return  # a macro variable named record hides the record
        if kind == "has":
            key = _path(("select", node[1], node[2]))
            if key in self.fields:
                self.empty_tests.append((key, f"has(record.{key})"))
        elif kind == "binary" and node[1] in _COMPARE:
            self.compare(node[1], node[2], node[3])
            self.compare(node[1], node[3], node[2])
        elif kind == "binary" and node[1] == "in":
            self.member_of(node[2], node[3])
        elif kind == "call" and node[1] in FUNCTIONS:
            self.call(node[1], node[2])
        for part in node[1:]:
            if isinstance(part, tuple):
                self.walk(part)
            elif isinstance(part, list):
                for item in part:
                    if isinstance(item, tuple) and item and isinstance(item[0], tuple):
                        self.walk(item[0])
                        self.walk(item[1])
                    else:
                        self.walk(item)

    def compare(self, op: str, left: tuple, right: tuple) -> None:
        f = self._field(left)
        if f is None or right[0] != "lit":
            return
        value = right[1]
        written = f"record.{f.key} {op} {_literal(value)}"
        if value is None:
            self.guarded.add(f.key)
        elif value == "":
            self.empty_tests.append((f.key, written))
        elif op in ("==", "!=") and not _same_kind(f.type, value):
            self.warnings.append(Problem(E.E_CEL_NEVER_KIND, self.loc, {
                "expr": written, "field": f.key, "type": f.type, "literal": _literal(value),
                "always": "false" if op == "==" else "true"}))
        elif op in ("==", "!=") and f.type == "code" and isinstance(value, str):
            self.code_literal(f, value, written)

    def member_of(self, left: tuple, right: tuple) -> None:
        f = self._field(left)
        if f is None or f.type != "code" or right[0] != "list":
            return
        for item in right[1]:
            if item[0] == "lit" and isinstance(item[1], str) and item[1]:
                self.code_literal(f, item[1], f"record.{f.key} in […{_literal(item[1])}…]")

    def code_literal(self, f: FieldSpec, value: str, written: str) -> None:
        tables = [t for t in [f.codes, *(v.codes for v in f.variants.values())] if t and t in self.tables]
        if not tables or any(value in {i.code for i in self.tables[t].items} for t in tables):
            return
        named = next((i.code for t in tables for i in self.tables[t].items if value in (i.zh, *i.aliases)), None)
        args = {"expr": written, "field": f.key, "table": tables[0], "value": value,
                "fix_zh": f"「{value}」是代码 \"{named}\" 的名称，请写 \"{named}\"" if named else "请写代码表中的代码",
                "fix_en": f"'{value}' is the name of code \"{named}\": write \"{named}\"" if named else "write one of the table's codes"}
        self.warnings.append(Problem(E.E_CEL_NOT_A_CODE, self.loc, args))

    def call(self, name: str, args: list[tuple]) -> None:
        sig = FUNCTIONS[name]
        for i, (arg, accepts) in enumerate(zip(args, sig.params), start=1):
            got = self.kind(arg)
            if got is None or got in accepts:
                continue
            f = self._field(arg)
            what = f"record.{f.key}" if f is not None else _literal(arg[1]) if arg[0] == "lit" else name
            self.errors.append(Problem(E.E_CEL_ARG_TYPE, self.loc, {
                "function": name, "n": i, "arg": what, "got": got, "expected": " | ".join(sorted(accepts - {"string"}) or ["string"]),
                "signature": sig.describe(name)}))

    def run(self, src: str) -> tuple[list[Problem], list[Problem]]:
        try:
            tree = parse(src)
        except (CelSyntaxError, RecursionError):
            return [], []
        self.walk(tree)
        for key, written in self.empty_tests:
            if key not in self.guarded:
                self.warnings.append(Problem(E.E_CEL_EMPTY_TEST, self.loc, {"expr": written, "field": key}))
        return self.errors, self.warnings


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _same_kind(field_type: str, value: Any) -> bool:
    """Whether a value of ``field_type`` can equal the literal ``value`` at all."""
    if field_type == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if field_type in ("integer", "year", "decimal"):
        return isinstance(value, (int, float))
    if field_type == "codes":
        return True  # a list: compared with a list literal, not checked here
    return isinstance(value, str)


def check_expression(src: str, spec: SetSpec, tables: Mapping[str, CodeTable],
                     loc: SourceLoc) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of one compiled expression read against ``spec``'s fields."""
    return TypeCheck(spec, tables, loc).run(src)


__all__ = ["FUNCTIONS", "Signature", "check_expression"]
