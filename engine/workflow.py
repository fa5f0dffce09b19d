"""Workflows with two parties (cases): transfers, rotations, status changes (issue 15 §2).

A workflow is YAML: the national layer is ``workflows/*.yaml`` (the core's) plus each business
module's ``modules/<name>/workflows.yaml`` (the module folders are passed in; by default every
module of the repository), and ``provinces/<code>/workflows.yaml`` is a province's version of any
of them, per key. A key defined twice in the national layer is E446 at both places. Each step says **which unit acts, relative to the case** and which roles
there may act:

- ``initiator``: the unit that started the case (a transfer: the receiving school);
- ``counterpart``: the other party (a transfer: the sending school);
- ``initiator_authority`` / ``counterpart_authority`` with a ``level`` (county, city, province):
  the education authority of that party at that level, found from the unit tree.

A step may apply only ``across`` a level (the two parties' units at that level differ: a
transfer across counties needs the sending county too, one inside a county does not) or
``only_for`` some variants of the case (the kinds of a status change). Approve goes to the next
applicable step (or ``next``); return sends the case back to the initiator (已退回; resubmitting
starts again at the first step); reject closes it; the initiator may withdraw while it is open.

A province's workflow replaces the national one of the same key but must keep every national
step, in the national order (it may add levels, never drop one), like review routes.

``check_all(root, provinces, modules)`` gives every problem with file:line (unknown roles, levels
or steps, unreachable steps, dropped national steps, a key defined twice); ``workflows_for(root,
province, modules)`` the workflows in force. Nothing here imports ``web`` or ``modules``: resolving a step to a unit is
``resolve_steps`` over a small tree interface the caller passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Protocol, Sequence

from pydantic import Field

from engine import errors as E
from engine.errors import Problem
from engine.source import SourceLoc
from engine.spec import LEVEL_ORDER, Key, Level, Strict, Text

Party = Literal["initiator", "counterpart", "initiator_authority", "counterpart_authority"]
Action = Literal["approve", "return", "reject"]
ACTIONS: tuple[str, ...] = ("approve", "return", "reject")

from engine.errors import E_WF_DROP, E_WF_FILE, E_WF_LEVEL, E_WF_ROLE, E_WF_STEP, E_WF_TWICE, E_WF_UNREACHABLE


class Step(Strict):
    key: Key
    label: Text
    unit: Party
    level: Level | None = None
    roles: list[Key]
    actions: list[Action] = list(ACTIONS)
    across: Level | None = None         # only when the parties' units at this level differ
    only_for: list[Key] = []            # only for these variants of the case
    next: Key | None = None             # approval goes here (default: the following step)


class Start(Strict):
    """Who opens a case: the initiating unit's level and the roles there that may."""

    level: Level = "school"
    roles: list[Key]


class Workflow(Strict):
    label: Text
    start: Start
    counterpart: bool = True            # a case with a second party (a status change has none)
    steps: list[Step] = Field(default_factory=list)
    variants: list[Key] = []            # the case's variants (only_for names these)


class WorkflowFile(Strict):
    workflows: dict[Key, Workflow]


# ------------------------------------------------------------------ loading and checking

def module_folders(root: Path) -> list[Path]:
    """Every business module of the repository at ``root`` (a folder with a module.yaml)."""
    return sorted(d.parent for d in (Path(root) / "modules").glob("*/module.yaml"))


def _files(root: Path, province: str | None, modules: Sequence[Path] | None = None) -> list[Path]:
    """The national layer (the core's files, then each module's) or one province's file."""
    if province is None:
        mods = module_folders(root) if modules is None else modules
        return [*sorted((root / "workflows").glob("*.yaml")),
                *(m / "workflows.yaml" for m in mods if (m / "workflows.yaml").is_file())]
    p = root / "provinces" / province / "workflows.yaml"
    return [p] if p.exists() else []


def workflow_files(root: Path) -> list[str]:
    """Every workflow file this module reads (relative to ``root``): the nation's, the modules' and each province's."""
    root = Path(root)
    provinces = sorted(p.name for p in (root / "provinces").glob("*/") if p.is_dir())
    return [str(p.relative_to(root)) for code in [None, *provinces] for p in _files(root, code)]


def _relative(path: Path, root: Path) -> str:
    """``path`` as the user knows it: relative to the repository (a module folder may be a link)."""
    for p, r in ((path, root), (path.resolve(), root.resolve())):
        try:
            return str(p.relative_to(r))
        except ValueError:
            pass
    return str(path)


def _load(root: Path, paths: list[Path]) -> tuple[dict[str, Workflow], list[Problem]]:
    from engine.load import build, read_yaml

    out: dict[str, Workflow] = {}
    problems: list[Problem] = []
    for path in paths:
        rel = _relative(path, root)
        raw, found = read_yaml(path, rel)
        problems += found
        if raw is None:
            continue
        if not isinstance(raw, dict) or "workflows" not in raw:
            problems.append(Problem(E_WF_FILE, getattr(raw, "loc", SourceLoc(rel)), {"detail": f"{rel}: no 'workflows:'"}))
            continue
        obj, found = build(WorkflowFile, raw, path)
        problems += found
        if obj is None:
            continue
        for key, wf in obj.workflows.items():
            first = out.get(key)
            if first is not None:  # the core and a module, or two modules: neither may win silently
                problems.append(Problem(E_WF_TWICE, wf.loc, {"workflow": key, "other": str(first.loc)}))
                problems.append(Problem(E_WF_TWICE, first.loc, {"workflow": key, "other": str(wf.loc)}))
                continue
            out[key] = wf
    return out, problems


def check_workflow(key: str, wf: Workflow, roles: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []

    def role_problems(names: list[str], loc: SourceLoc, step: str) -> None:
        for role in names:
            if roles is not None and role not in roles:
                problems.append(Problem(E_WF_ROLE, loc, {"workflow": key, "step": step, "role": role,
                                                         **E.suggestion(role, sorted(roles))}))

    role_problems(wf.start.roles, wf.start.loc if wf.start.loc.line else wf.loc, "start")
    keys = [s.key for s in wf.steps]
    seen: set[str] = set()
    for step in wf.steps:
        loc = step.loc if step.loc.line else wf.loc
        if step.key in seen:
            problems.append(Problem(E_WF_STEP, loc, {"workflow": key, "detail": f"'{step.key}' twice"}))
        seen.add(step.key)
        role_problems(step.roles, loc, step.key)
        authority = step.unit.endswith("_authority")
        if authority and step.level in (None, "school"):
            problems.append(Problem(E_WF_LEVEL, loc, {"workflow": key, "step": step.key,
                                                      "detail": f"{step.unit} needs level: county, city or province"}))
        if not authority and step.level is not None:
            problems.append(Problem(E_WF_LEVEL, loc, {"workflow": key, "step": step.key,
                                                      "detail": f"{step.unit} is the party's own unit; no level"}))
        if step.unit.startswith("counterpart") and not wf.counterpart:
            problems.append(Problem(E_WF_LEVEL, loc, {"workflow": key, "step": step.key,
                                                      "detail": "this workflow has no counterpart"}))
        if step.across is not None and not wf.counterpart:
            problems.append(Problem(E_WF_LEVEL, loc, {"workflow": key, "step": step.key,
                                                      "detail": "across needs a counterpart"}))
        for v in step.only_for:
            if v not in wf.variants:
                problems.append(Problem(E_WF_STEP, loc, {"workflow": key,
                                                         "detail": f"{step.key}: only_for '{v}' is not a variant "
                                                                   f"({', '.join(wf.variants)})"}))
        if step.next is not None and step.next not in keys:
            problems.append(Problem(E_WF_STEP, loc, {"workflow": key, "detail": f"{step.key}: next '{step.next}' "
                                                     f"is not a step{E.suggestion(step.next, keys)['suggestion_en']}"}))
        if "approve" not in step.actions:
            problems.append(Problem(E_WF_STEP, loc, {"workflow": key, "detail": f"{step.key}: a step needs approve"}))
    # reachability: from the first step, approve goes to next (or the following step); a step
    # that may be skipped (across / only_for) also lets the flow pass to the following one
    reached: set[int] = set()
    todo = [0] if wf.steps else []
    while todo:
        i = todo.pop()
        if i in reached or i >= len(wf.steps):
            continue
        reached.add(i)
        step = wf.steps[i]
        todo.append(keys.index(step.next) if step.next in keys else i + 1)
        if step.across or step.only_for:
            todo.append(i + 1)
    for i, step in enumerate(wf.steps):
        if i not in reached:
            problems.append(Problem(E_WF_UNREACHABLE, step.loc if step.loc.line else wf.loc,
                                    {"workflow": key, "step": step.key}))
    return problems


def merge(national: dict[str, Workflow], province: dict[str, Workflow]) -> tuple[dict[str, Workflow], list[Problem]]:
    """The province's workflows over the nation's: each national step kept, in order."""
    out = dict(national)
    problems: list[Problem] = []
    for key, wf in province.items():
        base = national.get(key)
        if base is not None:
            mine = [s.key for s in wf.steps]
            pos = -1
            for step in base.steps:
                if step.key not in mine or mine.index(step.key) < pos:
                    problems.append(Problem(E_WF_DROP, wf.loc, {"workflow": key, "step": step.key, "other": str(step.loc)}))
                    continue
                pos = mine.index(step.key)
        out[key] = wf
    return out, problems


def _roles(root: Path) -> set[str] | None:
    from engine.load import load_file

    obj, _ = load_file(root / "schemas" / "roles.yaml", root)
    roles = getattr(obj, "roles", None)
    return {r.key for r in roles} if roles else None


def check_all(root: Path, provinces: list[str] | None = None,
              modules: Sequence[Path] | None = None) -> list[Problem]:
    """Every problem of the national workflows (the core's and the modules': every module of the
    repository unless ``modules`` names the folders) and each province's (all by default)."""
    root = Path(root)
    roles = _roles(root)
    national, problems = _load(root, _files(root, None, modules))
    for key, wf in national.items():
        problems += check_workflow(key, wf, roles)
    wanted = provinces if provinces is not None else sorted(
        p.name for p in (root / "provinces").glob("*/") if p.is_dir())
    for code in wanted:
        if code == "national":
            continue
        mine, found = _load(root, _files(root, code))
        problems += found
        _, found = merge(national, mine)
        problems += found
        for key, wf in mine.items():
            problems += check_workflow(key, wf, roles)
    return problems


_CACHE: dict[tuple[Any, ...], dict[str, Workflow]] = {}


def workflows_for(root: Path, province: str | None, modules: Sequence[Path] | None = None) -> dict[str, Workflow]:
    """The workflows in force in a province: the national layer (the core's and those of
    ``modules``, the folders of the modules it enables; every module's by default) with the
    province's versions of them over it."""
    root = Path(root)
    mods = tuple(module_folders(root) if modules is None else (Path(m) for m in modules))
    key = (str(root.resolve()), province, tuple(str(m) for m in mods))
    if key not in _CACHE:
        national, problems = _load(root, _files(root, None, mods))
        mine, found = _load(root, _files(root, province)) if province else ({}, [])
        # a province's version counts only over a national workflow in force: that of a module the
        # province switched off (or that was deleted) stays unused, and still valid for tmis check
        merged, more = merge(national, {k: wf for k, wf in mine.items() if k in national})
        roles = _roles(root)
        problems += found + more + [p for k, wf in merged.items() for p in check_workflow(k, wf, roles)]
        if problems:
            raise E.DefinitionError(problems)
        _CACHE[key] = merged
    return _CACHE[key]


# ------------------------------------------------------------------ resolving steps to units

class TreeUnit(Protocol):
    id: int
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class Planned:
    """One step of a case, resolved: the unit that acts and who there may."""

    key: str
    label_zh: str
    label_en: str
    unit_id: int
    unit_code: str
    unit_name: str
    roles: tuple[str, ...]
    actions: tuple[str, ...]

    def json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label_zh, "label_en": self.label_en, "unit_id": self.unit_id,
                "unit_code": self.unit_code, "unit_name": self.unit_name, "roles": list(self.roles),
                "actions": list(self.actions)}


class Unresolved(Exception):
    """A step names an authority the unit tree does not have (``step``, ``party``, ``level``)."""

    def __init__(self, step: str, party: str, level: str | None) -> None:
        super().__init__(step, party, level)
        self.step, self.party, self.level = step, party, level


def resolve_steps(wf: Workflow, initiator: TreeUnit, counterpart: TreeUnit | None,
                  ancestor: Callable[[TreeUnit, str], TreeUnit | None], variant: str | None = None) -> list[Planned]:
    """The case's steps in order: skipped steps left out, each with its acting unit.
    ``ancestor(unit, level)`` is the unit itself or the one above it at that level (None: none)."""
    out: list[Planned] = []
    keys = [s.key for s in wf.steps]
    i = 0
    guard = 0
    while 0 <= i < len(wf.steps) and guard <= len(wf.steps):
        guard += 1
        step = wf.steps[i]
        nxt = keys.index(step.next) if step.next in keys else i + 1
        if step.only_for and variant not in step.only_for:
            i += 1
            continue
        if step.across is not None and counterpart is not None:
            a, b = ancestor(initiator, step.across), ancestor(counterpart, step.across)
            if a is not None and b is not None and a.id == b.id:
                i += 1
                continue
        party = counterpart if step.unit.startswith("counterpart") else initiator
        if party is None:
            raise Unresolved(step.key, step.unit, step.level)
        unit = ancestor(party, step.level) if step.level else party
        if unit is None:
            raise Unresolved(step.key, step.unit, step.level)
        out.append(Planned(step.key, step.label.zh, step.label.en or step.label.zh, unit.id, unit.code, unit.name,
                           tuple(step.roles), tuple(step.actions)))
        i = nxt
    return out


__all__ = ["Workflow", "Step", "Planned", "Unresolved", "check_all", "workflows_for", "resolve_steps", "module_folders",
           "merge", "check_workflow", "LEVEL_ORDER"]
