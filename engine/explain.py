"""``tmis explain``: what a province's catalogue resolves to, without submitting anything.

For each set: who fills it (and the fields given to the other side), its fields in order with where each comes from (the national file or
the province's, file:line), hidden fields, what is required (always or when), and the set's rules;
then the review routes step by step and the layers (modules, province) applied. Plain text, one
language at a time, so a clerk can read it and a test can compare it.
"""

from __future__ import annotations

from engine.catalogue import Catalogue
from engine.spec import FieldSpec, SetSpec

_T = {  # (zh, en)
    "province": ("省份", "province"), "layers": ("启用的模块与扩展", "layers applied"),
    "none": ("无", "none"), "set": ("信息集", "set"), "filled_by": ("填写方", "filled by"),
    "teacher": ("教师", "teacher"), "school": ("学校", "school"), "authority": ("主管部门", "authority"),
    "one": ("单条", "one record"), "many": ("多条", "several records"), "fields": ("指标", "fields"),
    "required": ("必填", "required"), "required_when": ("条件必填", "required when"),
    "shown": ("显示条件", "shown when"), "hidden": ("已隐藏", "hidden"), "rules": ("规则", "rules"),
    "routes": ("审核流程", "review routes"), "step": ("第 {n} 级", "step {n}"), "roles": ("角色", "roles"),
    "from": ("来自", "from"), "national": ("国家", "national"), "only": ("仅限", "only for"),
    "first_submission": ("首次报送", "first submission"), "addition": ("新增信息", "addition"),
    "change": ("信息变更", "change"), "error": ("错误", "error"), "warning": ("警告", "warning"),
    "when": ("前提", "when"), "version": ("指标版本", "catalogue version"),
}


def _t(key: str, lang: str, **kw: object) -> str:
    zh, en = _T[key]
    return (en if lang == "en" else zh).format(**kw)


def _origin(loc_file: str, lang: str) -> str:
    if loc_file.startswith("provinces/"):
        return f"{_t('province', lang)} {loc_file.split('/')[1]}"
    if loc_file.startswith("modules/"):
        return "module:" + loc_file.split("/")[1]
    return _t("national", lang)


def field_line(f: FieldSpec, hidden: bool, lang: str) -> str:
    parts = [f"{f.key}", f.label.get(lang), f.type + (f":{f.codes}" if f.codes else "")]
    if f.required is True:
        parts.append(_t("required", lang))
    elif isinstance(f.required, str):
        parts.append(f"{_t('required_when', lang)} {f.required}")
    if f.shown:
        parts.append(f"{_t('shown', lang)} {f.shown}")
    if f.filled_by:  # given to one side field by field (a province's fields_filled_by)
        parts.append(f"{_t('filled_by', lang)}: {_t(f.filled_by, lang)}")
    if f.school_types:
        parts.append(f"{_t('only', lang)} {', '.join(f.school_types)}")
    if hidden:
        parts.append(f"[{_t('hidden', lang)}]")
    return "  ".join(parts) + f"    ← {_origin(f.loc.file, lang)} {f.loc}"


def explain_set(cat: Catalogue, spec: SetSpec, lang: str) -> list[str]:
    rs = cat.resolved.sets[spec.set]
    card = _t(spec.cardinality, lang)
    out = [f"{_t('set', lang)} {spec.set}  {spec.label.get(lang)}  ({card}; {_t('filled_by', lang)}: "
           f"{_t(spec.filled_by, lang)})    ← {_origin(spec.loc.file, lang)} {spec.loc}"]
    out.append(f"  {_t('fields', lang)}:")
    for i, f in enumerate(spec.all_fields(), start=1):
        out.append(f"    {i:>2}. {field_line(f, f.key in rs.hidden, lang)}")
    rules = [r for r in cat.resolved.rules.values() if r.set == spec.set]
    if rules:
        out.append(f"  {_t('rules', lang)}:")
        for r in rules:
            when = f"  {_t('when', lang)} {r.when}" if r.when else ""
            out.append(f"    {r.id}  [{_t(r.severity, lang)}]  {r.assert_}{when}    ← {_origin(r.loc.file, lang)} {r.loc}")
            out.append(f"        {r.message.get(lang)}")
    return out


def explain_routes(cat: Catalogue, lang: str) -> list[str]:
    out = [f"{_t('routes', lang)}:"]
    for kind, route in cat.routes.items():
        where = cat.resolved.routes_loc.get(kind, route.loc)
        out.append(f"  {kind} ({_t(kind, lang)})    ← {_origin(where.file, lang)} {where}")
        for n, step in enumerate(route.steps, start=1):
            roles = ", ".join(cat.roles[r].label.get(lang) if r in cat.roles else r for r in step.roles)
            out.append(f"    {_t('step', lang, n=n)}: {step.level}  ({_t('roles', lang)}: {roles})")
    return out


def explain(cat: Catalogue, *, set_key: str | None = None, routes_only: bool = False,
            lang: str = "zh") -> list[str]:
    """The lines ``tmis explain`` prints."""
    layers = [name for name in cat.resolved.layers]
    out = [f"{_t('province', lang)} {cat.province}  {cat.name.get(lang)}  ({_t('version', lang)} {cat.version})",
           f"{_t('layers', lang)}: {', '.join(layers) if layers else _t('none', lang)}", ""]
    if routes_only:
        return out + explain_routes(cat, lang)
    keys = [set_key] if set_key else list(cat.sets)
    for key in keys:
        out += explain_set(cat, cat.sets[key], lang) + [""]
    if not set_key:
        out += explain_routes(cat, lang)
    return out


__all__ = ["explain"]
