"""Which widget draws which field type: a table, not an if-chain.

Each widget name is a macro in ``templates/forms/_widgets.html``. Code fields pick their widget by
the number of options: a few as radio buttons, a list as a select, thousands (regions,
countries) as a search box that asks the server as the user types.
"""

from __future__ import annotations

from typing import Any

# field type → widget (code and codes are refined by size below)
BY_TYPE: dict[str, str] = {
    "text": "text",
    "integer": "number",
    "decimal": "number",
    "year": "year",
    "date": "date",
    "year_month": "year_month",
    "boolean": "yesno",
    "code": "select",
    "codes": "checkboxes",
    "photo": "photo",
    "attachment": "attachment",
    "derived": "derived",
}

RADIO_MAX = 4  # a code field with at most this many options is drawn as radio buttons
LONG_TEXT = 150  # text fields allowing more characters than this get a text area


def widget_for(type_: str, codes: Any, n_options: int, search_threshold: int, max_length: int | None) -> str:
    widget = BY_TYPE[type_]
    if type_ == "code" and codes is not None:
        if n_options > search_threshold:
            return "search"
        if n_options <= RADIO_MAX and not codes.table.hierarchical:
            return "radios"
    if type_ == "codes" and n_options > search_threshold:
        return "multisearch"
    if type_ == "text" and max_length and max_length > LONG_TEXT:
        return "textarea"
    return widget
