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
