"""Resident identity numbers (公民身份号码, GB 11643-1999).

An 18-character number is: 6-digit address code (GB/T 2260 county code at the time of
issue) + 8-digit birth date YYYYMMDD + 3-digit sequence (odd = male, even = female) +
1 check character (ISO 7064 MOD 11-2: ``"10X98765432"[Σ aᵢ·wᵢ mod 11]``).

The address check is deliberately coarse: only the first two digits (the province) must
be a real province code of the mainland. Full county codes change every year and old numbers
keep the code valid when they were issued, so a strict check would reject real people.

港澳台居民居住证 (residence permits for residents of Hong Kong, Macao and Taiwan, issued since
2018 under 《港澳台居民居住证申领发放办法》) have numbers of the same layout whose address code is
810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan). They are a document type of their own,
not a 居民身份证: ``is_valid`` refuses them (and 71…, Taiwan's GB/T 2260 code, which no 居民身份证
carries), ``is_permit`` accepts exactly them. Birth date and gender read the same from both.

Every function here is total: bad input gives ``False`` or ``None``, never an exception,
because rules call them on whatever a person typed.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from operator import mul

# 2^(18-i) mod 11 for positions 1..17
WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level codes of the mainland (first two digits of a 居民身份证's address
# code): 71 台湾省, 81 香港, 82 澳门 are GB/T 2260 codes too, but no 居民身份证 carries them.
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65".split()
)
# 港澳台居民居住证: the whole address code, by where the holder is a resident of
PERMIT_REGIONS: dict[str, str] = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

_ZERO_OFFSET = 48 * sum(WEIGHTS)

EARLIEST_BIRTH = _dt.date(1900, 1, 1)
# [0-9], not \d: \d also matches full-width and other Unicode digits
_SHAPE18 = re.compile(r"[0-9]{17}[0-9Xx]")
_ALL_DIGITS = re.compile(r"[0-9]+")


_SPACES = re.compile(r"\s+")


def normalize(s: object) -> str:
    """An ID number as typed → as stored: full-width characters made half-width (NFKC: ３６０…Ｘ),
    every space removed (inside too: "360102 1990…"), a lowercase x made X. The one
    normalisation of every entry of an ID number: sign-in, search, forms, API, imports (issue 20.1).
    Total like everything here: anything not text gives ''."""
    if s is None or isinstance(s, bool):
        return ""
    if isinstance(s, int):
        return str(s)
    if not isinstance(s, str):
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", s)).upper()


def shaped(s: object) -> bool:
    """Has the shape of an 18-character ID or permit number (after ``normalize``)."""
    return isinstance(s, str) and len(s) == 18 and _SHAPE18.fullmatch(s) is not None


def login_name(username: object) -> str:
    """A username as typed at sign-in → the one to look up: a teacher's (an ID number) normalised,
    any other only stripped (staff usernames are case-sensitive)."""
    text = username if isinstance(username, str) else ""
    normal = normalize(text)
    return normal if shaped(normal) else text.strip()


def _all_digits(s: str) -> bool:
    return _ALL_DIGITS.fullmatch(s) is not None


def check_digit(first17: str) -> str:
    """The check character ("0"–"9" or "X") for the first 17 digits.

    Raises ValueError when ``first17`` is not 17 ASCII digits (a programming error,
    unlike the validators below, which are total).
    """
    if not isinstance(first17, str) or len(first17) != 17 or not _all_digits(first17):
        raise ValueError("check_digit needs exactly 17 digits")
    # on the ASCII codes: Σ (code − 48)·w = Σ code·w − 48·Σw (no int() per digit)
    return CHECK_CHARS[(sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_OFFSET) % 11]


def _parse_date(yyyymmdd: str) -> _dt.date | None:
    try:
        return _dt.date(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def is_valid(s: object, today: _dt.date | None = None) -> bool:
    """True for a well-formed 18-character 居民身份证 number.

    Checks: 17 digits + a check character (digit, "X" or "x") that matches; a real
    province code of the mainland; a real birth date from 1900-01-01 up to ``today``
    (default: the system date).
    """
    return isinstance(s, str) and s[:2] in PROVINCE_CODES and _well_formed(s, today)


def is_permit(s: object, today: _dt.date | None = None, regions: tuple[str, ...] | None = None) -> bool:
    """True for a well-formed 港澳台居民居住证 number: address code 810000, 820000 or 830000
    (or one of ``regions``), then birth date, sequence and check character as in ``is_valid``."""
    return isinstance(s, str) and s[:6] in (regions or PERMIT_REGIONS) and _well_formed(s, today)


def _well_formed(s: str, today: _dt.date | None) -> bool:
    """The layout every such number shares (its address code checked by the caller)."""
    if len(s) != 18 or _SHAPE18.fullmatch(s) is None:
        return False
    body, last = s[:17], s[17].upper()
    born = _parse_date(body[6:14])
    if born is None or born < EARLIEST_BIRTH or born > (today or _dt.date.today()):
        return False
    return check_digit(body) == last


def birth_date(s: object, today: _dt.date | None = None) -> str | None:
    """"YYYY-MM-DD" from a valid number, else None."""
    if not is_valid(s, today):
        return None
    assert isinstance(s, str)
    return birth_date_of_valid(s)


def gender(s: object, today: _dt.date | None = None) -> str | None:
    """GB/T 2261.1 gender code from a valid number: "1" male (odd sequence), "2" female."""
    if not is_valid(s, today):
        return None
    assert isinstance(s, str)
    return gender_of_valid(s)


def birth_date_of_valid(s: str) -> str:
    """``birth_date`` of a number already found valid (no second check)."""
    return f"{s[6:10]}-{s[10:12]}-{s[12:14]}"


def gender_of_valid(s: str) -> str:
    """``gender`` of a number already found valid (no second check)."""
    return "1" if int(s[16]) % 2 else "2"


def from_15(s: object, today: _dt.date | None = None) -> str | None:
    """Convert a legacy 15-digit number (YYMMDD, no check digit) to 18 characters.

    Legacy numbers were issued before 1999 to people born in the 1900s, so "19" is
    inserted before the year. Returns None when the result is not a valid number.
    """
    if not isinstance(s, str) or len(s) != 15 or not _all_digits(s):
        return None
    first17 = s[:6] + "19" + s[6:]
    full = first17 + check_digit(first17)
    return full if is_valid(full, today) else None


def as_stored(s: object) -> str:
    """An ID number as typed → as the system stores a teacher's: ``normalize``, and a legacy
    15-digit 居民身份证 number (第一代身份证) converted by ``from_15`` (teachers are stored with the
    18-character number). What a list of ID numbers (training results, carried-over credits) is
    matched with."""
    number = normalize(s)
    if len(number) == 15:
        return from_15(number) or number
    return number


def make(region6: str, birth: str | _dt.date, seq3: int | str) -> str:
    """Build a number with the right check character (tests, the demo, synthetic data).

    ``birth`` is "YYYY-MM-DD" or a date; ``seq3`` is 0–999 (odd = male). Raises
    ValueError on malformed parts; does not check that the result is valid (a test may
    want a number with a future birth date).
    """
    if not isinstance(region6, str) or len(region6) != 6 or not _all_digits(region6):
        raise ValueError("region6 must be 6 digits")
    day = birth if isinstance(birth, _dt.date) else _dt.date.fromisoformat(birth)
    seq = int(seq3)
    if not 0 <= seq <= 999:
        raise ValueError("seq3 must be 0..999")
    first17 = f"{region6}{day.year:04d}{day.month:02d}{day.day:02d}{seq:03d}"
    return first17 + check_digit(first17)
