"""Today's date, read from the system clock at most once a second.

Validation runs thousands of records a second and asks for ``today`` in every rule that
compares with it (and every ID number check); one clock read per second is plenty.
"""

from __future__ import annotations

import datetime as dt
import time

_LAST: list[dt.date | float] = [dt.date.today(), time.monotonic()]


def today() -> dt.date:
    now = time.monotonic()
    if now - _LAST[1] > 1.0:  # type: ignore[operator]
        _LAST[0], _LAST[1] = dt.date.today(), now
    return _LAST[0]  # type: ignore[return-value]
