"""The definition files beside the catalogue, one table entry per kind (tables, not if-chains).

The catalogue (sets, fields, codes, rules, routes) is loaded by engine/load.py. Other kinds of
definition are small languages of their own, each with its own loader and checks: case workflows
(engine/workflow.py), credit conversion rules (engine/credits.py), registration conditions
(engine/registration.py), statistics tables (engine/statistics.py) and the snapshot calendar
(engine/snapshot_calendar.py). Most belong to a business module and have a national file inside
it (``modules/<name>/…``) and an optional province file (``provinces/<code>/<name>.yaml``); when
the module is deleted its national file is gone and there is nothing to check.

``check_all`` is what ``tmis check`` runs after compiling the catalogues (engine/catalogue.py
``check_repo``); ``files`` lists what each kind reads, so the contract test can prove no YAML file
of the repository is ignored. A new kind is one ``Kind`` entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from engine.errors import Problem


@dataclass(frozen=True)
class CheckInput:
    """What a kind's check may use: the repository, the provinces asked for (codes, no
    "national"), the compiled catalogues by key ("national", "36" …) and the module folders."""

    root: Path
    provinces: list[str]
    catalogues: Mapping[str, Any]
    module_roots: list[Path]


@dataclass(frozen=True)
class Kind:
    key: str
    check: Callable[[CheckInput], list[Problem]]
    national: str | None = None  # the repository-relative national file, when the kind has one
    province_file: str | None = None  # its file name under provinces/<code>/
    files: Callable[[Path], list[str]] | None = None  # when the files are not national + province

    def files_in(self, root: Path) -> list[str]:
        if self.files is not None:
            return self.files(root)
        out = [self.national] if self.national and (root / self.national).is_file() else []
        if self.province_file:
            out += [f"provinces/{p.name}/{self.province_file}" for p in sorted((root / "provinces").glob("*/"))
                    if (p / self.province_file).is_file()]
        return out


def _workflows(i: CheckInput) -> list[Problem]:
    from engine.workflow import check_all

    return check_all(i.root, i.provinces, i.module_roots)


def _workflow_files(root: Path) -> list[str]:
    from engine.workflow import workflow_files

    return workflow_files(root)


def _registration(i: CheckInput) -> list[Problem]:
    from engine.registration import check_all

    codes = {(None if k == "national" else k): c.codes for k, c in i.catalogues.items()}
    return check_all(i.root, i.provinces, codes)


def _credits(i: CheckInput) -> list[Problem]:
    from engine.credits import check_all

    return check_all(i.root, i.provinces)


def _statistics(i: CheckInput) -> list[Problem]:
    from engine.statistics import check_all

    return check_all(i.root, i.catalogues)


def _snapshots(i: CheckInput) -> list[Problem]:
    from engine.snapshot_calendar import check_all

    return check_all(i.root, i.provinces)


KINDS: tuple[Kind, ...] = (
    Kind("workflows", _workflows, files=_workflow_files),
    Kind("registration", _registration, "modules/registration/registration.yaml", "registration.yaml"),
    Kind("credits", _credits, "modules/credits/credits.yaml", "credits.yaml"),
    Kind("statistics", _statistics, "modules/statistics/tables.yaml", "statistics.yaml"),
    Kind("snapshots", _snapshots, "modules/statistics/snapshots.yaml", "snapshots.yaml"),
)


def check_all(i: CheckInput) -> list[Problem]:
    """Every kind's problems, in table order."""
    return [p for kind in KINDS for p in kind.check(i)]


def files(root: Path) -> set[str]:
    """Every file the kinds read, relative to ``root``."""
    return {f for kind in KINDS for f in kind.files_in(root)}
