"""The hook specifications of business modules (pluggy, the datasette way).

A module (``modules/<name>/``) extends the app through these hooks and nothing else: its plugin
(``modules/<name>/plugin.py``) holds functions marked ``@hookimpl`` whose names are the names
below; pluggy lets an implementation take any subset of a spec's arguments. The core's own
features implement the same hooks (web/core_plugin.py), so there is one way a feature appears in
the app. ``docs/modules.md`` documents each hook with an example; web/modules.py loads the plugins
of the modules a province enables.

Names are stable: other helpers' modules implement them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pluggy

PROJECT = "tmis"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

LEVELS = ("ministry", "province", "city", "county", "school")
AUTHORITIES = ("ministry", "province", "city", "county")

# The shell's sections, in menu order (key, zh, en)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("home", "首页", "Home"),
    ("teachers", "教师信息管理", "Teacher information"),
    ("review", "审核", "Review"),
    ("excel", "数据导入导出", "Import and export"),
    ("business", "业务管理", "Business"),
    ("stats", "统计分析", "Statistics"),
    ("system", "系统管理", "System"),
)
SECTION_KEYS = tuple(s[0] for s in SECTIONS)


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the navigation menu.

    Shown to an account when its kind is in ``kinds``, its unit's level in ``levels`` and it may
    do ``action`` (a web/permissions.py action: the same question the service asks) or, when
    ``action`` is None, holds ``permission`` (a schemas/roles.yaml key) at its own unit. With
    neither, every signed-in account of those kinds and levels sees it.
    """

    key: str  # unique across the app, e.g. "transfer.queue"
    section: str  # one of SECTION_KEYS
    href: str
    zh: str
    en: str
    action: str | None = None
    permission: str | None = None
    levels: tuple[str, ...] = LEVELS
    kinds: tuple[str, ...] = ("staff",)
    order: int = 100

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Permission:
    """An action a module defines, asked by its services and its menu entries exactly like the
    core's (web/permissions.py ``may``/``require``). ``rule`` is a web.permissions.Rule: which
    roles.yaml permissions it needs, where (``anywhere``/``at``/``scope``), for which kinds and
    levels. ``key`` is namespaced by the module: ``<module>.<action>``."""

    key: str
    rule: Any  # web.permissions.Rule
    zh: str = ""
    en: str = ""


@dataclass(frozen=True)
class Statistic:
    """A statistics contribution (a spec for the statistics work; nothing draws it yet):
    ``compute(db, unit_ids)`` returns the measures of the teachers whose owning unit is one of
    ``unit_ids`` (already scoped by the caller), ``{measure key: number}``."""

    key: str
    zh: str
    en: str
    measures: Mapping[str, tuple[str, str]]  # measure key -> (zh, en)
    compute: Callable[[Any, list[int]], Mapping[str, float]]


@dataclass(frozen=True)
class EventType:
    """An event a module emits (the core's are in web/events.py ``CORE_EVENTS``)."""

    name: str  # "<module>.<what happened>", e.g. "transfer.completed"
    zh: str
    en: str


@dataclass(frozen=True)
class Event:
    """Something that happened, handed to every ``handle_event``. ``payload`` holds ids and names
    (never ID numbers): e.g. ``teacher_id``, ``from_unit``, ``to_unit``. ``actor`` is the account
    id, or None for the system."""

    name: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    actor: int | None = None


@dataclass(frozen=True)
class Todo:
    """A count on a unit's home page: what waits for the unit (e.g. transfers to approve), with
    the page that lists them."""

    key: str
    zh: str
    en: str
    count: int
    href: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Heading:
    """Whom an account acts for when that is not its unit: the home page's heading reads this
    instead of the unit's name (e.g. a training institution's account, held at the authority
    that registered the institution, reads as the institution, not as that authority)."""

    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Specs:
    """The hook specifications. Each returns a list; pluggy gathers one list per plugin."""

    @hookspec
    def register_routes(self, ctx: Any) -> list[Any]:
        """Litestar route handlers (controllers or handler functions) the module adds.

        Pages under ``/<module path>`` and API under ``/api/v1/<module path>``; handlers use the
        app's dependencies (``db``, ``me``, ``ctx``, …) like the core's. ``ctx`` is the AppContext.
        """

    @hookspec
    def menu_entries(self, ctx: Any) -> list[MenuEntry]:
        """The module's navigation menu entries (:class:`MenuEntry`): section, link, label and
        who sees it (kinds of account, unit levels, the permission or action)."""

    @hookspec
    def register_permissions(self, ctx: Any) -> list[Permission]:
        """The actions the module defines (:class:`Permission`), added to web/permissions.py's
        table so ``may``/``require``/``can`` and menu entries ask them like the core's."""

    @hookspec
    def register_statistics(self, ctx: Any) -> list[Statistic]:
        """The module's statistics contributions (:class:`Statistic`), for the statistics pages."""

    @hookspec
    def register_events(self, ctx: Any) -> list[EventType]:
        """The events the module emits (:class:`EventType`); web/events.py ``emit`` refuses a name
        nobody registered."""

    @hookspec
    def home_todos(self, ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
        """Counts for the home page of ``me`` (a staff Principal) at ``unit`` (its Unit row): what
        waits for that unit in the module (:class:`Todo`), counted within ``me``'s scope. Return
        nothing for an account that may not act on them."""

    @hookspec
    def home_heading(self, ctx: Any, me: Any, unit: Any, db: Any) -> list[Heading]:
        """The heading of the home page of ``me`` (a staff Principal) at ``unit`` when the account
        acts for something other than its unit (:class:`Heading`); nothing otherwise. The first
        heading any plugin returns is shown; without one, the unit's name."""

    @hookspec
    def build_demo(self, ctx: Any, db: Any, cat: Any, password_hash: str) -> list[str]:
        """Demo data of the module (``tmis demo``), made through the module's own services after
        the core's units, accounts, teachers and cases exist (``db``: the demo's Session; the
        caller commits). Returns lines for the demo's summary."""

    @hookspec
    def on_startup(self, ctx: Any) -> None:
        """Called once when the app starts serving (Litestar's startup, after the database and the
        modules are ready; not when an app object is merely built). Work that may take long runs
        in a thread of its own: the app serves meanwhile. Return nothing."""

    @hookspec
    def handle_event(self, event: Event, db: Any) -> None:
        """Called for every emitted event, inside the transaction of the change that emitted it
        (``db``: that Session): what the listener writes commits or rolls back with the change;
        an exception undoes the change. Return nothing."""

    @hookspec
    def handle_events(self, events: list[Event], db: Any) -> None:
        """Called once for a batch of events of one name (``web.events.emit_many``: e.g. the
        status changes of a whole Excel sheet), inside the transaction of the change, in the
        order they happened. Optional: a plugin that implements only ``handle_event`` gets each
        event of the batch through it instead, so every listener still sees every change; a
        plugin implementing this gets the batch here and not through ``handle_event``. Same
        transaction rules as ``handle_event``. Return nothing."""
