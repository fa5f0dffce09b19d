"""docs/modules.md's walkthrough builds a working module: its code blocks (each naming its file
on the fence line, ```python file=modules/hello/plugin.py) are written into a modules folder,
the app loads the module, its route answers and its menu entry shows to whom it should; its
workflow passes tmis check, its migration creates its table (as its model says), a greeting card
goes through the workflow into that table, and ``tmis db downgrade hello@base`` removes it."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect

from tests.web.conftest import Client, four_items, make_settings
from tests.web.test_modules import keep_registry, make_root  # noqa: F401  (fixture)
from web.app import create_app
from web.db.base import Base
from web.db.migrate import alembic_config, downgrade, revisions, upgrade

DOC = Path(__file__).resolve().parents[2] / "docs" / "modules.md"
BLOCK = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```$", re.S | re.M)


def doc_files() -> dict[str, str]:
    return {path: body for path, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _a_teacher(app, school: str) -> int:
    """A teacher of its own at ``school`` (the world's teachers are shared with other tests)."""
    from web.services import teachers as teacher_service
    from web.services import units as unit_service

    with app.state.ctx.sessions() as db:
        items = teacher_service.FourItems.parse(**four_items(school[:6], "问候教师"))
        teacher = teacher_service.create_raw(db, unit_service.by_code(db, school), items, catalogue_version="test")
        db.commit()
        return teacher.id


def test_the_walkthrough_module_works(tmp_path, db_url, world, keep_registry):  # noqa: F811
    files = doc_files()
    assert set(files) == {"modules/hello/module.yaml", "modules/hello/plugin.py", "modules/hello/models.py",
                          "modules/hello/migrations/he01_greetings.py", "modules/hello/workflows.yaml",
                          "modules/hello/greetings.py"}
    root = make_root(tmp_path, example=False)
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    mods = root / "modules"

    from engine.catalogue import check_repo

    _, problems = check_repo(root, ["36"])  # tmis check: the module's workflow among the definitions
    assert [str(p) for p in problems] == []

    upgrade(db_url, modules=mods)  # tmis db upgrade: the module's own branch
    app = None
    try:
        assert "hello_greetings" in _tables(db_url) and revisions(db_url, mods)["hello"] == "he01"
        app = create_app(make_settings(db_url, repo_root=root))
        command.check(alembic_config(db_url, mods))  # the migration creates what the model declares
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

        # a card: the school sends it, its county confirms it (the workflow), the table holds it
        tid = _a_teacher(app, "3601020001")
        school, county = Client(app, "info_manager@3601020001"), Client(app, "info_reviewer@360102")
        sent = school.post("/api/v1/hello/greetings", json={"teacher_id": tid, "text": "教师节快乐"})
        assert sent.status_code == 201, sent.text
        case = sent.json()
        assert case["state"] == "pending" and case["acting_unit"] == "360102"
        assert [s["label"] for s in case["steps"]] == ["县级教育行政部门确认"]
        assert school.get(f"/api/v1/hello/teachers/{tid}").json() == []
        assert [c["id"] for c in county.get("/api/v1/hello/greetings", params={"queue": "mine"}).json()] == [case["id"]]
        again = school.post("/api/v1/hello/greetings", json={"teacher_id": tid, "text": "再次问候"})
        assert again.status_code == 409 and again.json()["code"] == "W780"  # one open case per teacher
        mine = school.post(f"/api/v1/hello/greetings/{case['id']}/approve", json={})
        assert mine.status_code == 403 and mine.json()["code"] == "W777"  # the county's step, not the school's
        done = county.post(f"/api/v1/hello/greetings/{case['id']}/approve", json={})
        assert done.status_code == 200 and done.json()["state"] == "completed", done.text
        assert school.get(f"/api/v1/hello/teachers/{tid}").json() == ["教师节快乐"]
        outsider = Client(app, "info_manager@3601030001")  # another county's school: not its teacher
        assert outsider.get(f"/api/v1/hello/teachers/{tid}").status_code == 404
    finally:
        if app is not None:
            app.state.ctx.engine.dispose()
        downgrade(db_url, "hello@base", modules=mods)  # tmis db downgrade hello@base
        if "hello_greetings" in Base.metadata.tables:
            Base.metadata.remove(Base.metadata.tables["hello_greetings"])  # the suite's models again
    assert "hello_greetings" not in _tables(db_url) and "hello" not in revisions(db_url, mods)
    upgrade(db_url)  # the module gone: the core's upgrade still works
