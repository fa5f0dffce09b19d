"""The reproducible draw: same seed + same population = same sample, on any machine.

Each member of the population has a stable key (a school's unit code, a teacher's id); its rank is
SHA-256 of "<seed>|<key>", and the sample is the ``size`` members of lowest rank, in rank order.
Nothing depends on the order the population is read in, the database or the Python version, and a
member's chance does not depend on the others: anyone holding the population's keys can repeat the
draw with the published seed. The population's fingerprint (SHA-256 of its sorted keys) tells
whether a later population is the same one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Iterable, TypeVar

K = TypeVar("K", str, int)
SEED = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def rank(seed: str, key: object) -> str:
    return hashlib.sha256(f"{seed}|{key}".encode("utf-8")).hexdigest()


def draw(keys: Iterable[K], seed: str, size: int) -> list[K]:
    """The ``size`` keys of lowest rank under ``seed``, lowest first."""
    return sorted(set(keys), key=lambda k: (rank(seed, k), str(k)))[:size]


def fingerprint(keys: Iterable[object]) -> str:
    return hashlib.sha256("\n".join(sorted(str(k) for k in set(keys))).encode("utf-8")).hexdigest()


def new_seed() -> str:
    """A seed for a caller who gave none: eight digits, shown with the result."""
    return f"{secrets.randbelow(10**8):08d}"


def valid_seed(seed: str) -> bool:
    return bool(SEED.fullmatch(seed))
