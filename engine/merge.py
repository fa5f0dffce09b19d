"""Stage 2, merge: national core + modules + one province → one resolved catalogue.

An overlay may add (namespaced) sets, fields, code tables, codes and rules; relabel; hide optional
fields; require optional fields; tighten field constraints and rules; add route levels; set a
teacher-number scheme. It may never remove or loosen anything national: each attempt is a
problem citing the overlay's place and the national definition's place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine import errors as E
from engine.errors import Problem
from engine.load import Layer
from engine.source import LocDict, SourceLoc
from engine.spec import (
    CodeTable, FieldSpec, Overlay, RolesFile, Route, RouteKind, RouteStep,
    RuleSpec, SchoolTypesFile, Section, SetSpec, TeacherNumber, Text,
)

DEFAULT_REVIEW_ROLES = ["info_manager", "info_reviewer"]


@dataclass
class ResolvedSet:
    spec: SetSpec  # with overlay fields inserted, labels changed, requirements applied
    hidden: set[str] = field(default_factory=set)
    origin: str = "national"

    @property
    def key(self) -> str:
        return self.spec.set


@dataclass
class Resolved:
    """The merged catalogue of one province (or of the national core alone)."""

    province: str  # "national" for the core alone
    name: Text
    sets: dict[str, ResolvedSet]
    tables: dict[str, CodeTable]
    rules: dict[str, RuleSpec]
    routes: dict[RouteKind, Route]
    routes_loc: dict[RouteKind, SourceLoc]
    roles: RolesFile | None
    school_types: SchoolTypesFile | None
    teacher_number: TeacherNumber | None
    digests: list[str]
    layers: list[str]
    # a province's tighten_rules `also:`, by rule id: (expression, where it was written), compiled on its own
    # first so that a mistake in it is reported at the province's line, not at the national rule's
    also: dict[str, tuple[str, SourceLoc]] = field(default_factory=dict)


def _set_rules(s: SetSpec) -> list[RuleSpec]:
    return [r.model_copy(update={"set": s.set}) for r in s.rules]


def _add_set(out: Resolved, s: SetSpec, origin: str, problems: list[Problem]) -> None:
    if s.set in out.sets:
        problems.append(Problem(E.E_DUP_SET, s.loc, {"set": s.set, "other": str(out.sets[s.set].spec.loc)},
                                other=out.sets[s.set].spec.loc))
        return
    out.sets[s.set] = ResolvedSet(s.model_copy(update={"rules": []}), origin=origin)
    for r in _set_rules(s):
        _add_rule(out, r, problems)


def _add_rule(out: Resolved, r: RuleSpec, problems: list[Problem]) -> None:
    if r.id in out.rules:
        other = out.rules[r.id].loc
        problems.append(Problem(E.E_DUP_RULE, r.loc, {"rule": r.id, "other": str(other)}, other=other))
        return
    if r.set is None:
        problems.append(Problem(E.E_MISSING_KEY, r.loc, {"key": "set"}))
        return
    out.rules[r.id] = r


def _add_table(out: Resolved, t: CodeTable, problems: list[Problem]) -> None:
    if t.table in out.tables:
        other = out.tables[t.table].loc
        problems.append(Problem(E.E_DUP_TABLE, t.loc, {"table": t.table, "other": str(other)}, other=other))
        return
    out.tables[t.table] = t


def merge_core(core: Layer) -> tuple[Resolved, list[Problem]]:
    problems: list[Problem] = []
    out = Resolved(
        province="national", name=Text(zh="全国", en="National"), sets={}, tables={}, rules={},
        routes=dict(core.routes), routes_loc={k: v.loc for k, v in core.routes.items()},
        roles=core.roles, school_types=core.school_types, teacher_number=None,
        digests=[core.digest], layers=["national"],
    )
    for s in sorted(core.sets, key=lambda s: s.order):
        _add_set(out, s, "national", problems)
    for t in core.tables:
        _add_table(out, t, problems)
    for r in core.rules:
        _add_rule(out, r, problems)
    return out, problems


# ------------------------------------------------------------------ overlay operations


def _namespaced(key: str, ns: str, loc: SourceLoc, problems: list[Problem]) -> bool:
    if key.startswith(ns + "."):
        return True
    problems.append(Problem(E.E_NOT_NAMESPACED, loc, {"key": key, "namespace": ns}))
    return False


def _field_index(spec: SetSpec) -> dict[str, FieldSpec]:
    return {f.key: f for f in spec.all_fields()}


def _unknown_field(set_key: str, key: str, spec: SetSpec, loc: SourceLoc) -> Problem:
    keys = list(_field_index(spec))
    return Problem(E.E_UNKNOWN_FIELD, loc, {"set": set_key, "field": key, "allowed": ", ".join(keys),
                                            **E.suggestion(key, keys)})


def _replace_field(spec: SetSpec, key: str, new: FieldSpec) -> SetSpec:
    if spec.fields:
        return spec.model_copy(update={"fields": [new if f.key == key else f for f in spec.fields]})
    sections = [s.model_copy(update={"fields": [new if f.key == key else f for f in s.fields]}) for s in spec.sections]
    return spec.model_copy(update={"sections": sections})


def _insert_field(spec: SetSpec, after: str | None, new: FieldSpec) -> SetSpec:
    def place(fields: list[FieldSpec]) -> list[FieldSpec] | None:
        for i, f in enumerate(fields):
            if f.key == after:
                return fields[:i + 1] + [new] + fields[i + 1:]
        return None

    if spec.fields:
        return spec.model_copy(update={"fields": place(list(spec.fields)) or list(spec.fields) + [new]})
    sections = list(spec.sections)
    for i, s in enumerate(sections):
        placed = place(list(s.fields)) if after else None
        if placed is not None:
            sections[i] = s.model_copy(update={"fields": placed})
            return spec.model_copy(update={"sections": sections})
    last = sections[-1]
    sections[-1] = last.model_copy(update={"fields": list(last.fields) + [new]})
    return spec.model_copy(update={"sections": sections})


_TIGHTER: dict[str, Any] = {
    "max_length": lambda old, new: old is None or new <= old,
    "min_length": lambda old, new: old is None or new >= old,
    "min": lambda old, new: old is None or new >= old,
    "max": lambda old, new: old is None or new <= old,
    "pattern": lambda old, new: old is None or old == new,
}


def _apply_set_overlay(out: Resolved, ov: Overlay, set_key: str, problems: list[Problem]) -> None:
    so = ov.sets[set_key]
    target = out.sets.get(set_key)
    if target is None:
        keys = list(out.sets)
        problems.append(Problem(E.E_UNKNOWN_SET, ov.where("sets", set_key), {"set": set_key, "allowed": ", ".join(keys),
                                                          **E.suggestion(set_key, keys)}))
        return
    spec = target.spec
    for af in so.add_fields:
        existing = _field_index(spec)
        if af.key in existing and not af.key.startswith(ov.namespace + "."):
            other = existing[af.key].loc
            problems.append(Problem(E.E_READD_FIELD, af.where("key"), {"field": af.key, "set": set_key,
                                                                     "other": str(other), "namespace": ov.namespace},
                                    other=other))
            continue
        if not _namespaced(af.key, ov.namespace, af.where("key"), problems):
            continue
        if af.key in existing:
            other = existing[af.key].loc
            problems.append(Problem(E.E_DUP_FIELD, af.where("key"), {"field": af.key, "other": str(other),
                                                            "namespace": ov.namespace}, other=other))
            continue
        if af.after and af.after not in existing:
            problems.append(_unknown_field(set_key, af.after, spec, af.where("after")))
            continue
        plain = FieldSpec.model_validate(af.model_dump(exclude={"after", "loc"}, by_alias=True))
        object.__setattr__(plain, "loc", af.loc)
        plain._raw = af._raw
        spec = _insert_field(spec, af.after, plain)
    fields = _field_index(spec)
    for key, label in so.relabel.items():
        if key not in fields:
            problems.append(_unknown_field(set_key, key, spec, so.where("relabel", key)))
            continue
        merged = Text(zh=label.zh, en=label.en or fields[key].label.en)
        spec = _replace_field(spec, key, fields[key].model_copy(update={"label": merged}))
    fields = _field_index(spec)
    for i, key in enumerate(so.hide):
        if key not in fields:
            problems.append(_unknown_field(set_key, key, spec, so.where("hide", i)))
        elif fields[key].required is not False and not key.startswith(ov.namespace + "."):
            problems.append(Problem(E.E_LOOSEN_HIDE, so.where("hide", i), {"field": key, "other": str(fields[key].loc)},
                                    other=fields[key].loc))
        else:
            target.hidden.add(key)
    for i, key in enumerate(so.require):
        if key not in fields:
            problems.append(_unknown_field(set_key, key, spec, so.where("require", i)))
        else:
            spec = _replace_field(spec, key, fields[key].model_copy(update={"required": True}))
    fields = _field_index(spec)
    for key, patch in so.tighten_fields.items():
        if key not in fields:
            problems.append(_unknown_field(set_key, key, spec, so.where("tighten_fields", key)))
            continue
        update: dict[str, Any] = {}
        for what, new in patch.model_dump(exclude={"loc"}, exclude_none=True).items():
            if what in ("help", "example"):
                update[what] = getattr(patch, what)
                continue
            if what == "required_when":
                old_req = fields[key].required
                if old_req is not True:  # already always required: nothing to add
                    update["required"] = new if old_req is False else f"({old_req}) || ({new})"
                    update["_where"] = patch.where("required_when")
                continue
            old = getattr(fields[key], what)
            if not _TIGHTER[what](old, new):
                problems.append(Problem(E.E_LOOSEN_FIELD, patch.where(what), {"field": key, "what": what,
                                                                      "other": str(fields[key].loc)},
                                        other=fields[key].loc))
            else:
                update[what] = new
        where = update.pop("_where", None)
        patched = fields[key].model_copy(update=update)
        if where is not None:  # the condition's mistakes are the province's: cite its required_when line
            patched._raw = _raw_with(fields[key]._raw, "required", where)
        spec = _replace_field(spec, key, patched)
    if so.filled_by is not None:  # teachers fill 岗位聘任 in this province, say: the forms follow spec.filled_by
        spec = spec.model_copy(update={"filled_by": so.filled_by})
    spec = _assign_fillers(spec, set_key, so.fields_filled_by, so, problems)
    target.spec = spec


_SYSTEM_FILLED = {"derived": ("派生指标", "a derived field"), "readonly": ("只读指标", "a read-only field")}
_SIDES = {"teacher": ("教师本人", "teacher"), "school": ("学校", "school")}


def _assign_fillers(spec: SetSpec, set_key: str, assigned: dict[str, str], so: Any,
                    problems: list[Problem]) -> SetSpec:
    """``fields_filled_by: {field: teacher|school}``: who fills single fields (the rest: the set's filler)."""
    fields = _field_index(spec)
    for key, side in assigned.items():
        where = so.where("fields_filled_by", key)
        f = fields.get(key)
        if f is None:
            problems.append(_unknown_field(set_key, key, spec, where))
            continue
        kind = "derived" if f.type == "derived" else "readonly" if f.readonly else None
        if kind is not None:
            problems.append(Problem(E.E_FILLER_NOT_FILLED, where, {
                "field": key, "kind_zh": _SYSTEM_FILLED[kind][0], "kind_en": _SYSTEM_FILLED[kind][1],
                "side_zh": _SIDES[side][0], "side_en": _SIDES[side][1], "other": str(f.loc)}, other=f.loc))
            continue
        spec = _replace_field(spec, key, f.model_copy(update={"filled_by": side}))
    return spec


def _raw_with(raw: Any, key: str, where: SourceLoc) -> LocDict:
    """A copy of a definition's parsed mapping whose ``key`` is cited at ``where``."""
    out = LocDict(raw or {})
    out.setdefault(key, None)  # where() follows the keys the mapping has
    out.loc = getattr(raw, "loc", where)
    out.key_locs = {**getattr(raw, "key_locs", {}), key: where}
    return out


def _apply_routes(out: Resolved, ov: Overlay, problems: list[Problem]) -> None:
    for kind, route in ov.routes.items():
        here = ov.where("routes", kind)  # the route's own key in the overlay
        if isinstance(route, list):
            steps = []
            for i, lv in enumerate(route):
                step = RouteStep(level=lv, roles=list(DEFAULT_REVIEW_ROLES))
                object.__setattr__(step, "loc", ov.where("routes", kind, i))
                steps.append(step)
            new = Route(steps=steps)
            object.__setattr__(new, "loc", here)
        else:
            new = route
        old = out.routes.get(kind)
        if old is not None:
            levels = {s.level for s in new.steps}
            for step in old.steps:
                if step.level not in levels:
                    problems.append(Problem(E.E_LOOSEN_ROUTE, here, {"route": kind, "level": step.level,
                                                                     "other": str(old.loc)}, other=old.loc))
        out.routes[kind] = new
        out.routes_loc[kind] = here


def _apply_roles(out: Resolved, roles: RolesFile) -> None:
    """A province's roles.yaml adds permissions and roles, or redefines a role by its key."""
    base = out.roles or RolesFile(permissions=[], roles=[])
    perms = {p.key: p for p in base.permissions} | {p.key: p for p in roles.permissions}
    merged = {r.key: r for r in base.roles} | {r.key: r for r in roles.roles}
    out.roles = RolesFile(permissions=list(perms.values()), roles=list(merged.values()))


def apply_overlay(out: Resolved, layer: Layer) -> list[Problem]:
    """Apply one module or province layer to a resolved catalogue, in place."""
    problems: list[Problem] = []
    ov = layer.overlay
    if ov is None:
        return problems
    ns = ov.namespace
    out.layers.append(layer.name)
    out.digests.append(layer.digest)
    for s in layer.sets:
        if _namespaced(s.set, ns, s.where("set"), problems):
            _add_set(out, s, layer.name, problems)
    for t in layer.tables:
        if _namespaced(t.table, ns, t.where("table"), problems):
            _add_table(out, t, problems)
    for r in layer.rules:
        if r.id.startswith(ns + "."):
            _add_rule(out, r, problems)
        else:
            problems.append(Problem(E.E_NOT_NAMESPACED, r.where("id"), {"key": r.id, "namespace": ns}))
    for set_key in ov.sets:
        _apply_set_overlay(out, ov, set_key, problems)
    for table_key, items in ov.add_codes.items():
        table = out.tables.get(table_key)
        if table is None:
            problems.append(Problem(E.E_UNKNOWN_TABLE, ov.where("add_codes", table_key), {"table": table_key,
                                                                **E.suggestion(table_key, list(out.tables))}))
            continue
        have = {i.code: i for i in table.items}
        fresh = []
        for item in items:
            if item.code in have:
                problems.append(Problem(E.E_DUP_CODE, item.where("code"), {"table": table_key, "code": item.code,
                                                                 "other": str(have[item.code].loc)},
                                        other=have[item.code].loc))
            else:
                fresh.append(item)
        out.tables[table_key] = table.model_copy(update={"items": list(table.items) + fresh})
    for t in ov.tighten_rules:
        rule = out.rules.get(t.id)
        if rule is None:
            problems.append(Problem(E.E_UNKNOWN_RULE, t.where("id"), {"rule": t.id, **E.suggestion(t.id, list(out.rules))}))
            continue
        update: dict[str, Any] = {}
        if t.severity is not None:
            if rule.severity == "error" and t.severity == "warning":
                problems.append(Problem(E.E_LOOSEN_RULE, t.where("severity"), {"rule": t.id, "other": str(rule.loc),
                                                                 "detail": "error → warning"}, other=rule.loc))
            update["severity"] = t.severity
        if t.also:
            update["assert_"] = f"({rule.assert_}) && ({t.also})"
            out.also[t.id] = (t.also, t.where("also"))
        if t.message:
            update["message"] = t.message
        new_rule = rule.model_copy(update=update)
        object.__setattr__(new_rule, "loc", rule.loc)
        out.rules[t.id] = new_rule
    if layer.roles is not None:
        _apply_roles(out, layer.roles)
    _apply_routes(out, ov, problems)
    if ov.teacher_number:
        out.teacher_number = ov.teacher_number
    if ov.province:
        out.province, out.name = ov.province, ov.name
    return problems


def merge(core: Layer, overlays: list[Layer]) -> tuple[Resolved, list[Problem]]:
    """Core first, then each overlay in order (modules, then the province)."""
    out, problems = merge_core(core)
    for layer in overlays:
        problems += apply_overlay(out, layer)
    return out, problems


__all__ = ["Resolved", "ResolvedSet", "merge", "merge_core", "apply_overlay", "Section"]
