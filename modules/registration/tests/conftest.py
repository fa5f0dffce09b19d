"""Tests of the registration module: the people tests' fixtures (real database, the world,
approved teachers, a frozen clock)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.people.conftest import *  # noqa: E402,F401,F403
