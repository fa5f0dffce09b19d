"""Records and cases named the way a clerk recognises them (issue 20.7), never by internal ids.

A record is its set's label, then two or three identifying values and its dates: 学习经历：本科 ·
江西师范大学 · 2003-09–2007-07. The identifying values are the first required fields of the set
that hold something other than their default (a country that is 中国 for every record tells
nothing), shown as code labels; personal fields (ID numbers, phone numbers …) are never used, so
a name can go wherever the record's set label may. A set of one record is named by its label.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from engine.catalogue import Catalogue
from engine.fieldtypes import is_empty

DATES = ("date", "year_month", "year")
SKIP = ("derived", "photo", "attachment", "boolean")
VALUES = 2  # identifying values besides the dates


def _text(f: Any, value: Any, lang: str) -> str:
    if f.codes is not None:
        values = value if isinstance(value, list) else [value]
        return "、".join(f.codes.label(str(v), lang) for v in values)
    return str(value)


def _dates(view: Any, doc: Mapping[str, Any]) -> list[Any]:
    return [doc.get(f.key) for f in view.fields if f.spec.type in DATES and not f.spec.personal
            and not is_empty(doc.get(f.key))][:2]


def record_parts(cat: Catalogue, family: str | None, set_key: str, doc: Mapping[str, Any],
                 lang: str = "zh") -> list[str]:
    """The identifying values and the dates of one record, in the set's field order."""
    spec = cat.sets[set_key]
    if spec.cardinality == "one":
        return []
    view = cat.view(set_key, family)
    fields = [f for f in view.fields if f.spec.type not in SKIP and f.spec.type not in DATES
              and not f.spec.personal and not is_empty(doc.get(f.key))]

    def telling(f: Any) -> bool:
        return f.spec.default is None or doc.get(f.key) != f.spec.default

    chosen = [f for f in fields if f.spec.required is True and telling(f)][:VALUES]
    if len(chosen) < VALUES:
        chosen += [f for f in fields if f not in chosen and telling(f)][:VALUES - len(chosen)]
    chosen.sort(key=lambda f: fields.index(f))
    parts = [_text(f, doc.get(f.key), lang) for f in chosen]
    dates = _dates(view, doc)
    if dates:
        parts.append("–".join(str(d) for d in dates))
    return parts


def record_name(cat: Catalogue, family: str | None, set_key: str, doc: Mapping[str, Any],
                lang: str = "zh") -> str:
    """「学习经历：本科 · 江西师范大学 · 2003-09–2007-07」; a set of one record: its label."""
    label = cat.sets[set_key].label.get(lang) if set_key in cat.sets else set_key
    if set_key not in cat.sets:
        return label
    parts = record_parts(cat, family, set_key, doc, lang)
    return f"{label}{'：' if lang != 'en' else ': '}{' · '.join(parts)}" if parts else label


def sort_key(cat: Catalogue, family: str | None, set_key: str, doc: Mapping[str, Any],
             position: int = 0) -> tuple[Any, ...]:
    """Form order of the sets, then a set's records by their first date (undated last), then as
    entered."""
    order = {k: i for i, k in enumerate(cat.set_keys(family))}
    dates = _dates(cat.view(set_key, family), doc) if set_key in cat.sets else []
    return (order.get(set_key, len(order)), 0 if dates else 1, str(dates[0]) if dates else "", position)


def sorted_records(cat: Catalogue, family: str | None, rows: Iterable[Any]) -> list[Any]:
    """Record rows (``set_key``, ``document``, ``position``) in the order a clerk reads them."""
    return sorted(rows, key=lambda r: sort_key(cat, family, r.set_key, r.document, r.position))
