"""Field types' readers: what a person types becomes one canonical value."""

from __future__ import annotations

import math

import pytest

from engine.fieldtypes import parse_decimal


@pytest.mark.parametrize("typed", ["-0", "-0.00", -0.0, 0, "0"])
def test_minus_zero_is_zero(typed: object) -> None:
    """A decimal typed -0 is 0 (shown as 0, and the same record as a row typed 0: an import's
    duplicate check compares values packed, where -0.0 and 0.0 differ)."""
    value, problem = parse_decimal(typed, None)
    assert problem is None and value == 0.0 and math.copysign(1.0, value) == 1.0


@pytest.mark.parametrize(("parse", "typed", "value"), [
    ("parse_integer", "３", 3), ("parse_integer", " －１２ ", -12), ("parse_integer", "1２", 12),
    ("parse_decimal", "１２．５", 12.5), ("parse_decimal", "３，５００", 3500.0),
    ("parse_year", "２０２３年", 2023), ("parse_year", "２０２３", 2023),
])
def test_full_width_digits_are_read_as_digits(parse: str, typed: str, value: object) -> None:
    """Numbers typed with a Chinese input method's full-width characters (NFKC) read as typed half-width."""
    from engine import fieldtypes

    got, problem = getattr(fieldtypes, parse)(typed, None)
    assert problem is None and got == value


@pytest.mark.parametrize("typed", ["３a", "١٢", "1 2", ""])
def test_what_is_not_a_number_stays_refused(typed: str) -> None:
    from engine.fieldtypes import parse_integer

    assert parse_integer(typed, None)[1] is not None
