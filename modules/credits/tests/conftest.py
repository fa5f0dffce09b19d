"""Tests of the credits module: the people tests' fixtures (real database, the world, teachers)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.people.conftest import *  # noqa: E402,F401,F403

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _the_world(world):
    """Every credits test runs in the tests' world (its units and accounts)."""
    return world


@pytest.fixture()
def postgres_only(ctx):
    """For the race tests (``usefixtures("postgres_only")``): real concurrent sessions need PostgreSQL."""
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL: set TMIS_TEST_DATABASE_URL")
