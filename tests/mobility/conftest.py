"""The shared case-engine tests (web/cases: pages, scope, concurrency, demo cases, home counts)
and, re-exported by modules/<name>/tests/conftest.py, the transfer, rotation and status_change
modules' own tests: the people tests' fixtures (real database, the world, approved teachers, a
frozen clock)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.people.conftest import *  # noqa: E402,F401,F403
