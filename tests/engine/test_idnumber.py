"""GB 11643 identity numbers: known vectors plus properties over generated numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from engine import idnumber

TODAY = dt.date(2025, 6, 1)

regions = st.sampled_from(sorted(idnumber.PROVINCE_CODES)).flatmap(
    lambda p: st.from_regex(r"\A[0-9]{4}\Z", fullmatch=True).map(lambda rest: p + rest)
)
births = st.dates(min_value=idnumber.EARLIEST_BIRTH, max_value=TODAY)
seqs = st.integers(min_value=0, max_value=999)


@pytest.mark.parametrize(
    "number, born, sex",
    [
        ("11010519491231002X", "1949-12-31", "2"),  # the example printed in GB 11643
        ("360426199101010071", "1991-01-01", "1"),
        ("120103198806018241", "1988-06-01", "2"),
    ],
)
def test_published_vectors(number: str, born: str, sex: str) -> None:
    assert idnumber.is_valid(number)
    assert idnumber.check_digit(number[:17]) == number[17]
    assert idnumber.birth_date(number) == born
    assert idnumber.gender(number) == sex


def test_lowercase_x_is_accepted() -> None:
    assert idnumber.is_valid("11010519491231002x")
    assert idnumber.gender("11010519491231002x") == "2"


@pytest.mark.parametrize(
    "bad",
    [
        "", "11010519491231002", "11010519491231002XX", "110105194912310021",  # length, check
        "99010519491231002X",  # no province 99
        "110105194902300029",  # 30 February (check char recomputed below)
        "１１0105194912310020",  # full-width digits
        None, 11010519491231002, ["11010519491231002X"],
    ],
)
def test_rejects_bad_input_without_raising(bad: object) -> None:
    assert idnumber.is_valid(bad) is False
    assert idnumber.birth_date(bad) is None
    assert idnumber.gender(bad) is None


def test_impossible_or_future_birth_dates_are_rejected() -> None:
    feb30 = "11010519490230002"
    assert not idnumber.is_valid(feb30 + idnumber.check_digit(feb30))
    assert not idnumber.is_valid(idnumber.make("110105", "1899-12-31", 2))
    future = idnumber.make("110105", "2025-06-02", 2)
    assert not idnumber.is_valid(future, today=TODAY)
    assert idnumber.is_valid(future, today=dt.date(2025, 6, 2))


@given(regions, births, seqs)
def test_generated_numbers_validate_and_round_trip(region: str, born: dt.date, seq: int) -> None:
    number = idnumber.make(region, born, seq)
    assert idnumber.is_valid(number, today=TODAY)
    assert idnumber.birth_date(number, today=TODAY) == born.isoformat()
    assert idnumber.gender(number, today=TODAY) == ("1" if seq % 2 else "2")


@given(regions, births, seqs, st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_is_caught(
    region: str, born: dt.date, seq: int, pos: int, delta: int
) -> None:
    number = idnumber.make(region, born, seq)
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    old = alphabet.index(number[pos])
    new = alphabet[(old + delta) % len(alphabet)]
    if new == number[pos]:
        return  # delta wrapped to the same character (only possible for 10 at pos < 17)
    changed = number[:pos] + new + number[pos + 1:]
    assert not idnumber.is_valid(changed, today=TODAY)


@given(regions, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), seqs)
def test_from_15_inserts_century_and_check_digit(region: str, born: dt.date, seq: int) -> None:
    full = idnumber.make(region, born, seq)
    legacy = full[:6] + full[8:17]
    assert idnumber.from_15(legacy, today=TODAY) == full


def test_from_15_rejects_malformed() -> None:
    assert idnumber.from_15("11010549123100") is None  # 14 digits
    assert idnumber.from_15("110105491331002") is None  # month 13
    assert idnumber.from_15(None) is None


def test_make_rejects_malformed_parts() -> None:
    with pytest.raises(ValueError):
        idnumber.make("11010", "1990-01-01", 1)
    with pytest.raises(ValueError):
        idnumber.make("110105", "1990-01-01", 1000)
    with pytest.raises(ValueError):
        idnumber.check_digit("123")


# ------------------------------------------------------------------ 港澳台居民居住证 (issue 20.16)

HK = idnumber.make("810000", "1990-05-01", 11)
MO = idnumber.make("820000", "1988-02-29", 20)
TW = idnumber.make("830000", "1975-12-31", 1)


@pytest.mark.parametrize("number", [HK, MO, TW])
def test_residence_permits_are_not_resident_id_numbers(number: str) -> None:
    """810000 and 820000 used to pass as 居民身份证 and 830000 did not: all three are permits."""
    assert idnumber.is_permit(number, TODAY)
    assert not idnumber.is_valid(number, TODAY)
    assert idnumber.birth_date_of_valid(number) == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"


def test_a_permit_needs_the_whole_address_code_and_a_right_check_character() -> None:
    assert not idnumber.is_permit(idnumber.make("810100", "1990-05-01", 11), TODAY)  # 8101…: not a permit code
    assert not idnumber.is_permit(HK[:17] + ("0" if HK[17] != "0" else "1"), TODAY)
    assert not idnumber.is_permit("11010519491231002X", TODAY)
    assert idnumber.is_permit(TW, TODAY, regions=("830000",)) and not idnumber.is_permit(HK, TODAY, regions=("830000",))
    # Taiwan's GB/T 2260 code is on no 居民身份证 either
    assert not idnumber.is_valid(idnumber.make("710000", "1990-05-01", 11), TODAY)


@pytest.fixture(scope="module")
def basic_validator():
    from engine.catalogue import build_catalogues, repo_root

    cat = build_catalogues(repo_root(), ["36"])["36"]
    return cat.validator("basic", cat.family_of("primary"))


def _id_problems(validator, id_type: str, number: str, born: str | None = None) -> list[str]:
    record = validator.clean({"name": "陈大文", "id_type": id_type, "id_number": number,
                              "gender": idnumber.gender_of_valid(number),
                              "birth_date": born or idnumber.birth_date_of_valid(number)})
    return sorted(f"{v.field} {v.code}" for v in validator.validate(record, file={"basic": record})
                  if v.code.startswith(("basic.id", "basic.permit")))


def test_the_catalogue_takes_each_permit_under_its_own_type(basic_validator) -> None:
    assert _id_problems(basic_validator, "C", HK) == []
    assert _id_problems(basic_validator, "C", MO) == []
    assert _id_problems(basic_validator, "D", TW) == []
    for number in (HK, MO, TW):  # as 居民身份证: one problem, on the type, saying which type it is
        assert _id_problems(basic_validator, "1", number) == ["id_type basic.id_is_permit"]
    assert _id_problems(basic_validator, "C", TW) == ["id_number basic.permit_hkmo_valid"]
    assert _id_problems(basic_validator, "D", HK) == ["id_number basic.permit_tw_valid"]
    assert _id_problems(basic_validator, "D", "11010519491231002X") == ["id_number basic.permit_tw_valid"]
    assert _id_problems(basic_validator, "1", "11010519491231002X") == []
    # a permit's birth date is read from it as a resident ID number's is
    assert _id_problems(basic_validator, "D", TW, born="1975-12-30") == ["birth_date basic.id_birth_date"]


def test_as_stored_reads_a_legacy_15_digit_number_as_its_18_character_form() -> None:
    full = idnumber.make("360102", dt.date(1968, 3, 9), 123)
    legacy = full[:6] + full[8:17]
    assert idnumber.as_stored(legacy) == full
    assert idnumber.as_stored(" ３６" + legacy[2:]) == full  # typed with full-width digits and a space
    assert idnumber.as_stored(full.lower()) == full
    assert idnumber.as_stored("110105491331002") == "110105491331002"  # month 13: no conversion, kept as typed
    assert idnumber.as_stored(None) == ""
