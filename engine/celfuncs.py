"""The domain functions available to rules: one table, from which docs and tests are made.

Each entry names the function, its Python callable, its signature, what it does in
Chinese and English, and worked examples (expression, variables, expected result). The
test suite runs every example through the CEL package, so the documentation cannot
drift from the behaviour.

Every function is total: a wrong type or an empty value gives false / "" / 0 instead of
raising, because a rule must be able to run on half-filled records (``required`` reports
emptiness; a constraint on an empty value passes). Every function is pure (the same arguments
give the same answer, ``today`` aside): validators remember the answers of conditions by the
values they read (engine.expr.evaluator).

Code-table functions need the catalogue's tables, so they come from a factory,
:func:`code_functions`; :func:`callables` returns everything a ``cel.Context`` (or
``engine.celfast``) needs for one catalogue.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping

from engine import idnumber
from engine.clock import today

CodeTables = Mapping[str, Mapping[str, "str | None"]]  # table key → {code: parent code or None}


@dataclass(frozen=True)
class Example:
    expr: str
    context: Mapping[str, Any]
    expected: Any


@dataclass(frozen=True)
class CelFunction:
    name: str
    fn: Callable[..., Any]
    signature: str
    zh: str
    en: str
    examples: tuple[Example, ...] = field(default=())


# ------------------------------------------------------------------ helpers

_DATE = re.compile(r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_YM = re.compile(r"\A([0-9]{4})-([0-9]{2})(?:-[0-9]{2})?\Z")
_YEAR = re.compile(r"\A[0-9]{4}\Z")


def _date(s: object) -> _dt.date | None:
    if not isinstance(s, str):
        return None
    m = _DATE.match(s)
    if not m:
        return None
    try:
        return _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _year_month(s: object) -> tuple[int, int] | None:
    """(year, month) of "YYYY-MM" or of a valid "YYYY-MM-DD"."""
    if not isinstance(s, str):
        return None
    m = _YM.match(s)
    if not m:
        return None
    if len(s) == 10 and _date(s) is None:
        return None
    month = int(m[2])
    return (int(m[1]), month) if 1 <= month <= 12 else None


# ------------------------------------------------------------------ plain functions


@lru_cache(maxsize=4096)
def _id_info(s: str, today: _dt.date) -> tuple[bool, str, str, bool]:
    # Rules often ask three questions of the same number in a row; answer them once.
    # ``today`` is part of the key so a cached answer never outlives its date.
    # (a 居民身份证?, birth date, gender, a 港澳台居民居住证?): the two share one layout
    resident = idnumber.is_valid(s, today)
    permit = not resident and idnumber.is_permit(s, today)
    if not (resident or permit):
        return (False, "", "", False)
    return (resident, idnumber.birth_date_of_valid(s), idnumber.gender_of_valid(s), permit)


def _id(s: object) -> tuple[bool, str, str, bool]:
    if not isinstance(s, str):
        return (False, "", "", False)
    return _id_info(s, today())


def id_valid(s: object) -> bool:
    return _id(s)[0]


def permit_valid(s: object) -> bool:
    return _id(s)[3]


def id_birth_date(s: object) -> str:
    return _id(s)[1]


def id_gender(s: object) -> str:
    return _id(s)[2]


def ym(s: object) -> str:
    if s.__class__ is str:  # months of birth dates and of today repeat: remember them
        hit = _YM_SEEN.get(s)  # type: ignore[call-overload]
        if hit is None:
            if len(_YM_SEEN) > 50_000:
                _YM_SEEN.clear()
            hit = _YM_SEEN[s] = _ym(s)  # type: ignore[index]
        return hit
    return _ym(s)


def _ym(s: object) -> str:
    parts = _year_month(s)
    return f"{parts[0]:04d}-{parts[1]:02d}" if parts else ""


_YM_SEEN: dict[str, str] = {}


def year_of(s: object) -> int:
    if isinstance(s, bool):
        return 0
    if isinstance(s, int):
        return s if 1 <= s <= 9999 else 0
    if isinstance(s, str) and _YEAR.match(s):
        return int(s)
    parts = _year_month(s)
    return parts[0] if parts else 0


def age_at(birth: object, on: object) -> int:
    b, d = _date(birth), _date(on)
    if b is None or d is None:
        return 0
    years = d.year - b.year
    if (d.month, d.day) < (b.month, b.day):  # birthday not reached yet that year
        years -= 1
    return years


def length(s: object) -> int:
    """Characters, not bytes: the package's size() counts UTF-8 bytes (3 per Chinese character)."""
    return len(s) if isinstance(s, str) else 0


def months_between(a: object, b: object) -> int:
    pa, pb = _year_month(a), _year_month(b)
    if pa is None or pb is None:
        return 0
    return (pb[0] * 12 + pb[1]) - (pa[0] * 12 + pa[1])


_ID = "11010519491231002X"  # the example number printed in GB 11643
_PERMIT = idnumber.make("830000", "1990-05-01", 1)  # a Taiwan resident's residence permit

FUNCTIONS: tuple[CelFunction, ...] = (
    CelFunction(
        "length", length, "length(string) -> int",
        "字符串的字符数（一个汉字算 1）；CEL 自带的 size() 计算的是字节数。不是字符串时为 0。",
        "Number of characters of a string (a Chinese character counts 1); CEL's size() counts "
        "bytes. 0 when not a string.",
        (Example('length("张三")', {}, 2),
         Example("length(record.name) >= 2", {"record": {"name": "李"}}, False),
         Example("length(1)", {}, 0)),
    ),
    CelFunction(
        "id_valid", id_valid, "id_valid(string) -> bool",
        "身份证件号是否为有效的18位居民身份证号码（校验码、出生日期、内地省级地址码；"
        "港澳台居民居住证号码不是）。",
        "Whether a string is a valid 18-character resident ID number (check character, "
        "birth date, a mainland province code; a Hong Kong, Macao or Taiwan residence permit number is not).",
        (Example("id_valid(record.id_number)", {"record": {"id_number": _ID}}, True),
         Example('id_valid("110105194912310021")', {}, False),
         Example(f'id_valid("{_PERMIT}")', {}, False),
         Example("id_valid(1)", {}, False)),
    ),
    CelFunction(
        "permit_valid", permit_valid, "permit_valid(string) -> bool",
        "是否为有效的港澳台居民居住证号码（地址码 810000 香港、820000 澳门、830000 台湾，"
        "出生日期与校验码同居民身份证）。",
        "Whether a string is a valid residence permit number of a Hong Kong, Macao or Taiwan "
        "resident (address code 810000, 820000 or 830000; birth date and check character as in "
        "a resident ID number).",
        (Example("permit_valid(record.id_number)", {"record": {"id_number": _PERMIT}}, True),
         Example(f'permit_valid("{_ID}")', {}, False),
         Example("permit_valid(1)", {}, False)),
    ),
    CelFunction(
        "id_birth_date", id_birth_date, "id_birth_date(string) -> string",
        "从有效的居民身份证号或港澳台居民居住证号取出生日期（YYYY-MM-DD）；号码无效时为空字符串。",
        'Birth date ("YYYY-MM-DD") from a valid resident ID or residence permit number; "" when '
        'the number is invalid.',
        (Example("id_birth_date(record.id_number) == record.birth_date",
                 {"record": {"id_number": _ID, "birth_date": "1949-12-31"}}, True),
         Example('id_birth_date("123")', {}, "")),
    ),
    CelFunction(
        "id_gender", id_gender, "id_gender(string) -> string",
        '从有效的居民身份证号或港澳台居民居住证号取性别代码："1" 男（顺序码奇数），"2" 女；号码无效时为空字符串。',
        'Gender code from a valid resident ID or residence permit number: "1" male (odd sequence), '
        '"2" female; "" when invalid.',
        (Example("id_gender(record.id_number)", {"record": {"id_number": _ID}}, "2"),
         Example('id_gender("")', {}, "")),
    ),
    CelFunction(
        "ym", ym, "ym(string) -> string",
        '日期或年月的"YYYY-MM"部分；无法识别时为空字符串。',
        'The "YYYY-MM" part of a date or year-month; "" when not one.',
        (Example('ym("2020-09-01")', {}, "2020-09"),
         Example('ym(record.birth_date) <= record.work_start_month',
                 {"record": {"birth_date": "1990-05-17", "work_start_month": "2012-08"}}, True),
         Example('ym("2020-13")', {}, "")),
    ),
    CelFunction(
        "year_of", year_of, "year_of(string|int) -> int",
        "日期、年月或年份的年（整数）；无法识别时为 0。",
        "The year (int) of a date, year-month or year; 0 when not one.",
        (Example('year_of("2020-09-01")', {}, 2020),
         Example("year_of(record.year) < this_year",
                 {"record": {"year": 2023}, "this_year": 2025}, True),
         Example('year_of("abc")', {}, 0)),
    ),
    CelFunction(
        "age_at", age_at, "age_at(string, string) -> int",
        "出生日期到某日期的周岁（整年）；任一日期无效时为 0。",
        "Age in whole years on a date, given a birth date; 0 when either date is invalid.",
        (Example('age_at("1990-06-02", "2020-06-01")', {}, 29),
         Example('age_at(record.birth_date, today) >= 18',
                 {"record": {"birth_date": "2000-02-29"}, "today": "2018-03-01"}, True),
         Example('age_at("", "2020-06-01")', {}, 0)),
    ),
    CelFunction(
        "months_between", months_between, "months_between(string, string) -> int",
        "两个日期或年月之间相差的月数（后者减前者，按年月计）；无效时为 0。",
        "Calendar months from the first date or year-month to the second (by year-month; "
        "negative when the second is earlier); 0 when either is invalid.",
        (Example('months_between("2019-09", "2020-07-15")', {}, 10),
         Example('months_between(record.entry_month, record.leave_month) >= 0',
                 {"record": {"entry_month": "2020-09", "leave_month": "2020-03"}}, False)),
    ),
)


# ------------------------------------------------------------------ code tables

# A small table for the examples (and for tests): 学历 (GB/T 4658), a tree.
EXAMPLE_TABLES: dict[str, dict[str, str | None]] = {
    "education_level": {"10": None, "11": "10", "14": "10", "20": None, "21": "20"},
}


def _ancestors(parents: Mapping[str, str | None], code: str) -> set[str]:
    seen: set[str] = set()
    cur: str | None = code
    while cur is not None and cur not in seen:  # the loop guard makes a bad cycle harmless
        seen.add(cur)
        cur = parents.get(cur)
    return seen


def code_functions(tables: CodeTables) -> tuple[CelFunction, ...]:
    """``code_in`` and ``code_under`` bound to one catalogue's code tables.

    Ancestor sets are computed once per (table, code), so a hot rule costs a dict look-up.
    """
    cache: dict[tuple[str, str], frozenset[str]] = {}

    def code_in(table: object, code: object) -> bool:
        if not isinstance(table, str) or not isinstance(code, str):
            return False
        parents = tables.get(table)
        return parents is not None and code in parents

    def code_under(table: object, code: object, ancestor: object) -> bool:
        if not (isinstance(table, str) and isinstance(code, str) and isinstance(ancestor, str)):
            return False
        parents = tables.get(table)
        if parents is None or code not in parents:
            return False
        key = (table, code)
        anc = cache.get(key)
        if anc is None:
            anc = cache[key] = frozenset(_ancestors(parents, code))
        return ancestor in anc

    return (
        CelFunction(
            "code_in", code_in, "code_in(string, string) -> bool",
            "代码是否在代码表中（表名为代码表键）。",
            "Whether a code is in a code table (given by its table key).",
            (Example('code_in("education_level", record.education)',
                     {"record": {"education": "14"}}, True),
             Example('code_in("education_level", "99")', {}, False),
             Example('code_in("no_such_table", "10")', {}, False)),
        ),
        CelFunction(
            "code_under", code_under, "code_under(string, string, string) -> bool",
            "代码等于某上级代码或是其下级（任意层级）。",
            "Whether a code equals an ancestor code or descends from it (at any depth).",
            (Example('code_under("education_level", record.education, "10")',
                     {"record": {"education": "14"}}, True),
             Example('code_under("education_level", "10", "10")', {}, True),
             Example('code_under("education_level", "21", "10")', {}, False)),
        ),
    )


def all_functions(tables: CodeTables = EXAMPLE_TABLES) -> tuple[CelFunction, ...]:
    return FUNCTIONS + code_functions(tables)


def callables(tables: CodeTables) -> dict[str, Callable[..., Any]]:
    """name → callable, for ``cel.Context.add_function`` and ``engine.celfast.compile_fast``."""
    return {f.name: f.fn for f in all_functions(tables)}
