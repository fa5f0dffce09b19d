"""Complete teacher files for tests and benchmarks, found by the engine itself.

Filling 17 sets by hand would copy the rules into the tests (and go stale when a province adds a
field). Instead a small search fills each record: every shown, required field gets a candidate
value; whenever the validator names a field, the next candidate for that field is tried, until
``Catalogue.check_file`` finds nothing. Repeating sets with a 无 convention get one 无 record.
The result is cached per (catalogue version, family) and only the identity is swapped per person.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from engine import idnumber
from engine.catalogue import Catalogue
from engine.validate import FieldView

IDENTITY = ("name", "gender", "birth_date", "id_type", "id_number")


def _candidates(f: FieldView) -> list[Any]:
    s = f.spec
    if s.type in ("code", "codes") and f.codes is not None:
        opts = [c for c in f.codes.options() if c not in ("0",)] + [c for c in f.codes.options() if c == "0"]
        return opts[:40] if s.type == "code" else [[o] for o in opts[:40]]
    return {
        "text": ["示例", "13800138000", "示例单位名称", "A1234567"],
        "integer": [1, 2, 10, 0],
        "decimal": [1000.0, 1.0, 0.0],
        "date": ["2012-09-01", "2010-07-01", "2015-09-01", "2020-01-01", "2005-09-01"],
        "year_month": ["2008-09", "2012-09", "2005-09", "2015-09", "2019-09", "2002-09", "2020-01"],
        "year": [2023, 2022, 2021, 2020],
        "boolean": [False, True],
    }.get(s.type, [None])


def _solve_record(cat: Catalogue, family: str, set_key: str, file: dict[str, Any],
                  base: dict[str, Any]) -> dict[str, Any]:
    validator = cat.validator(set_key, family)
    fields = {f.key: f for f in validator.view.fields if f.spec.type not in ("derived", "photo", "attachment")}
    tried: dict[str, int] = {}
    record = dict(base)
    many = cat.sets[set_key].cardinality == "many"
    for _ in range(400):
        record = validator.clean(record)
        if many:
            file[set_key] = [record]
            found = validator.validate(record, records=[record], file=file, index=0)
        else:
            file[set_key] = record
            found = validator.validate(record, file=file)
        errors = [v for v in found if v.severity == "error"]
        if not errors:
            return record
        progressed = False
        for v in errors:
            key = v.field if v.field in fields and v.field not in base else None
            if key is None:
                # a rule without a field we may change: move any non-identity field it names
                continue
            cands = _candidates(fields[key])
            i = tried.get(key, -1) + 1
            if i < len(cands):
                tried[key] = i
                record[key] = cands[i]
                progressed = True
                break
        if not progressed:
            raise RuntimeError(f"cannot fill {set_key}: {[(v.field, v.code) for v in errors]}")
    raise RuntimeError(f"cannot fill {set_key}")


_TEMPLATES: dict[tuple[int, str], dict[str, Any]] = {}


def _template(cat: Catalogue, family: str) -> dict[str, Any]:
    key = (id(cat), family)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _build_template(cat, family)
    return _TEMPLATES[key]


def _build_template(cat: Catalogue, family: str) -> dict[str, Any]:
    idn = idnumber.make("360102", dt.date(1985, 3, 14), 11)
    ident = identity("模板", idn)
    file: dict[str, Any] = {}
    keys = cat.set_keys(family)
    for k in keys:
        file[k] = [] if cat.sets[k].cardinality == "many" else {}
    order = ["basic"] + [k for k in keys if k != "basic"]
    for k in order:
        v = cat.validator(k, family)
        if cat.sets[k].cardinality == "many" and v.none is not None:
            file[k] = [{v.none.field: v.none.code}]
            continue
        base = dict(ident) if k == "basic" else {}
        if k == "basic":
            base["nationality"] = "156"
        rec = _solve_record(cat, family, k, file, base)
        file[k] = [rec] if cat.sets[k].cardinality == "many" else rec
    problems = [v for v in cat.check_file(family, file) if v.severity == "error"]
    if problems:
        raise RuntimeError(f"template incomplete: {[(p.set, p.field, p.code) for p in problems]}")
    return file


def identity(name: str, id_number: str) -> dict[str, Any]:
    return {"name": name, "gender": idnumber.gender(id_number), "birth_date": idnumber.birth_date(id_number),
            "id_type": "1", "id_number": id_number}


def complete_file(cat: Catalogue, family: str, name: str, id_number: str) -> dict[str, Any]:
    """A file that passes the completeness check, for this person."""
    file = copy.deepcopy(_template(cat, cat.family_of(family)))
    file["basic"].update(identity(name, id_number))
    return file
