"""The app works with modules/credits deleted: its API and pages are gone (404), the rest answers,
and the definitions check clean (no credit rules are read without the module's own file)."""

from __future__ import annotations

from engine.catalogue import check_repo
from tests.web.conftest import Client, make_settings
from tests.web.test_modules import keep_registry, make_root  # noqa: F401
from web.app import create_app


def test_the_app_works_without_the_credits_module(tmp_path, db_url, world, keep_registry):  # noqa: F811
    root = make_root(tmp_path, without=("credits",), example=False)
    app = create_app(make_settings(db_url, repo_root=root))
    try:
        assert "credits" not in {m.key for m in app.state.modules.modules}
        county = Client(app, "info_manager@360102")
        assert county.get("/admin/").status_code == 200 and 'href="/credits/"' not in county.get("/admin/").text
        for path in ("/api/v1/training/projects", "/api/v1/training/balances", "/credits/"):
            assert county.get(path).status_code == 404, path
        assert county.get("/forms/teachers").status_code == 200
    finally:
        app.state.ctx.engine.dispose()
    _, problems = check_repo(root, ["36"])
    assert problems == []
