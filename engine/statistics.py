"""Statistics as data: the dimension registry and the tables, read from YAML and checked against a
province's catalogue.

Files (strict typed models: an unknown key is E102 with a "did you mean", at file:line):

- ``modules/statistics/tables.yaml`` (``statistics: national``): the national dimensions and the
  standard tables of a teacher statistics report;
- ``provinces/<code>/statistics.yaml`` (``statistics: "<code>"``): a province adds dimensions and
  tables, their keys prefixed with the province's namespace (``jx.``, ``gs.``).

A dimension is one of
- ``field: <set>.<field>``: a coded field of a set (code, codes, boolean, or a derived field with a
  code table), optionally rolled up to a ``level`` of a hierarchical code table (1 = the top rows)
  or gathered into ``groups`` (codes not in a group count under ``other``);
- ``unit: school_type | urban_rural``: a property of the teacher's unit;
- ``computed: age | teaching_years``: years as of the statistics' date, cut into ``bands``.

A table names one to three dimensions and its measures (``count``, ``share``, ``avg_age``).
``compile`` returns the definitions of one province with the problems found (E501–E509 of
engine/errors.py, each with its case folder under tests/engine/errors), which ``tmis check`` prints
(``check_repo`` calls ``check_all``). Engine code: it reads files and the catalogue, never the
database or the app; the statistics module (modules/statistics) computes with what it returns.
Without modules/statistics/tables.yaml (the module deleted) there is nothing to check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

from pydantic import Field, model_validator

from engine import errors as E
from engine.errors import Problem, suggestion
from engine.load import build, read_yaml
from engine.source import SourceLoc
from engine.spec import Strict, Text

NATIONAL_FILE = "modules/statistics/tables.yaml"
PROVINCE_FILE = "statistics.yaml"
MEASURES = ("count", "share", "avg_age")
MEASURE_LABELS = {"count": ("人数", "Head count"), "share": ("占比", "Share"), "avg_age": ("平均年龄", "Average age")}
NOT_FILLED = ""  # the code of a teacher whose value is empty
NOT_FILLED_LABEL = ("未填写", "Not filled")
OTHER = "other"
URBAN_RURAL = {"1": ("城区", "Urban"), "2": ("镇区", "Town"), "3": ("乡村", "Rural")}
BOOLEAN = {"1": ("是", "Yes"), "0": ("否", "No")}


# ------------------------------------------------------------------ the YAML models

class Band(Strict):
    code: str
    zh: str
    en: str | None = None
    from_: int | None = Field(default=None, alias="from")
    to: int | None = None


class Group(Strict):
    code: str
    zh: str
    en: str | None = None
    codes: list[str]


class DimensionSpec(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
    label: Text
    field: str | None = None
    unit: Literal["school_type", "urban_rural"] | None = None
    computed: Literal["age", "teaching_years"] | None = None
    codes: str | None = None
    level: int | None = Field(default=None, ge=1)
    groups: list[Group] | None = None
    other: Text | None = None
    bands: list[Band] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "DimensionSpec":
        given = [k for k in ("field", "unit", "computed") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a dimension has exactly one of field:, unit:, computed:")
        if self.computed and not self.bands:
            raise ValueError("a computed dimension needs bands:")
        return self


class TableSpec(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
    label: Text
    dims: list[str] = Field(min_length=1, max_length=3)
    measures: list[Literal["count", "share", "avg_age"]] = ["count", "share"]
    note: str | None = None


class StatsFile(Strict):
    statistics: str
    dimensions: list[DimensionSpec] = []
    tables: list[TableSpec] = []
    note: str | None = None


# ------------------------------------------------------------------ the compiled definitions

@dataclass(frozen=True)
class Dimension:
    """One entry of the dimension registry, ready to turn a teacher's values into codes."""

    key: str
    label: Text
    kind: str  # field | unit | computed
    spec: DimensionSpec
    set_key: str | None = None
    field_key: str | None = None
    multi: bool = False  # a codes field: the first value counts
    table: str | None = None  # the code table whose labels are shown
    _labels: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)
    _map: dict[str, str] = field(default_factory=dict, compare=False)  # raw code → dimension code

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        return {"key": self.key, "label": self.label.get(lang), "kind": self.kind,
                "source": (f"{self.set_key}.{self.field_key}" if self.kind == "field"
                           else self.spec.unit or self.spec.computed),
                "codes": self.table, "computed": self.kind == "computed",
                "values": [{"code": c, "label": self.label_of(c, lang)} for c in self._labels]}

    def label_of(self, code: str, lang: str = "zh") -> str:
        if code == NOT_FILLED:
            return NOT_FILLED_LABEL[1 if lang == "en" else 0]
        zh, en = self._labels.get(code, (code, code))
        return en if lang == "en" else zh

    def order(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self._labels)}

    def code(self, raw: Any) -> str:
        """The dimension's code of a raw stored value (a field's value, a unit's property)."""
        if self.multi and isinstance(raw, list):
            raw = raw[0] if raw else None
        if raw is None or raw == "" or raw == []:
            return NOT_FILLED
        if isinstance(raw, bool):
            raw = "1" if raw else "0"
        raw = str(raw)
        if raw in ("true", "false"):  # a boolean read as text (->> on PostgreSQL)
            raw = "1" if raw == "true" else "0"
        if self._map:
            return self._map.get(raw, OTHER if self.spec.groups else raw)
        return raw

    def band(self, years: int | None) -> str:
        if years is None:
            return NOT_FILLED
        for b in self.spec.bands or []:
            if (b.from_ is None or years >= b.from_) and (b.to is None or years <= b.to):
                return b.code
        return NOT_FILLED


@dataclass(frozen=True)
class Table:
    key: str
    label: Text
    dims: tuple[str, ...]
    measures: tuple[str, ...]
    origin: str  # national | province code
    loc: SourceLoc

    def as_json(self, registry: Mapping[str, Dimension], lang: str = "zh") -> dict[str, Any]:
        return {"key": self.key, "label": self.label.get(lang), "label_zh": self.label.zh,
                "label_en": self.label.get("en"), "origin": self.origin,
                "dims": [{"key": d, "label": registry[d].label.get(lang)} for d in self.dims],
                "measures": [{"key": m, "label": MEASURE_LABELS[m][1 if lang == "en" else 0]} for m in self.measures]}


@dataclass
class Definitions:
    dimensions: dict[str, Dimension]
    tables: dict[str, Table]
    problems: list[Problem]

    def dims_needed(self) -> list[Dimension]:
        return list(self.dimensions.values())


# ------------------------------------------------------------------ reading and checking

def _read(path: Path, rel: str, repo: Path) -> tuple[StatsFile | None, list[Any]]:
    raw, problems = read_yaml(path, rel)
    if problems:
        return None, problems
    if not isinstance(raw, dict) or "statistics" not in raw:
        loc = getattr(raw, "loc", SourceLoc(rel))
        return None, [_problem(E.E_STATS_FILE, loc, detail="顶层缺少 statistics:", detail_en="the top key statistics: is missing")]
    obj, problems = build(StatsFile, raw, Path(rel))
    return obj, problems


def _namespace(repo: Path, province: str) -> str:
    from engine.load import load_file

    overlay, _ = load_file(repo / "provinces" / province / "overlay.yaml", repo)
    return getattr(overlay, "namespace", None) or province


def compile(repo: Path, cat: Any, province: str | None) -> Definitions:
    """The definitions in force for ``province`` (None or "national": the national file alone),
    checked against its catalogue ``cat``; problems are collected, never raised."""
    repo = Path(repo).resolve()
    problems: list[Any] = []
    national = repo / NATIONAL_FILE
    files: list[tuple[StatsFile, str]] = []
    if not national.exists():
        return Definitions({}, {}, [])
    obj, found = _read(national, NATIONAL_FILE, repo)
    problems += found
    if obj is not None:
        files.append((obj, "national"))
    if province and province != "national":
        path = repo / "provinces" / province / PROVINCE_FILE
        if path.exists():
            rel = f"provinces/{province}/{PROVINCE_FILE}"
            obj, found = _read(path, rel, repo)
            problems += found
            if obj is not None:
                files.append((obj, province))
    dims: dict[str, Dimension] = {}
    tables: dict[str, Table] = {}
    where: dict[tuple[str, str], SourceLoc] = {}
    for f, origin in files:
        ns = _namespace(repo, origin) if origin != "national" else None
        for d in f.dimensions:
            if not _key_ok(d.key, d.loc, "dimension", ns, where, problems):
                continue
            built = _dimension(d, cat, problems)
            if built is not None:
                dims[d.key] = built
            where[("dimension", d.key)] = d.loc
        for t in f.tables:
            if not _key_ok(t.key, t.loc, "table", ns, where, problems):
                continue
            where[("table", t.key)] = t.loc
            bad = False
            for i, dk in enumerate(t.dims):
                if dk not in dims:
                    known = sorted(dims)
                    problems.append(_problem(E.E_STATS_UNKNOWN_DIMENSION, t.where("dims", i), table=t.key, dimension=dk,
                                              allowed=", ".join(known), **suggestion(dk, known)))
                    bad = True
            if not bad:
                tables[t.key] = Table(t.key, t.label, tuple(t.dims), tuple(t.measures), origin, t.loc)
    return Definitions(dims, tables, problems)


_WHAT = {"dimension": ("维度", "dimension"), "table": ("表", "table")}


def _key_ok(key: str, loc: SourceLoc, what: str, ns: str | None, where: dict[tuple[str, str], SourceLoc],
            problems: list[Any]) -> bool:
    zh, en = _WHAT[what]
    if (what, key) in where:
        problems.append(_problem(E.E_STATS_DUPLICATE, loc, where[(what, key)], what_zh=zh, what_en=en, key=key,
                                  other=str(where[(what, key)]), namespace=ns or "jx"))
        return False
    if ns is not None and not key.startswith(ns + "."):
        problems.append(_problem(E.E_STATS_NOT_NAMESPACED, loc, what_zh=zh, what_en=en, key=key, namespace=ns))
        return False
    return True


def _dimension(d: DimensionSpec, cat: Any, problems: list[Any]) -> Dimension | None:
    if d.unit is not None:
        if d.unit == "school_type":
            st = cat.resolved.school_types
            labels = {t.key: (t.label.zh, t.label.get("en")) for t in (st.school_types if st else [])}
        else:
            labels = dict(URBAN_RURAL)
        return Dimension(d.key, d.label, "unit", d, _labels=labels)
    if d.computed is not None:
        if not _bands_ok(d, problems):
            return None
        labels = {b.code: (b.zh, b.en or b.zh) for b in d.bands or []}
        return Dimension(d.key, d.label, "computed", d, _labels=labels)
    assert d.field is not None
    set_key, _, field_key = d.field.partition(".")
    sets = cat.sets
    spec = sets.get(set_key)
    fspec = next((f for f in spec.all_fields() if f.key == field_key), None) if spec is not None else None
    if fspec is None:
        known = sorted(f"{s}.{f.key}" for s, sp in sets.items() for f in sp.all_fields())
        problems.append(_problem(E.E_STATS_UNKNOWN_FIELD, d.where("field"), dimension=d.key, field=d.field,
                                  sets=", ".join(sorted(sets)), **suggestion(d.field, known)))
        return None
    table = d.codes or fspec.codes
    if fspec.type == "boolean" and not d.codes:
        labels: dict[str, tuple[str, str]] = dict(BOOLEAN)
        table = None
    elif fspec.type not in ("code", "codes", "derived") or not table:
        problems.append(_problem(E.E_STATS_NOT_CODED, d.where("field"), dimension=d.key, field=d.field, type=fspec.type))
        return None
    else:
        codes = cat.codes.get(table)
        if codes is None:
            problems.append(_problem(E.E_STATS_UNKNOWN_CODES, d.where("codes") if d.codes else d.where("field"),
                                      dimension=d.key, table=table, **suggestion(table, sorted(cat.codes))))
            return None
        labels = {i.code: (i.zh, i.en or i.zh) for i in codes.table.items}
    mapping: dict[str, str] = {}
    if d.level is not None and table:
        parents = {i.code: i.parent for i in cat.codes[table].table.items}
        for code in parents:
            chain = [code]
            while parents.get(chain[-1]) is not None and parents[chain[-1]] in parents:
                chain.append(parents[chain[-1]])
            chain.reverse()  # top first
            mapping[code] = chain[min(d.level, len(chain)) - 1]
        labels = {c: labels[c] for c in dict.fromkeys(mapping.values())}
    if d.groups:
        grouped: dict[str, str] = {}
        for gi, g in enumerate(d.groups):
            for ci, c in enumerate(g.codes):
                if c not in labels and c not in mapping:
                    problems.append(_problem(E.E_STATS_BAD_CODE, d.where("groups", gi, "codes", ci), dimension=d.key,
                                              table=table or "boolean", code=c, **suggestion(c, sorted(labels))))
                grouped[c] = g.code
        if mapping:  # level first, then groups of the rolled-up codes
            mapping = {raw: grouped.get(top, grouped.get(raw, OTHER)) for raw, top in mapping.items()}
        else:
            mapping = grouped
        labels = {g.code: (g.zh, g.en or g.zh) for g in d.groups}
        other = d.other or Text(zh="其他", en="Other")
        labels[OTHER] = (other.zh, other.get("en"))
    return Dimension(d.key, d.label, "field", d, set_key=set_key, field_key=field_key, multi=fspec.type == "codes",
                     table=table, _labels=labels, _map=mapping)


def _bands_ok(d: DimensionSpec, problems: list[Any]) -> bool:
    bands = d.bands or []
    previous: Band | None = None
    for i, b in enumerate(bands):
        detail = None
        if b.from_ is not None and b.to is not None and b.to < b.from_:
            detail = (f"「{b.code}」的 to 小于 from", f"band '{b.code}' ends before it begins")
        elif previous is not None:
            if previous.to is None:
                detail = (f"「{previous.code}」没有上限，其后不能再有分段", f"band '{previous.code}' has no upper end, yet more follow")
            elif b.from_ != previous.to + 1:
                detail = (f"「{b.code}」应从 {previous.to + 1} 开始", f"band '{b.code}' must begin at {previous.to + 1}")
        elif b.from_ is not None and i == 0 and b.from_ > 0:
            detail = None  # a first band may start anywhere: younger values count as not filled
        if detail is not None:
            problems.append(_problem(E.E_STATS_BAD_BANDS, d.where("bands", i), dimension=d.key,
                                      detail=detail[0], detail_en=detail[1]))
            return False
        previous = b
    codes = [b.code for b in bands]
    if len(set(codes)) != len(codes):
        problems.append(_problem(E.E_STATS_BAD_BANDS, d.where("bands"), dimension=d.key,
                                  detail="分段代码重复", detail_en="a band code is used twice"))
        return False
    return True


# ------------------------------------------------------------------ computed values

def years_between(start: dt.date | None, day: dt.date) -> int | None:
    if start is None:
        return None
    return day.year - start.year - ((day.month, day.day) < (start.month, start.day))


def month_start(value: Any) -> dt.date | None:
    """A stored year_month ("2008-09") as the first day of that month."""
    if not value:
        return None
    try:
        y, m = str(value)[:7].split("-")
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        return None


def _problem(code: str, loc: SourceLoc, other: SourceLoc | None = None, /, **args: Any) -> Problem:
    return Problem(code, loc, args, other)


def check_all(repo: Path, catalogues: Mapping[str, Any]) -> list[Problem]:
    """Every province's statistics definitions (what ``tmis check`` prints), each problem once."""
    out: list[Problem] = []
    seen: set[str] = set()
    for code, cat in catalogues.items():
        for p in compile(repo, cat, code).problems:
            if str(p) not in seen:
                seen.add(str(p))
                out.append(p)
    return out


def labels_of(values: Iterable[str], dim: Dimension, lang: str = "zh") -> dict[str, str]:
    return {v: dim.label_of(v, lang) for v in values}
