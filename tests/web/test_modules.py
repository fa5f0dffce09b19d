"""The module platform (issue 15 §1): each hook of web/hooks.py through a small module written
into a temporary modules folder, a province switching modules off (strictly: an unknown key is
E420 with a did-you-mean at file:line), and the app without modules/status_change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import Client, make_settings
from web import modules, permissions
from web.app import create_app
from web.events import STATUS_CHANGED, emit
from web.modules import ModuleError

REPO = Path(__file__).resolve().parents[2]

EXAMPLE_YAML = """\
module: hello
name: {zh: 问候, en: Greetings}
version: "0.1"
namespace: hello
"""

EXAMPLE_PLUGIN = '''
from litestar import get

from web.hooks import EventType, MenuEntry, Permission, Statistic, Todo, hookimpl
from web.permissions import Rule, may

SEEN = []


@get("/hello/", sync_to_thread=False)
def hello() -> dict:
    return {"hello": "你好"}


@hookimpl
def register_routes(ctx):
    return [hello]


@hookimpl
def register_permissions(ctx):
    return [Permission("hello.greet", Rule(("record.review",)), "问候", "Greet")]


@hookimpl
def menu_entries(ctx):
    return [MenuEntry("hello", "business", "/hello/", "问候", "Greetings", action="hello.greet")]


@hookimpl
def register_statistics(ctx):
    return [Statistic("hello.count", "问候人数", "Greeted", {"greeted": ("问候人数", "Greeted")},
                      lambda db, unit_ids: {"greeted": len(unit_ids)})]


@hookimpl
def register_events(ctx):
    return [EventType("hello.greeted", "已问候", "Greeted")]


@hookimpl
def handle_event(event, db):
    SEEN.append((event.name, dict(event.payload), db))


@hookimpl
def home_todos(me, unit):
    if may(me, "hello.greet"):
        return [Todo("hello.waiting", "待问候", "To greet", 7, "/hello/")]
'''


# this repository's business modules (each a folder with a module.yaml), in the registry's order
OURS = sorted(m.name for m in (REPO / "modules").iterdir() if (m / "module.yaml").exists())


def make_root(tmp: Path, *, without: tuple[str, ...] = (), example: bool = True,
              overlay_36: str | None = None) -> Path:
    """A repository root of links to this one's definitions, with its own modules folder: this
    repository's modules except ``without``, plus the example module ``hello``."""
    root = tmp / "repo"
    root.mkdir()
    for name in ("schemas", "rules"):
        (root / name).symlink_to(REPO / name)
    (root / "provinces").mkdir()
    for prov in (REPO / "provinces").iterdir():
        if prov.is_dir():
            (root / "provinces" / prov.name).mkdir()
            for item in prov.iterdir():
                if not (prov.name == "36" and item.name == "overlay.yaml" and overlay_36 is not None):
                    (root / "provinces" / prov.name / item.name).symlink_to(item)
    if overlay_36 is not None:
        (root / "provinces" / "36" / "overlay.yaml").write_text(overlay_36, encoding="utf-8")
    (root / "modules").mkdir()
    for mod in (REPO / "modules").iterdir():
        if mod.is_dir() and (mod / "module.yaml").exists() and mod.name not in without:
            (root / "modules" / mod.name).symlink_to(mod)
    if example:
        (root / "modules" / "hello").mkdir()
        (root / "modules" / "hello" / "module.yaml").write_text(EXAMPLE_YAML, encoding="utf-8")
        (root / "modules" / "hello" / "plugin.py").write_text(EXAMPLE_PLUGIN, encoding="utf-8")
    return root


@pytest.fixture()
def keep_registry():
    """Building an app makes its registry the process's current one: put the suite's back."""
    before = modules._CURRENT
    yield
    modules._CURRENT = before


@pytest.fixture()
def hello_app(tmp_path, db_url, world, keep_registry):
    app = create_app(make_settings(db_url, repo_root=make_root(tmp_path)))
    yield app
    app.state.ctx.engine.dispose()


def test_register_routes_adds_the_module_route(hello_app):
    r = Client(hello_app).get("/hello/")
    assert r.status_code == 200 and r.json() == {"hello": "你好"}


def test_menu_entries_show_the_entry_to_who_may_use_it(hello_app, world):
    reg = hello_app.state.modules
    assert [m.key for m in reg.modules] == sorted(["hello", *OURS])
    reviewer = Client(hello_app, "info_reviewer@360102")
    viewer = Client(hello_app, "info_viewer@360102")
    assert 'href="/hello/"' in reviewer.get("/admin/").text
    assert 'href="/hello/"' not in viewer.get("/admin/").text


def test_register_permissions_adds_the_action(hello_app):
    rule = permissions.ACTIONS["hello.greet"]
    assert rule.needs == ("record.review",)
    with pytest.raises(ValueError):  # another module cannot redefine it
        permissions.register("hello.greet", permissions.Rule(("record.edit",)))


def test_register_statistics_gathers_the_contribution(hello_app):
    stats = hello_app.state.modules.statistics()
    assert [s.key for s in stats] == ["hello.count"]
    assert stats[0].compute(None, [1, 2, 3]) == {"greeted": 3}


def test_home_todos_add_a_count_to_the_home_page_of_who_may_act(hello_app):
    home = Client(hello_app, "info_reviewer@360102").get("/admin/").text
    assert 'id="todo-hello-waiting"' in home and ">7</span> 待问候" in home
    assert "待问候" not in Client(hello_app, "info_viewer@360102").get("/admin/").text


def test_events_reach_listeners_and_unknown_names_are_refused(hello_app):
    import sys

    plugin = sys.modules["tmis_modules.hello.plugin"]
    plugin.SEEN.clear()
    emit("DB", "hello.greeted", actor=7, whom="林晓燕")
    emit("DB", STATUS_CHANGED, teacher_id=1, change="retired")
    assert [(n, p) for n, p, _ in plugin.SEEN] == [("hello.greeted", {"whom": "林晓燕"}),
                                                   (STATUS_CHANGED, {"teacher_id": 1, "change": "retired"})]
    assert plugin.SEEN[0][2] == "DB"  # the listener gets the emitter's session
    with pytest.raises(ModuleError, match="not registered"):
        emit("DB", "hello.nobody_registered_this")


def test_the_app_works_without_the_status_change_module(tmp_path, db_url, world, keep_registry):
    app = create_app(make_settings(db_url, repo_root=make_root(tmp_path, without=("status_change",),
                                                               example=False)))
    try:
        assert "status_change" not in {m.key for m in app.state.modules.modules}
        county = Client(app, "info_manager@360102")
        home = county.get("/admin/")
        assert home.status_code == 200 and "/status-changes/batch" not in home.text
        assert 'href="/cases/status-changes"' not in home.text and 'href="/cases/transfers"' in home.text
        assert county.get("/status-changes/batch/").status_code == 404
        assert county.get("/cases/status-changes").status_code == 404
        assert county.get("/api/v1/status-changes").status_code == 404
        assert county.get("/cases/transfers").status_code == 200
        assert county.get("/forms/teachers").status_code == 200
    finally:
        app.state.ctx.engine.dispose()


def test_the_app_works_without_any_business_module(tmp_path, db_url, world, keep_registry):
    """Transfers, rotations and status changes reach the app only through their plugins: with
    their folders gone, their pages, API and menu entries are gone and the rest works."""
    app = create_app(make_settings(db_url, repo_root=make_root(tmp_path, without=tuple(OURS), example=False)))
    try:
        assert app.state.modules.modules == []
        county = Client(app, "info_manager@360102")
        home = county.get("/admin/")
        assert home.status_code == 200 and "/cases/" not in home.text
        for path in ("/cases/transfers", "/cases/rotations", "/cases/status-changes", "/api/v1/transfers",
                     "/api/v1/rotations", "/api/v1/status-changes"):
            assert county.get(path).status_code == 404, path
        assert county.get("/forms/teachers").status_code == 200
        assert county.get("/review/queue").status_code == 200
    finally:
        app.state.ctx.engine.dispose()


def test_a_province_switches_a_module_off(tmp_path):
    overlay = (REPO / "provinces" / "36" / "overlay.yaml").read_text(encoding="utf-8")
    root = make_root(tmp_path, overlay_36=overlay + "\nmodules:\n  hello: {enabled: false}\n")
    assert [m.key for m in modules.discover(root, "36")] == OURS
    assert [m.key for m in modules.discover(root, "62")] == sorted(["hello", *OURS])


def test_a_switched_off_module_takes_its_workflows_with_it(tmp_path, keep_registry):
    """The workflows in force are those of the modules the province enables (their
    workflows.yaml); 江西's own version of the transfer route is then unused, and a case of that
    kind is refused by name (W473), not a server error."""
    from web.cases import service as S
    from web.errors import Refusal

    overlay = (REPO / "provinces" / "36" / "overlay.yaml").read_text(encoding="utf-8")
    root = make_root(tmp_path, overlay_36=overlay + "\nmodules:\n  transfer: {enabled: false}\n")
    modules.use(modules.Registry.build(root, "36"))
    assert {"rotation", "rotation_relation", "status_change"} <= set(S.workflows(None, "36"))
    assert "transfer" not in S.workflows(None, "36") and "transfer" in S.workflows(None, "62")
    with pytest.raises(Refusal) as refused:
        S.workflow_of("transfer", "36")
    assert refused.value.code == "W473" and "not enabled" in refused.value.message("en")


def test_an_unknown_module_key_is_an_error_with_did_you_mean(tmp_path):
    from engine.catalogue import check_repo

    overlay = (REPO / "provinces" / "36" / "overlay.yaml").read_text(encoding="utf-8")
    line = overlay.count("\n") + 3
    root = make_root(tmp_path, overlay_36=overlay + "\nmodules:\n  status_chang: {enabled: false}\n")
    _, problems = check_repo(root, ["36"])
    found = [p for p in problems if p.code == "E420"]
    assert found, problems
    assert found[0].loc.file == "provinces/36/overlay.yaml" and found[0].loc.line == line
    assert "did you mean 'status_change'" in found[0].message("en")
    with pytest.raises(ModuleError, match="E420"):
        modules.discover(root, "36")


def test_api_lists_the_modules_enabled_for_the_callers_province(tmp_path, db_url, world, keep_registry):
    overlay = (REPO / "provinces" / "36" / "overlay.yaml").read_text(encoding="utf-8")
    root = make_root(tmp_path, overlay_36=overlay + "\nmodules:\n  hello: {enabled: false}\n")
    app = create_app(make_settings(db_url, repo_root=root))
    try:
        assert Client(app).get("/api/v1/modules").status_code == 401
        jx = Client(app, "info_viewer@360102").get("/api/v1/modules")
        assert jx.status_code == 200
        assert jx.json()["province"] == "36" and [m["key"] for m in jx.json()["items"]] == OURS
        assert {"key": "status_change", "label": {"zh": "在职变动", "en": "Status changes"},
                "version": "1.0"} in jx.json()["items"]
        assert {"key": "transfer", "label": {"zh": "教师调动", "en": "Transfers"}, "version": "1.0"} in jx.json()["items"]
        gs = Client(app, "info_viewer@620102").get("/api/v1/modules").json()
        assert gs["province"] == "62" and [m["key"] for m in gs["items"]] == sorted(["hello", *OURS])
        assert next(m for m in gs["items"] if m["key"] == "hello")["label"] == {"zh": "问候", "en": "Greetings"}
    finally:
        app.state.ctx.engine.dispose()


def test_engine_imports_neither_web_nor_modules():
    import ast

    bad = []
    for path in sorted((REPO / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            bad += [f"{path.relative_to(REPO)}: {n}" for n in names if n.split(".")[0] in ("web", "modules")]
    assert bad == []


def test_a_module_overlay_merges_for_the_provinces_that_enable_it(tmp_path):
    from engine.catalogue import build_catalogues

    overlay = (REPO / "provinces" / "36" / "overlay.yaml").read_text(encoding="utf-8")
    root = make_root(tmp_path, overlay_36=overlay + "\nmodules:\n  hello: {enabled: false}\n")
    (root / "modules" / "hello" / "module.yaml").write_text(EXAMPLE_YAML + """
sets:
  basic:
    add_fields:
      - key: hello.nickname
        after: name
        label: {zh: 昵称, en: Nickname}
        type: text
        max_length: 20
""", encoding="utf-8")
    cats = build_catalogues(root, ["36", "62"])
    assert "hello.nickname" in [f.key for f in cats["62"].sets["basic"].all_fields()]
    assert "hello.nickname" not in [f.key for f in cats["36"].sets["basic"].all_fields()]
