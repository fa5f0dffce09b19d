"""The statistics definitions in force for the running deployment. The language (dimension
registry, tables, the checks ``tmis check`` runs) is the engine's: engine/statistics.py; this
module only picks the definitions of the app's province, built once per definition files' state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.statistics import (  # noqa: F401  (re-exported: the module's code reads them from here)
    MEASURE_LABELS, MEASURES, NATIONAL_FILE, NOT_FILLED, OTHER, PROVINCE_FILE, Definitions, Dimension, Table,
    compile, month_start, years_between,
)

_BY_CAT: dict[tuple[Any, ...], Definitions] = {}


def _signature(repo: Path, province: str) -> tuple[Any, ...]:
    out = []
    for p in (repo / NATIONAL_FILE, repo / "provinces" / province / PROVINCE_FILE):
        if p.exists():
            st = p.stat()
            out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def definitions(cat: Any = None, repo: Path | None = None) -> Definitions:
    """The definitions of ``cat``'s province (the app's catalogue; by default the current
    registry's province). The app starts only with definitions ``tmis check`` passes
    (engine.catalogue.check_repo checks these too), so problems here are a programming error."""
    from web.modules import current

    if cat is None:
        from modules.statistics.facts import _catalogue

        cat = _catalogue()
    repo = Path(repo or current().root).resolve()
    province = cat.province or "national"
    key = (str(repo), province, cat.version, _signature(repo, province))
    found = _BY_CAT.get(key)
    if found is None:
        if len(_BY_CAT) > 16:
            _BY_CAT.clear()
        found = _BY_CAT[key] = compile(repo, cat, province)
    if found.problems:
        raise RuntimeError("statistics definitions have problems (run tmis check):\n"
                           + "\n".join(str(p) for p in found.problems))
    return found
