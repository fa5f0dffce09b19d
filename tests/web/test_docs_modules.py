"""docs/modules.md's walkthrough builds a working module: its code blocks (each naming its file
on the fence line, ```python file=modules/hello/plugin.py) are written into a modules folder,
the app loads the module, its route answers and its menu entry shows to whom it should."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import Client, make_settings
from tests.web.test_modules import keep_registry, make_root  # noqa: F401  (fixture)
from web.app import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "modules.md"
BLOCK = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```$", re.S | re.M)


def doc_files() -> dict[str, str]:
    return {path: body for path, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))}


def test_the_walkthrough_module_works(tmp_path, db_url, world, keep_registry):  # noqa: F811
    files = doc_files()
    assert set(files) == {"modules/hello/module.yaml", "modules/hello/plugin.py"}
    root = make_root(tmp_path, example=False)
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    app = create_app(make_settings(db_url, repo_root=root))
    try:
        assert [(m.key, m.version) for m in app.state.modules.modules if m.key == "hello"] == [("hello", "0.1")]
        reviewer = Client(app, "info_reviewer@3601")
        r = reviewer.get("/hello/")
        assert r.status_code == 200 and r.json()["hello"] == "你好"
        home = reviewer.get("/admin/").text
        assert 'id="nav-hello" href="/hello/"' in home and "业务管理" in home
        viewer = Client(app, "info_viewer@3601")
        assert 'href="/hello/"' not in viewer.get("/admin/").text
        refused = viewer.get("/hello/")
        assert refused.status_code == 403 and "W201" in refused.text
        assert [s.key for s in app.state.modules.statistics()] == ["hello.units"]
    finally:
        app.state.ctx.engine.dispose()
