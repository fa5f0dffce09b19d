"""Tests of the statistics module: the web tests' fixtures, and a demo province (``tmis demo``,
small) built once per session in a database of its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.people.conftest import *  # noqa: E402,F401,F403  (the web, review and people fixtures)
from tests.web.conftest import fresh_database, make_settings  # noqa: E402

DEMO_PASSWORD = "Demo@2024x"


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo province 江西 with 96 teachers (8 per school; 6 of them approved) and its cases."""
    from web.app import create_app
    from web.demo import build_demo

    with fresh_database(tmp_path_factory.mktemp("stats-demo")) as url:
        settings = make_settings(url)
        build_demo(settings, password=DEMO_PASSWORD, teachers=96, seed=7)
        application = create_app(settings)
        yield application
        application.state.ctx.engine.dispose()
