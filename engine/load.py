"""Stage 1, load: YAML files → strict typed spec models. The only stage that reads files.

Layout read (see docs/rule-language.md):

    schemas/school_types.yaml   families and school types
    schemas/roles.yaml          permissions and roles
    schemas/sets/*.yaml         one information set per file
    schemas/codes/*.yaml        code tables
    rules/*.yaml                rules (``rules:``) and review routes (``routes:``)
    provinces/<code>/overlay.yaml, sets/, codes/, rules/
    modules/<name>/module.yaml, sets/, codes/, rules/

Every problem is collected (not just the first) and reported with file and line.
"""

from __future__ import annotations

import hashlib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from engine import errors as E
from engine.errors import Problem
from engine.source import DuplicateKey, LocDict, SourceLoc, loc_at, parse_yaml
from engine.spec import (
    CodeFile, CodeTable, Overlay, Route, RouteKind, RolesFile, RoutesFile, RuleFile,
    RuleSpec, SchoolTypesFile, SetSpec, Strict,
)

M = TypeVar("M", bound=BaseModel)


@dataclass
class Layer:
    """Definitions from one origin: the national core, one module or one province."""

    name: str  # "national", "module:<key>", "province:<code>"
    root: Path
    overlay: Overlay | None = None
    sets: list[SetSpec] = field(default_factory=list)
    tables: list[CodeTable] = field(default_factory=list)
    rules: list[RuleSpec] = field(default_factory=list)
    routes: dict[RouteKind, Route] = field(default_factory=dict)
    routes_loc: SourceLoc | None = None
    roles: RolesFile | None = None
    school_types: SchoolTypesFile | None = None
    digest: str = ""
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


@dataclass
class Sources:
    national: Layer
    modules: dict[str, Layer]
    provinces: dict[str, Layer]
    problems: list[Problem]


# ------------------------------------------------------------------ model conversion


def _unwrap(annotation: Any) -> list[type[BaseModel]]:
    """The Strict models an annotation can hold (through Optional, list, dict, unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin in (list, tuple, set, typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _unwrap(a)]
    if origin is dict:
        return _unwrap(typing.get_args(annotation)[1])
    return []


def _model_at(model: type[BaseModel], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """Which model class sits at ``path`` (a pydantic error location) below ``model``."""
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        names = {(f.alias or n): n for n, f in current.model_fields.items()}
        if part in names:
            candidates = _unwrap(current.model_fields[names[part]].annotation)
            current = candidates[0] if len(candidates) == 1 else (candidates or [None])[0]
            if len(candidates) > 1:
                # a union of models: the next path part (pydantic's tag) names the member
                current = candidates  # type: ignore[assignment]
        elif isinstance(current, list):
            match = [c for c in current if c.__name__ == part]
            current = match[0] if match else current[0]
        else:
            # a dict key (e.g. a set key in an overlay): stay on the value model
            continue
    if isinstance(current, list):
        return current[0]
    return current


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [(f.alias or n) for n, f in model.model_fields.items() if n != "loc"]


def _problems_from(exc: ValidationError, model: type[BaseModel], raw: Any, path: Path) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors():
        where = tuple(err["loc"])
        loc = loc_at(raw, where) or SourceLoc(str(path))
        key = next((str(p) for p in reversed(where) if isinstance(p, str) and p[:1].islower()), "")
        if err["type"] == "extra_forbidden":
            owner = _model_at(model, where[:-1])
            if owner is not None and owner.__name__ == "FieldPatch" and where[-1] == "required":
                field = next((str(p) for p in reversed(where[:-1]) if isinstance(p, str)), "")
                out.append(Problem(E.E_LOOSEN_REQUIRED, loc, {"field": field}))
                continue
            allowed = _allowed_keys(owner) if owner else []
            args = {"key": where[-1], "allowed": ", ".join(allowed), **E.suggestion(str(where[-1]), allowed)}
            out.append(Problem(E.E_UNKNOWN_KEY, loc, args))
        elif err["type"] == "missing":
            out.append(Problem(E.E_MISSING_KEY, loc, {"key": where[-1]}))
        else:
            detail = err["msg"].removeprefix("Value error, ")
            out.append(Problem(E.E_BAD_VALUE, loc, {"key": key, "detail": detail}))
    # pydantic reports a bad union once per member; keep one report per place and kind
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for p in out:
        k = (str(p.loc), p.code, str(p.args.get("key")))
        if k not in seen:
            seen.add(k)
            unique.append(p)
    return unique


def attach_locations(model: Any, raw: Any) -> None:
    """Copy each mapping's file:line onto the model built from it (models are frozen)."""
    if isinstance(model, Strict):
        if isinstance(raw, LocDict):
            object.__setattr__(model, "loc", raw.loc)
            model._raw = raw
            for name, info in type(model).model_fields.items():
                key = info.alias or name
                if key in raw:
                    attach_locations(getattr(model, name), raw[key])
    elif isinstance(model, list) and isinstance(raw, list):
        for m, r in zip(model, raw):
            attach_locations(m, r)
    elif isinstance(model, dict) and isinstance(raw, dict):
        for k, m in model.items():
            if k in raw:
                attach_locations(m, raw[k])


def build(model: type[M], raw: Any, path: Path) -> tuple[M | None, list[Problem]]:
    try:
        obj = model.model_validate(raw)
    except ValidationError as exc:
        return None, _problems_from(exc, model, raw, path)
    attach_locations(obj, raw)
    return obj, []


# ------------------------------------------------------------------ files


def read_yaml(path: Path, rel: str) -> tuple[Any, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(E.E_FILE_KIND, SourceLoc(rel), {"detail": str(exc)})]
    try:
        return parse_yaml(text, rel), []
    except DuplicateKey as dup:
        return None, [Problem(E.E_DUPLICATE_KEY, dup.second, {"key": dup.key, "first": str(dup.first)})]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        loc = SourceLoc(rel, mark.line + 1, mark.column + 1) if mark else SourceLoc(rel)
        return None, [Problem(E.E_YAML, loc, {"detail": exc.problem or str(exc)})]
    except yaml.YAMLError as exc:
        return None, [Problem(E.E_YAML, SourceLoc(rel), {"detail": str(exc)})]


_KINDS: dict[str, type[BaseModel]] = {
    "set": SetSpec, "tables": CodeFile, "rules": RuleFile, "routes": RoutesFile,
    "roles": RolesFile, "school_types": SchoolTypesFile, "province": Overlay, "module": Overlay,
}


def _kind_of(raw: Any, rel: str) -> tuple[type[BaseModel] | None, list[Problem]]:
    if isinstance(raw, LocDict):
        for key in raw:
            if key in _KINDS:
                return _KINDS[key], []
    loc = getattr(raw, "loc", SourceLoc(rel))
    first = next(iter(raw), "") if isinstance(raw, dict) else type(raw).__name__
    args = {"detail": f"{rel} ({first})", **E.suggestion(str(first), list(_KINDS))}
    return None, [Problem(E.E_FILE_KIND, loc, args)]


def load_file(path: Path, repo: Path) -> tuple[BaseModel | None, list[Problem]]:
    """One definition file; its problems cite it relative to the repository root ``repo``."""
    rel = _rel(path, repo)
    raw, problems = read_yaml(path, rel)
    if problems:
        return None, problems
    kind, problems = _kind_of(raw, rel)
    if kind is None:
        return None, problems
    return build(kind, raw, path)


def _rel(path: Path, repo: Path) -> str:
    try:
        return str(path.resolve().relative_to(repo))
    except ValueError:
        return str(path)


def _digest(paths: list[Path], repo: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(_rel(p, repo).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def _collect(layer: Layer, paths: list[Path], repo: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        obj, found = load_file(path, repo)
        problems += found
        if isinstance(obj, SetSpec):
            layer.sets.append(obj)
        elif isinstance(obj, CodeFile):
            layer.tables += obj.tables
        elif isinstance(obj, RuleFile):
            layer.rules += obj.rules
        elif isinstance(obj, RoutesFile):
            layer.routes.update(obj.routes)
            layer.routes_loc = obj.loc
        elif isinstance(obj, RolesFile):
            layer.roles = obj
        elif isinstance(obj, SchoolTypesFile):
            layer.school_types = obj
        elif isinstance(obj, Overlay):
            layer.overlay = obj
    layer.digest = _digest(paths, repo)
    layer.files = [_rel(p, repo) for p in paths]
    return problems


def _yaml_files(*dirs: Path) -> list[Path]:
    return sorted(p for d in dirs if d.is_dir() for p in d.glob("*.yaml"))


def load_layer(name: str, root: Path, *, head: str | None = None,
               repo: Path | None = None) -> tuple[Layer, list[Problem]]:
    """Load one folder: the national core (the repository root) or a province/module folder
    (``repo`` is then the repository root, two levels up by default)."""
    repo = (repo or (root if name == "national" else root.parent.parent)).resolve()
    layer = Layer(name=name, root=root)
    if name == "national":
        paths = _yaml_files(root / "schemas", root / "schemas" / "sets", root / "schemas" / "codes", root / "rules")
    else:
        head_path = root / (head or "overlay.yaml")
        paths = ([head_path] if head_path.exists() else []) + _yaml_files(root / "sets", root / "codes", root / "rules")
    problems = _collect(layer, paths, repo)
    head_rel = _rel(root / (head or "overlay.yaml"), repo)
    # no overlay: say so only when nothing was reported about the overlay file already (an unknown
    # key in it must not be followed by a "missing province" that is not missing)
    if name != "national" and layer.overlay is None and not any(p.loc.file == head_rel for p in problems):
        problems.append(Problem(E.E_MISSING_KEY, SourceLoc(head_rel), {"key": "province"}))
    layer.problems = problems
    return layer, problems


def load_repo(root: Path) -> Sources:
    """Load everything under a repository root: the core, every module and every province."""
    root = root.resolve()
    national, found = load_layer("national", root)
    problems = list(found)
    modules: dict[str, Layer] = {}
    for d in sorted((root / "modules").glob("*/module.yaml")):
        layer, found = load_layer(f"module:{d.parent.name}", d.parent, head="module.yaml", repo=root)
        modules[d.parent.name] = layer
        problems += found
    provinces: dict[str, Layer] = {}
    for d in sorted((root / "provinces").glob("*/")):
        if not d.is_dir():
            continue
        layer, found = load_layer(f"province:{d.name}", d, repo=root)
        provinces[d.name] = layer
        problems += found
    return Sources(national, modules, provinces, problems)


__all__ = ["Layer", "Sources", "load_repo", "load_layer", "build", "read_yaml"]
