"""engine.fastrow accepts a spreadsheet row only when the plain path would accept it unchanged.

For every set of every province and school-type family: rows are made from valid synthetic
records (the demo's generator), written as a person fills a sheet (labels, aliases, codes, dates
in several spellings, numbers as Excel gives them), then some cells are spoiled. Whenever the
generated fast path accepts a row, the plain path (coerce → clean → validate) must find nothing
wrong, leave the record as it is, and read the same values; and the rules left to the caller
(``validate_deferred``) must be all that ``validate`` still has to say.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from faker import Faker

from engine.catalogue import build_catalogues, repo_root
from engine.emit.excel_template import sheet_columns
from engine.fastrow import compile_deferred, compile_rows
from web.demo import Person, fill_records
from engine import idnumber

CATALOGUES = build_catalogues(repo_root(), ["36", "62"])
ALL = [(p, fam, key) for p, cat in CATALOGUES.items() for fam in cat.families for key in cat.set_keys(fam)]


def _conditions_read_more(p: str, fam: str, key: str) -> bool:
    """A shown/required condition that reads the file or other records (fastrow declines the set)."""
    return any(e is not None and e.variables - {"record", "today", "this_year", "school_type"}
               for f in CATALOGUES[p].view(key, fam).fields for e in (f.shown_expr, f.required_expr))


CASES = [c for c in ALL if not _conditions_read_more(*c)]
JUNK = ["", " ", None, "火星", "2008-13", "2008-02-30", "'=1+1", 1.0, 0.0, 2.5, True, False, "x" * 300, "无", "0",
        "1", "是", "否", dt.datetime(2008, 9, 1), "2008/9/1", "２００８", "  汉族 ", "99", "-1", "1e3"]


def _cell(cat: Any, f: Any, value: Any, rng: random.Random) -> Any:
    """A canonical value as a person would type it into the template."""
    t = f.spec.type
    if t == "code" and f.codes is not None and isinstance(value, str):
        item = f.codes.by_code.get(value)
        choices = [value, item.zh, *(item.aliases or [])] if item is not None else [value]
        return rng.choice(choices)
    if t == "codes" and isinstance(value, list) and f.codes is not None:
        return rng.choice(["、", ",", "；"]).join(f.codes.label(c) for c in value)
    if t == "date" and isinstance(value, str):
        d = dt.date.fromisoformat(value)
        return rng.choice([value, d.strftime("%Y/%m/%d"), d.strftime("%Y%m%d"), dt.datetime(d.year, d.month, d.day)])
    if t == "year_month" and isinstance(value, str):
        y, m = value.split("-")
        return rng.choice([value, f"{y}/{int(m)}", f"{y}年{int(m)}月", dt.datetime(int(y), int(m), 1)])
    if t in ("year", "integer", "decimal") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return rng.choice([float(value), str(value)])
    if t == "boolean" and isinstance(value, bool):
        return rng.choice([value, "是" if value else "否"])
    if t == "text" and isinstance(value, str):
        return rng.choice([value, f" {value} "])
    return value


def _rows(cat: Any, family: str, set_key: str, rng: random.Random, fake: Faker, n: int) -> list[tuple[list[Any], dict[str, Any], bool]]:
    """(cells, the teacher's file, spoiled?) for n rows of one set."""
    view = cat.view(set_key, family)
    columns = [(k, f) for k, f in sheet_columns(view) if f is not None]
    out = []
    while len(out) < n:
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 35 * 365))
        seq = rng.randrange(0, 999)
        person = Person(fake.name(), "1" if seq % 2 else "2", birth, idnumber.make("360102", birth, seq))
        records = fill_records(cat, family, person, rng, fake)
        file = {k: (v[0] if cat.sets[k].cardinality == "one" else v) for k, v in records.items()}
        for record in records.get(set_key, [])[:2]:
            cells = [_cell(cat, f, record.get(k), rng) if record.get(k) is not None else "" for k, f in columns]
            spoiled = rng.random() < 0.5
            if spoiled:
                for _ in range(rng.choice([1, 1, 2, 3])):
                    cells[rng.randrange(len(cells))] = rng.choice(JUNK)
            out.append((cells, file, spoiled))
    return out


@pytest.mark.parametrize("province,family,set_key", CASES, ids=[f"{p}-{f}-{k}" for p, f, k in CASES])
def test_fast_rows_agree_with_the_plain_path(province: str, family: str, set_key: str) -> None:
    cat = CATALOGUES[province]
    validator = cat.validator(set_key, family)
    view = cat.view(set_key, family)
    keys = [k for k, f in sheet_columns(view) if f is not None]
    checker = compile_rows(validator, list(enumerate(keys)))
    assert checker is not None
    rng = random.Random(f"{province}{family}{set_key}")
    accepted = clean_rows = 0
    for cells, file, spoiled in _rows(cat, family, set_key, rng, Faker("zh_CN"), 40):
        fast = checker.check(cells)
        record, problems = validator.coerce(dict(zip(keys, cells)))
        values = tuple(record.get(k) for k in keys)
        # rows a person got right, with nothing the plain path would change (a 无 row always takes it)
        right = not spoiled and not problems and not validator.is_none_record(record) and \
            validator.clean(record) == record and not validator.validate(record, records=[record])
        clean_rows += right
        if fast is None:
            continue
        accepted += right
        assert problems == [], (cells, problems)
        assert fast == values, (cells, fast, values)
        assert validator.clean(record) == {k: v for k, v in record.items()}, cells
        doc = {k: v for k, v in record.items() if v is not None and v != []}
        records = [doc]
        plain = validator.validate(doc, records=records, file=file, index=0)
        assert plain == validator.validate_deferred(doc, records=records, file=file, index=0), (cells, plain)
    # the fast path is worth having: most untouched rows take it
    assert accepted >= clean_rows * 0.6, (accepted, clean_rows)


def test_sets_whose_conditions_read_the_file_take_the_plain_path() -> None:
    others = [c for c in ALL if _conditions_read_more(*c)]
    assert others, "the national catalogue has such a set (教学任务): keep this test meaningful"
    for p, fam, key in others:
        view = CATALOGUES[p].view(key, fam)
        keys = [k for k, f in sheet_columns(view) if f is not None]
        assert compile_rows(CATALOGUES[p].validator(key, fam), list(enumerate(keys))) is None, (p, fam, key)


DEFERRED = [c for c in ALL if compile_deferred(CATALOGUES[c[0]].validator(c[2], c[1])) is not None]


@pytest.mark.parametrize("province,family,set_key", DEFERRED, ids=[f"{p}-{f}-{k}" for p, f, k in DEFERRED])
def test_compiled_file_rules_pass_only_when_the_plain_ones_do(province: str, family: str, set_key: str) -> None:
    """``compile_deferred`` answers True only where ``validate_deferred`` finds nothing; files
    with the other sets missing, emptied or holding junk included."""
    cat = CATALOGUES[province]
    validator = cat.validator(set_key, family)
    passes = compile_deferred(validator)
    assert passes is not None
    rng = random.Random(f"deferred{province}{family}{set_key}")
    said_yes = said_no = 0
    for cells, file, spoiled in _rows(cat, family, set_key, rng, Faker("zh_CN"), 40):
        keys = [k for k, f in sheet_columns(cat.view(set_key, family)) if f is not None]
        record, _ = validator.coerce(dict(zip(keys, cells)))
        doc = {k: v for k, v in record.items() if v is not None and v != []}
        if spoiled:
            victim = rng.choice(sorted(file))
            file = {**file, victim: rng.choice([{}, None, [], {"birth_date": rng.choice(JUNK)}, "x"])}
        try:
            answer = passes(doc, [doc], file)
        except Exception:
            answer = False
        plain = validator.validate_deferred(doc, records=[doc], file=file, index=0)
        if answer:
            said_yes += 1
            assert plain == [], (doc, file, plain)
        else:
            said_no += 1
    assert said_yes, "the compiled check never answered: the test proves nothing"

