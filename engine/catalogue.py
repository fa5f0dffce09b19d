"""The frozen registry of one province: the pipeline's result, built at start-up, used by web.

    sources = load_repo(root)                      # stage 1, load
    resolved, _ = merge(core, [modules…, province]) # stage 2, merge
    Compiler(resolved).run()                       # stage 3, compile
    catalogue.json_schema(set, family)             # stage 4, emit (engine.emit.*)

``build_catalogues(root)`` runs all of it for every province and raises ``DefinitionError``
with every problem if anything is wrong; ``check_repo(root)`` returns the problems instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from engine import errors as E
from engine.compile import Compiler
from engine.errors import DefinitionError, Problem
from engine.load import Sources, load_repo
from engine.merge import Resolved, merge
from engine.source import SourceLoc
from engine.spec import FieldSpec, RoleSpec, Route, RouteKind, SetSpec, TeacherNumber, Text
from engine.validate import Codes, FieldView, SectionView, SetValidator, SetView, Violation, iter_records
from engine.fieldtypes import is_empty

DEFAULT_FAMILY = "primary_secondary"


def _applies(names: list[str] | None, family: str, school_types: Mapping[str, str]) -> bool:
    if names is None:
        return True
    return any(n == family or school_types.get(n) == family for n in names)


@dataclass
class Catalogue:
    """Everything one province's deployment needs to know about its indicators."""

    resolved: Resolved
    compiler: Compiler
    version: str
    _views: dict[tuple[str, str], SetView] = field(default_factory=dict)
    _validators: dict[tuple[str, str], SetValidator] = field(default_factory=dict)

    # -- identity ----------------------------------------------------------------------
    @property
    def province(self) -> str:
        return self.resolved.province

    @property
    def name(self) -> Text:
        return self.resolved.name

    @property
    def sets(self) -> dict[str, SetSpec]:
        return {k: v.spec for k, v in self.resolved.sets.items()}

    @property
    def routes(self) -> dict[RouteKind, Route]:
        return self.resolved.routes

    @property
    def roles(self) -> dict[str, RoleSpec]:
        return {r.key: r for r in self.resolved.roles.roles} if self.resolved.roles else {}

    @property
    def teacher_number(self) -> TeacherNumber | None:
        return self.resolved.teacher_number

    @property
    def families(self) -> list[str]:
        st = self.resolved.school_types
        return [f.key for f in st.families] if st else [DEFAULT_FAMILY]

    def family_label(self, family: str, lang: str = "zh") -> str:
        """A family's name as people call it (中小学, 幼儿园, …); the key where none is given."""
        st = self.resolved.school_types
        found = next((f for f in st.families if f.key == family), None) if st else None
        return found.label.get(lang) if found is not None else family

    @cached_property
    def school_types(self) -> dict[str, str]:
        """School type key → family key."""
        st = self.resolved.school_types
        return {t.key: t.family for t in st.school_types} if st else {}

    def family_of(self, school_type: str | None) -> str:
        if school_type in self.families:
            return str(school_type)
        return self.school_types.get(school_type or "", DEFAULT_FAMILY)

    @cached_property
    def codes(self) -> dict[str, Codes]:
        return {k: Codes.of(t) for k, t in self.resolved.tables.items()}

    @cached_property
    def functions(self) -> dict[str, Any]:
        return self.compiler.functions

    # -- views -------------------------------------------------------------------------
    def set_keys(self, family: str | None = None) -> list[str]:
        fam = self.family_of(family) if family else None
        return [k for k, rs in self.resolved.sets.items()
                if fam is None or _applies(rs.spec.school_types, fam, self.school_types)]

    def _field_view(self, f: FieldSpec, family: str, set_spec: SetSpec) -> FieldView:
        variant = f.variants.get(family) or next(
            (v for k, v in f.variants.items() if self.school_types.get(k) == family), None)
        if variant is not None:
            update = {k: v for k, v in variant.model_dump(exclude={"loc"}).items() if v is not None}
            if variant.label is not None:
                update["label"] = Text(zh=variant.label.zh, en=variant.label.en or f.label.en)
            if variant.help is not None:
                update["help"] = variant.help
            f = f.model_copy(update=update)
        key = set_spec.set
        exprs = self.compiler.expressions
        view = FieldView(
            spec=f,
            required_expr=exprs.get((key, f.required)) if isinstance(f.required, str) else None,
            shown_expr=exprs.get((key, f.shown)) if f.shown else None,
            default_expr=exprs.get((key, f.default.cel)) if hasattr(f.default, "cel") else None,
            codes=self.codes.get(f.codes) if f.codes else None,
            pattern=re.compile(f.pattern) if f.pattern else None,
        )
        if isinstance(f.required, str) and view.required_expr is None:
            # compile it now for a variant's own condition
            view.required_expr = self.compiler.expr(f.required, f.loc, set_spec, {x.key for x in set_spec.all_fields()})
        return view

    def view(self, set_key: str, family: str | None = None) -> SetView:
        fam = self.family_of(family)
        cached = self._views.get((set_key, fam))
        if cached is not None:
            return cached
        rs = self.resolved.sets[set_key]
        spec = rs.spec
        groups = spec.sections or []
        raw_sections = [(g.key, g.label, g.fields) for g in groups] if groups else [("main", spec.label, spec.fields)]
        sections = []
        for key, label, fields in raw_sections:
            views = [self._field_view(f, fam, spec) for f in fields
                     if f.key not in rs.hidden and _applies(f.school_types, fam, self.school_types)]
            if views:
                sections.append(SectionView(key, label, views))
        rules = [r for r in self.compiler.rules.values()
                 if r.spec.set == set_key and _applies(r.spec.school_types, fam, self.school_types)]
        view = SetView(spec, fam, sections, rules)
        self._views[(set_key, fam)] = view
        return view

    def validator(self, set_key: str, family: str | None = None, *, today: dt.date | None = None) -> SetValidator:
        fam = self.family_of(family)
        if today is not None:
            return SetValidator(self.view(set_key, fam), self.functions, today=today)
        cached = self._validators.get((set_key, fam))
        if cached is None:
            cached = self._validators[(set_key, fam)] = SetValidator(self.view(set_key, fam), self.functions)
        return cached

    # -- whole-file operations ---------------------------------------------------------
    def derive(self, set_key: str, family: str | None, file: Mapping[str, Any]) -> dict[str, Any]:
        """Values of the derived fields of ``set_key`` computed from the teacher's other sets."""
        out: dict[str, Any] = {}
        for f in self.view(set_key, family).fields:
            d = f.spec.derived
            if d is None:
                continue
            source_validator = self.validator(d.from_set, family)
            candidates = [r for _, r in iter_records(file.get(d.from_set))
                          if not source_validator.is_none_record(r) and not is_empty(r.get(d.by))
                          and str(r.get(d.by)) not in d.skip]
            if not candidates:
                out[f.key] = None
                continue
            pick = min if d.choose == "min" else max
            chosen = pick(candidates, key=lambda r: str(r.get(d.by)).zfill(12))
            out[f.key] = chosen.get(d.field)
        return out

    def check_file(self, family: str | None, file: Mapping[str, Any], *,
                   today: dt.date | None = None) -> list[Violation]:
        """The completeness check (完整性检测): every set, every record, every rule, and at
        least one record (or a 无 record) in every repeating set."""
        out: list[Violation] = []
        fam = self.family_of(family)
        for key in self.set_keys(fam):
            validator = self.validator(key, fam, today=today)
            spec = self.resolved.sets[key].spec
            value = file.get(key)
            if spec.cardinality == "many":
                records = list(value or [])
                if not records:
                    code = E.V_NO_RECORDS if spec.none else E.V_NO_RECORDS_PLAIN  # only offer 无 where it exists
                    out.append(Violation(key, "", code, "error",
                                         E.render(code, {"set_label": spec.label.zh}, "zh"),
                                         E.render(code, {"set_label": spec.label.en or spec.label.zh}, "en")))
                for i, record in enumerate(records):
                    out += validator.validate(record, records=records, file=file, index=i)
            else:
                out += validator.validate(value or {}, file=file)
        return out

    # -- emitters ------------------------------------------------------------------------
    def json_schema(self, set_key: str, family: str | None = None) -> dict[str, Any]:
        from engine.emit.jsonschema import emit_json_schema

        return emit_json_schema(self.view(set_key, family), self.province, self.version)

    def pydantic_model(self, set_key: str, family: str | None = None) -> type:
        from engine.emit.pydantic_model import emit_pydantic_model

        return emit_pydantic_model(self.view(set_key, family))


def _version(resolved: Resolved) -> str:
    return hashlib.sha256("|".join(resolved.digests).encode()).hexdigest()[:12]


def enabled_modules(sources: Sources, province: str | None) -> tuple[list[str], list[Problem]]:
    """The keys of the modules a province enables (all of them for the core alone or a province
    that does not say), and the problems of its ``modules:`` (an unknown key: E420 with a
    did-you-mean; a module.yaml whose key is not its folder: E421)."""
    problems: list[Problem] = []
    for folder, layer in sources.modules.items():
        ov = layer.overlay
        if ov is not None and ov.module != folder:
            problems.append(Problem(E.E_MODULE_KEY, ov.loc, {"folder": folder, "module": ov.module}))
    layer = sources.provinces.get(province or "")
    choices = layer.overlay.modules if layer is not None and layer.overlay is not None else {}
    for key, choice in choices.items():
        if key not in sources.modules:
            problems.append(Problem(E.E_UNKNOWN_MODULE, choice.loc, {
                "module": key, "allowed": ", ".join(sources.modules) or "—",
                **E.suggestion(key, list(sources.modules))}))
    on = [k for k in sources.modules if choices.get(k) is None or choices[k].enabled]
    return on, problems


def compile_province(sources: Sources, province: str | None) -> tuple[Catalogue | None, list[Problem]]:
    """Merge and compile the core (+ the enabled modules) (+ one province). ``None`` = the core alone."""
    if province == "national":
        province = None
    keys, module_problems = enabled_modules(sources, province)
    overlays = [sources.modules[k] for k in keys]
    if province is not None:
        if province not in sources.provinces:
            args = {"province": province, **E.suggestion(province, list(sources.provinces))}
            return None, [Problem(E.E_NO_PROVINCE, SourceLoc("provinces/"), args)]
        overlays.append(sources.provinces[province])
    problems = [p for layer in [sources.national, *overlays] for p in layer.problems] + module_problems
    resolved, found = merge(sources.national, overlays)
    problems += found
    compiler = Compiler(resolved)
    problems += compiler.run()
    return Catalogue(resolved, compiler, _version(resolved)), problems


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (str(p.loc), p.code, repr(sorted(p.args.items())))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def check_repo(root: Path, provinces: list[str] | None = None) -> tuple[dict[str, Catalogue], list[Problem]]:
    """Compile the core and each province (all by default); return catalogues and problems."""
    sources = load_repo(root)
    problems: list[Problem] = []
    catalogues: dict[str, Catalogue] = {}
    core, found = compile_province(sources, None)
    problems += found
    if core is not None:
        catalogues["national"] = core
    wanted = provinces if provinces is not None else sorted(sources.provinces)
    for code in [c for c in wanted if c != "national"]:
        cat, found = compile_province(sources, code)
        problems += found
        if cat is not None:
            catalogues[code] = cat
    from engine.definitions import CheckInput, check_all as check_definitions

    problems += check_definitions(CheckInput(root, [c for c in wanted if c != "national"], catalogues,
                                             [layer.root for layer in sources.modules.values()]))
    return catalogues, _dedupe(problems)


def warnings_of(catalogues: Mapping[str, "Catalogue"]) -> list[Problem]:
    """The warnings of every catalogue (rules that compile but cannot decide anything), each once."""
    return _dedupe([w for cat in catalogues.values() for w in cat.compiler.warnings])


def build_catalogues(root: Path, provinces: list[str] | None = None) -> dict[str, Catalogue]:
    """Every province's catalogue (plus "national"); raises DefinitionError on any problem.

    Built once per process for the same definitions: the result is reused until a definition
    file changes (name, size or modification time), so app factories and tests can call it freely.
    """
    key = (str(Path(root).resolve()), tuple(provinces) if provinces is not None else None, _signature(Path(root)))
    cached = _BUILT.get(key)
    if cached is not None:
        return dict(cached)
    catalogues, problems = check_repo(root, provinces)
    if problems:
        raise DefinitionError(problems)
    for old in [k for k in _BUILT if k[0] == key[0] and k[2] != key[2]]:
        del _BUILT[old]  # an edited definition replaces the catalogues built from the old one
    _BUILT[key] = catalogues
    return dict(catalogues)


_BUILT: dict[tuple[Any, ...], dict[str, Catalogue]] = {}


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = []
    for top in ("schemas", "rules", "provinces", "modules", "workflows"):
        for p in sorted((root / top).rglob("*.yaml")):
            st = p.stat()
            files.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(files)


def repo_root() -> Path:
    """The checkout's root (where schemas/ lives), for tools run from the source tree."""
    return Path(__file__).resolve().parent.parent
