"""Business modules: find them, load the plugins of those a province enables, and answer for them.

A module is a folder ``modules/<name>/`` with a ``module.yaml`` (key, label, version, its overlay,
merged by the engine) and optionally a ``plugin.py`` whose ``@hookimpl`` functions implement the
hooks of web/hooks.py. A province switches modules on and off in its overlay (``modules:``,
engine.catalogue.enabled_modules). The core's own features are one more plugin (web/core_plugin.py).

``Registry`` is built once per app (web/app.py ``create_app``) and kept as the process's current
registry (``current()``), which services that emit events use (web/events.py). A module folder
that is deleted is simply not found: the rest of the app works without it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from web import hooks
from web.hooks import Event, EventType, MenuEntry, Permission, Statistic

CODE_ROOT = Path(__file__).resolve().parent.parent  # the repository holding the ``modules`` package


class ModuleError(RuntimeError):
    """A module's definitions or plugin cannot be used (the message says which and where)."""


@dataclass(frozen=True)
class ModuleInfo:
    key: str
    zh: str
    en: str
    version: str
    path: Path

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": {"zh": self.zh, "en": self.en}, "version": self.version}


def _import_plugin(info: ModuleInfo, root: Path) -> types.ModuleType | None:
    """``modules/<key>/plugin.py``: as ``modules.<key>.plugin`` when ``root`` is this repository,
    otherwise (a deployment's or a test's own modules folder) as ``tmis_modules.<key>.plugin``,
    its folder a package so the plugin's relative imports work."""
    plugin = info.path / "plugin.py"
    if not plugin.exists():
        return None
    if root.resolve() == CODE_ROOT:
        return importlib.import_module(f"modules.{info.key}.plugin")
    base = "tmis_modules"
    if base not in sys.modules:
        pkg = types.ModuleType(base)
        pkg.__path__ = []  # type: ignore[attr-defined]
        sys.modules[base] = pkg
    name = f"{base}.{info.key}"
    for stale in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[stale]  # a fresh copy for each registry (tests build several)
    pkg = types.ModuleType(name)
    pkg.__path__ = [str(info.path)]  # type: ignore[attr-defined]
    sys.modules[name] = pkg
    spec = importlib.util.spec_from_file_location(f"{name}.plugin", plugin)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _module_sources(root: Path, province: str | None) -> Any:
    """Only what choosing modules needs: every module's layer and the province's overlay (not the
    national core, which the app's catalogue loads when first asked)."""
    from engine.load import Layer, Sources, load_file, load_layer

    root = root.resolve()
    mods = {}
    for d in sorted((root / "modules").glob("*/module.yaml")):
        mods[d.parent.name], _ = load_layer(f"module:{d.parent.name}", d.parent, head="module.yaml", repo=root)
    provinces = {}
    head = root / "provinces" / (province or "") / "overlay.yaml"
    if province and head.exists():
        layer = Layer(name=f"province:{province}", root=head.parent)
        layer.overlay, layer.problems = load_file(head, root)
        provinces[province] = layer
    return Sources(Layer(name="national", root=root), mods, provinces, [])


def discover(root: Path, province: str | None) -> list[ModuleInfo]:
    """The modules under ``root/modules`` that ``province`` enables (all for None), in key order.
    Definition problems (E420/E421, a bad module.yaml) raise ModuleError citing file:line."""
    from engine.catalogue import enabled_modules

    sources = _module_sources(root, province)
    keys, problems = enabled_modules(sources, province)
    problems += [p for k in keys for p in sources.modules[k].problems]
    if problems:
        raise ModuleError("\n".join(str(p) for p in problems))
    out = []
    for key in keys:
        layer = sources.modules[key]
        ov = layer.overlay
        assert ov is not None
        out.append(ModuleInfo(key, ov.name.zh, ov.name.en or ov.name.zh, ov.version or "", layer.root))
    return out


@dataclass
class Registry:
    """The plugin manager with the core's plugin and the enabled modules' plugins."""

    modules: list[ModuleInfo]
    pm: pluggy.PluginManager
    event_types: dict[str, EventType] = field(default_factory=dict)
    root: Path = CODE_ROOT
    province: str | None = None
    _others: dict[str, list[ModuleInfo]] = field(default_factory=dict)

    @classmethod
    def build(cls, root: Path, province: str | None) -> "Registry":
        from web import core_plugin
        from web.events import CORE_EVENTS

        pm = pluggy.PluginManager(hooks.PROJECT)
        pm.add_hookspecs(hooks.Specs)
        pm.register(core_plugin, name="core")
        from web.tier import plugin as tier_plugin

        pm.register(tier_plugin, name="tier")  # the two tiers (web/tier): core, not a module
        infos = discover(root, province)
        for info in infos:
            plugin = _import_plugin(info, root)
            if plugin is not None:
                pm.register(plugin, name=f"module:{info.key}")
        reg = cls(infos, pm, root=root, province=province)
        reg.event_types = {e.name: e for e in CORE_EVENTS}
        for e in reg.event_types_of_modules():
            reg.event_types[e.name] = e
        reg._register_permissions()
        return reg

    # ---------------------------------------------------------------- hooks, gathered
    def _gather(self, hook: str, **kwargs: Any) -> list[Any]:
        return [item for batch in getattr(self.pm.hook, hook)(**kwargs) for item in (batch or [])]

    def routes(self, ctx: Any = None) -> list[Any]:
        return self._gather("register_routes", ctx=ctx)

    def menu(self, ctx: Any = None) -> list[MenuEntry]:
        from web.hooks import SECTION_KEYS

        entries = self._gather("menu_entries", ctx=ctx)
        seen: dict[str, MenuEntry] = {}
        for e in entries:
            if e.section not in SECTION_KEYS:
                raise ModuleError(f"menu entry '{e.key}': unknown section '{e.section}' (one of {', '.join(SECTION_KEYS)})")
            if e.key in seen:
                raise ModuleError(f"menu entry '{e.key}' is registered twice")
            seen[e.key] = e
        order = {k: i for i, k in enumerate(SECTION_KEYS)}
        return sorted(seen.values(), key=lambda e: (order[e.section], e.order, e.key))

    def permissions(self, ctx: Any = None) -> list[Permission]:
        return self._gather("register_permissions", ctx=ctx)

    def statistics(self, ctx: Any = None) -> list[Statistic]:
        return self._gather("register_statistics", ctx=ctx)

    def event_types_of_modules(self, ctx: Any = None) -> list[EventType]:
        return self._gather("register_events", ctx=ctx)

    def dispatch(self, event: Event, db: Any) -> None:
        if event.name not in self.event_types:
            raise ModuleError(f"event '{event.name}' is not registered (register_events)")
        self.pm.hook.handle_event(event=event, db=db)

    def dispatch_many(self, events: list[Event], db: Any) -> None:
        """A batch of events: once to each ``handle_events`` listener, one at a time to the
        plugins that listen only through ``handle_event``."""
        for name in {e.name for e in events}:
            if name not in self.event_types:
                raise ModuleError(f"event '{name}' is not registered (register_events)")
        if not events:
            return
        batched = [impl.plugin for impl in self.pm.hook.handle_events.get_hookimpls()]
        if batched:
            self.pm.hook.handle_events(events=events, db=db)
        single = self.pm.subset_hook_caller("handle_event", remove_plugins=batched)
        if single.get_hookimpls():
            for event in events:
                single(event=event, db=db)

    def _register_permissions(self) -> None:
        from web import permissions

        for p in self.permissions():
            permissions.register(p.key, p.rule)

    def modules_for(self, province: str | None) -> list[ModuleInfo]:
        """The modules ``province`` enables: this deployment's, or (an account of another
        province's units) read from that province's overlay."""
        if province is None or province == self.province:
            return self.modules
        if province not in self._others:
            known = (self.root / "provinces" / province / "overlay.yaml").exists()
            self._others[province] = discover(self.root, province) if known else []
        return self._others[province]

    def template_dirs(self) -> list[Path]:
        """Each module's ``templates/`` folder (its templates in a subfolder named after it)."""
        return [m.path / "templates" for m in self.modules if (m.path / "templates").is_dir()]

    def enabled(self, key: str) -> bool:
        return any(m.key == key for m in self.modules)


_CURRENT: Registry | None = None


def use(registry: Registry) -> Registry:
    """Make ``registry`` the process's current one (create_app does, for its province)."""
    global _CURRENT
    _CURRENT = registry
    return registry


def current() -> Registry:
    """The current registry (built for this repository and TMIS_PROVINCE when no app made one)."""
    global _CURRENT
    if _CURRENT is None:
        from web.settings import Settings

        s = Settings.from_env()
        _CURRENT = Registry.build(s.repo_root, s.province)
    return _CURRENT
