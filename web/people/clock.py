"""Today's date for dated effects (a secondment that ends, a status that takes effect).

Reads ``engine.clock`` (the server's local date) unless a test froze it with ``frozen(d)``:
every dated decision of web.people asks here, so one freeze moves them all.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Iterator

from engine import clock as engine_clock

_FROZEN: list[dt.date] = []


def today() -> dt.date:
    return _FROZEN[-1] if _FROZEN else engine_clock.today()


@contextmanager
def frozen(day: dt.date) -> Iterator[dt.date]:
    """Within the block, ``today()`` is ``day`` (nestable)."""
    _FROZEN.append(day)
    try:
        yield day
    finally:
        _FROZEN.pop()
