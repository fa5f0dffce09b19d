"""The generated import templates, kept per province, school type, catalogue version and set
selection (issue 20.9): building one takes seconds, and it only changes when the catalogue does.

The catalogue's version is a digest of its definitions (engine.catalogue), so an edited set,
code table or rule gives a new key and a new template; the old one is dropped when the cache
is full (least recently used first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

SIZE = 32  # templates kept (a province has a handful of school types; a few set selections)

_kept: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_lock = threading.Lock()
stats = {"built": 0, "reused": 0}


def key(cat: Any, school_type: str | None, sets: list[str] | None) -> tuple[Any, ...]:
    return (cat.province or "national", school_type, cat.version, tuple(sets) if sets is not None else None)


def cached(cat: Any, school_type: str | None, sets: list[str] | None, build: Callable[[], bytes]) -> bytes:
    """The template for this key, built by ``build`` the first time."""
    k = key(cat, school_type, sets)
    with _lock:
        found = _kept.get(k)
        if found is not None:
            _kept.move_to_end(k)
            stats["reused"] += 1
            return found
    content = build()  # outside the lock: another template may be built meanwhile
    with _lock:
        _kept[k] = content
        _kept.move_to_end(k)
        while len(_kept) > SIZE:
            _kept.popitem(last=False)
        stats["built"] += 1
    return content


def clear() -> None:
    with _lock:
        _kept.clear()
