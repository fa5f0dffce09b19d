"""Stage 3, compile: check every definition the merge produced and turn it into callables.

Fails loudly: every CEL expression is parsed and its field references checked against the set,
every code reference against its table, every route against the known levels and roles.
Nothing is silently skipped: a problem anywhere is a problem in the report.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from engine import errors as E
from engine.errors import Problem
from engine.expr import CEL_BUILTINS, VARIABLES, Expr, compile_expr, file_refs, record_refs
from engine.exprhints import label_problems
from engine.exprtypes import check_expression
from engine.fieldtypes import REGISTRY
from engine.merge import Resolved
from engine.source import SourceLoc
from engine.spec import LEVEL_ORDER, FieldSpec, RuleSpec, SetSpec

_MACRO_VAR = re.compile(r"\.(?:all|exists|exists_one|map|filter)\(\s*([A-Za-z_]\w*)\s*,")
_TN_PART = re.compile(r"\{(region|unit|seq):(\d+)\}")


def domain_functions(tables: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """The functions rules may call: engine.celfuncs' table plus the code-table functions."""
    from engine import celfuncs

    out = celfuncs.callables({key: {i.code: i.parent for i in t.items} for key, t in tables.items()})
    for name in _MEMO:  # rules call them several times per record with the same ID number
        if name in out:
            out[name] = functools.lru_cache(maxsize=4096)(out[name])
    return out


_MEMO = ("id_valid", "permit_valid", "id_birth_date", "id_gender")


@dataclass
class CompiledRule:
    spec: RuleSpec
    check: Expr
    when: Expr | None
    reads_records: bool
    reads_file: bool

    @property
    def id(self) -> str:
        return self.spec.id


class Compiler:
    """Checks a resolved catalogue and compiles its expressions; collects problems."""

    def __init__(self, resolved: Resolved) -> None:
        self.r = resolved
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # rules that compile but cannot decide anything (tmis check prints them)
        self.functions = domain_functions(resolved.tables)
        self.namespaces = frozenset(k.split(".")[0] for s in resolved.sets.values()
                                    for k in [f.key for f in s.spec.all_fields()] + [s.key] if "." in k)
        self.expressions: dict[tuple[str, str], Expr] = {}
        self.rules: dict[str, CompiledRule] = {}
        fam = resolved.school_types
        self.families = {f.key for f in fam.families} if fam else set()
        self.school_types = {t.key: t.family for t in fam.school_types} if fam else {}

    # -- expressions -----------------------------------------------------------------

    def expr(self, src: str, loc: SourceLoc, set_spec: SetSpec, fields: set[str]) -> Expr | None:
        cache_key = (set_spec.set, src)
        if cache_key in self.expressions:
            self.warnings += check_expression(src, set_spec, self.r.tables, loc)[1]  # said at each place
            return self.expressions[cache_key]
        try:
            compiled = compile_expr(src, self.functions, self.namespaces)
        except ValueError as exc:
            labels = label_problems(src, loc, set_spec, self.r.tables, record_refs(src, self.namespaces))
            self.problems += labels or [Problem(E.E_CEL_SYNTAX, loc, {"detail": str(exc).splitlines()[0]})]
            return None
        ok = True
        bound = set(_MACRO_VAR.findall(src))
        for var in sorted(compiled.variables - VARIABLES - bound):
            self.problems.append(Problem(E.E_CEL_VARIABLE, loc, {"variable": var}))
            ok = False
        for key in sorted(compiled.refs - fields):
            self.problems.append(Problem(E.E_CEL_FIELD, loc, {"set": set_spec.set, "field": key,
                                                              **E.suggestion(key, sorted(fields))}))
            ok = False
        for set_key in sorted(file_refs(src) - set(self.r.sets)):
            self.problems.append(Problem(E.E_UNKNOWN_SET, loc, {"set": set_key, "allowed": ", ".join(self.r.sets),
                                                                **E.suggestion(set_key, list(self.r.sets))}))
            ok = False
        known = set(self.functions) | CEL_BUILTINS
        for fn in sorted(compiled.functions):
            if not fn.isidentifier() or fn.startswith("_") or fn in known:
                continue
            self.problems.append(Problem(E.E_CEL_FUNCTION, loc, {"function": fn,
                                                                 **E.suggestion(fn, sorted(self.functions))}))
            ok = False
        if not ok:
            return None
        errors, warnings = check_expression(src, set_spec, self.r.tables, loc)
        self.problems += errors
        self.warnings += warnings
        if errors:
            return None
        self.expressions[cache_key] = compiled
        return compiled

    # -- checks ------------------------------------------------------------------------

    def check_family_names(self, names: list[str] | None, loc: SourceLoc) -> None:
        for name in names or []:
            if name not in self.families and name not in self.school_types:
                choices = sorted(self.families | set(self.school_types))
                self.problems.append(Problem(E.E_UNKNOWN_FAMILY, loc, {"name": name, **E.suggestion(name, choices)}))

    def check_table(self, table_key: str | None, loc: SourceLoc) -> bool:
        """Whether ``table_key`` names a code table (None: no table asked for); E210 at ``loc`` if not."""
        if table_key is None or table_key in self.r.tables:
            return table_key is not None
        self.problems.append(Problem(E.E_UNKNOWN_TABLE, loc, {"table": table_key,
                                                              **E.suggestion(table_key, list(self.r.tables))}))
        return False

    def check_codes(self, table_key: str | None, codes: list[str], loc: SourceLoc) -> None:
        if table_key is None:
            return
        table = self.r.tables.get(table_key)
        if table is None:
            self.problems.append(Problem(E.E_UNKNOWN_TABLE, loc, {"table": table_key,
                                                                  **E.suggestion(table_key, list(self.r.tables))}))
            return
        have = {i.code for i in table.items}
        for code in codes:
            if code not in have:
                self.problems.append(Problem(E.E_UNKNOWN_CODE, loc, {"table": table_key, "code": code}))

    def check_field(self, s: SetSpec, f: FieldSpec, fields: set[str]) -> None:
        ftype = REGISTRY[f.type]
        for what in ("max_length", "min_length", "pattern", "min", "max", "places"):
            if getattr(f, what) is not None and what not in ftype.constraints:
                self.problems.append(Problem(E.E_BAD_CONSTRAINT, f.where(what), {"field": f.key, "what": what, "type": f.type}))
        if f.pattern:
            try:
                re.compile(f.pattern)
            except re.error as exc:
                self.problems.append(Problem(E.E_BAD_PATTERN, f.where("pattern"), {"detail": str(exc)}))
        if self.check_table(f.codes, f.where("codes")) and f.exclusive:
            self.check_codes(f.codes, list(f.exclusive), f.where("exclusive"))
        for variant in f.variants.values():
            self.check_table(variant.codes, variant.where("codes"))
        if f.type in ("code", "codes") and isinstance(f.default, (str, list)) and f.codes in self.r.tables:
            self.check_codes(f.codes, [f.default] if isinstance(f.default, str) else list(f.default), f.where("default"))
        self.check_family_names(f.school_types, f.where("school_types"))
        self.check_family_names(list(f.variants), f.where("variants"))
        if f.cascade and f.cascade.field not in fields:
            self.problems.append(Problem(E.E_UNKNOWN_FIELD, f.cascade.where("field"), {
                "set": s.set, "field": f.cascade.field, "allowed": ", ".join(sorted(fields)),
                **E.suggestion(f.cascade.field, sorted(fields))}))
        if f.derived:
            self.check_derived(f)
        for what in ("required", "shown"):
            value = getattr(f, what)
            if isinstance(value, str):
                written = "required_when" if what == "required" and f._raw and "required_when" in f._raw else what
                self.expr(value, f.where(written), s, fields)
        if f.default is not None and hasattr(f.default, "cel"):
            self.expr(f.default.cel, f.default.where("cel"), s, fields)

    def check_derived(self, f: FieldSpec) -> None:
        d = f.derived
        assert d is not None
        source = self.r.sets.get(d.from_set)
        if source is None:
            self.problems.append(Problem(E.E_BAD_DERIVED, d.where("from_set"), {"field": f.key, "detail": f"no set '{d.from_set}'"}))
            return
        keys = {x.key for x in source.spec.all_fields()}
        for what, part in (("field", d.field), ("by", d.by)):
            if part not in keys:
                self.problems.append(Problem(E.E_BAD_DERIVED, d.where(what), {
                    "field": f.key, "detail": f"set '{d.from_set}' has no field '{part}'"
                    + E.suggestion(part, sorted(keys))["suggestion_en"]}))

    def check_set(self, s: SetSpec) -> None:
        fields = {f.key for f in s.all_fields()}
        self.check_family_names(s.school_types, s.where("school_types"))
        seen: dict[str, FieldSpec] = {}
        for f in s.all_fields():
            if f.key in seen:
                self.problems.append(Problem(E.E_DUP_FIELD, f.where("key"), {"field": f.key, "other": str(seen[f.key].loc),
                                                                    "namespace": "<ns>"}, other=seen[f.key].loc))
            seen[f.key] = f
            self.check_field(s, f, fields)
        if s.none:
            if s.none.field not in fields:
                self.problems.append(Problem(E.E_UNKNOWN_FIELD, s.none.where("field"), {
                    "set": s.set, "field": s.none.field, "allowed": ", ".join(sorted(fields)),
                    **E.suggestion(s.none.field, sorted(fields))}))
            else:
                self.check_codes(seen[s.none.field].codes, [s.none.code], s.none.where("code"))

    def check_rule(self, rule: RuleSpec) -> None:
        rs = self.r.sets.get(rule.set or "")
        if rs is None:
            keys = list(self.r.sets)
            self.problems.append(Problem(E.E_UNKNOWN_SET, rule.where("set"), {"set": rule.set, "allowed": ", ".join(keys),
                                                                     **E.suggestion(str(rule.set), keys)}))
            return
        fields = {f.key for f in rs.spec.all_fields()}
        for i, key in enumerate(rule.fields):
            if key not in fields:
                self.problems.append(Problem(E.E_UNKNOWN_FIELD, rule.where("fields", i), {
                    "set": rs.key, "field": key, "allowed": ", ".join(sorted(fields)),
                    **E.suggestion(key, sorted(fields))}))
        self.check_family_names(rule.school_types, rule.where("school_types"))
        if rule.id in self.r.also:  # a province's added condition: its own mistakes at its own line
            also, where = self.r.also[rule.id]
            if self.expr(also, where, rs.spec, fields) is None:
                return
        check = self.expr(rule.assert_, rule.where("assert"), rs.spec, fields)
        when = self.expr(rule.when, rule.where("when"), rs.spec, fields) if rule.when else None
        if check is None or (rule.when and when is None):
            return
        used = check.variables | (when.variables if when else set())
        self.rules[rule.id] = CompiledRule(rule, check, when, "records" in used, "file" in used)

    def check_routes(self) -> None:
        roles = {r.key for r in self.r.roles.roles} if self.r.roles else None
        for kind, route in self.r.routes.items():
            loc = self.r.routes_loc.get(kind, route.loc)
            levels = [s.level for s in route.steps]

            def at(i: int) -> SourceLoc:  # the step itself, where it was written on a line of its own
                step = route.steps[i] if i < len(route.steps) else None
                return step.loc if step is not None and step.loc.line else loc

            if not levels or levels[0] != "school":
                self.problems.append(Problem(E.E_ROUTE_ORDER, at(0), {"route": kind, "detail": "must start at school"}))
            ranks = [LEVEL_ORDER.index(lv) for lv in levels]
            if ranks != sorted(set(ranks)):
                bad = next(i for i in range(1, len(ranks)) if ranks[i] <= ranks[i - 1])
                self.problems.append(Problem(E.E_ROUTE_ORDER, at(bad), {"route": kind, "detail": " → ".join(levels)}))
            for step in route.steps:
                for role in step.roles:
                    if roles is not None and role not in roles:
                        self.problems.append(Problem(E.E_UNKNOWN_ROLE, step.where("roles") if step.loc.line else loc,
                                                     {"role": role, **E.suggestion(role, sorted(roles))}))

    def check_roles(self) -> None:
        if not self.r.roles:
            return
        perms = {p.key for p in self.r.roles.permissions}
        for role in self.r.roles.roles:
            for p in role.permissions:
                if perms and p not in perms:
                    self.problems.append(Problem(E.E_UNKNOWN_PERMISSION, role.where("permissions"), {
                        "role": role.key, "permission": p, **E.suggestion(p, sorted(perms))}))

    def check_tables(self) -> None:
        for t in self.r.tables.values():
            codes = {i.code for i in t.items}
            for i in t.items:
                if i.parent is not None and i.parent not in codes:
                    self.problems.append(Problem(E.E_PARENT, i.where("parent"), {"table": t.table, "code": i.code, "parent": i.parent}))

    def check_teacher_number(self) -> None:
        tn = self.r.teacher_number
        if tn is None:
            return
        rest = _TN_PART.sub("", tn.format)
        parts = [m[1] for m in _TN_PART.finditer(tn.format)]
        if rest or "seq" not in parts or len(parts) != len(set(parts)):
            self.problems.append(Problem(E.E_TEACHER_NUMBER, tn.where("format"), {"detail": tn.format}))

    def run(self) -> list[Problem]:
        self.check_tables()
        for rs in self.r.sets.values():
            self.check_set(rs.spec)
        for rule in self.r.rules.values():
            self.check_rule(rule)
        self.check_routes()
        self.check_roles()
        self.check_teacher_number()
        return self.problems
