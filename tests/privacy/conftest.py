"""Privacy tests reuse the web tier's fixtures (real database, real app, the world of units and
accounts) and the review tests' complete files."""

from __future__ import annotations

from tests.web.conftest import *  # noqa: F401,F403  (fixtures: db_url, settings, app, ctx, db, world …)
