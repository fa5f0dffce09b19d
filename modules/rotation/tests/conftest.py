"""Tests of the rotation module: the mobility tests' fixtures (tests/mobility/conftest.py: the
people tests' real database, world, approved teachers and frozen clock)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.mobility.conftest import *  # noqa: E402,F401,F403
