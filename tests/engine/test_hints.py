"""A problem's fix (the catalogue's hint) is filled with the problem's values, or left out when
it needs one the check has not got; never shown with a raw ``{placeholder}``."""

from __future__ import annotations

from engine import errors as E


def test_a_hint_is_filled_even_when_a_value_holds_braces() -> None:
    # a pattern's own {6} is not a placeholder left unfilled
    assert E.render_hint(E.V_PATTERN, {"pattern": "^[0-9]{6}$"}, "en") == "Required pattern: ^[0-9]{6}$"
    assert E.render_hint(E.V_PATTERN, {"pattern": "^[0-9]{6}$"}, "zh") == "要求的格式：^[0-9]{6}$"


def test_a_hint_that_needs_a_missing_value_is_left_out() -> None:
    assert E.render_hint(E.V_FORMAT, {}, "zh") == ""  # 例如：{example}
    assert E.render_hint(E.V_FORMAT, {"example": "2008-09"}, "zh") == "例如：2008-09"
    assert E.render_hint(E.V_UNKNOWN_CODE, {}, "en") == "Choose from the list."
