"""What the app builds once at start-up and hands to every request (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from web.roles import RoleRegistry, load_roles
from web.security.passwords import Hasher, dummy_hash
from web.security.secretbox import SecretBox
from web.settings import Settings
from web.db.base import make_engine, make_sessionmaker


class SettingsError(RuntimeError):
    """The settings cannot run this deployment (web/settings.py ``Settings.problems``)."""


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker
    roles: RoleRegistry
    hasher: Hasher
    box: SecretBox
    _dummy: str | None = field(default=None, repr=False)

    @property
    def dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = dummy_hash(self.hasher)
        return self._dummy

    @cached_property
    def catalogue(self) -> Any:
        """The province's compiled catalogue (built lazily: account pages do not need it); on the
        national tier the national one (its statistics are the national standard tables)."""
        from engine.catalogue import build_catalogues

        if self.settings.tier == "national":
            return build_catalogues(self.settings.repo_root, [])["national"]
        cats = build_catalogues(self.settings.repo_root, [self.settings.province])
        return cats.get(self.settings.province) or cats["national"]

    @classmethod
    def build(cls, settings: Settings) -> "AppContext":
        from web import audit

        problems = settings.problems()
        if problems:  # production without its keys: refuse to start, saying what is missing
            raise SettingsError("; ".join(f"{zh} / {en}" for zh, en in problems))
        engine = make_engine(settings.database_url, echo=settings.sql_echo)
        audit.use_sealer(engine, audit.sealer_for(settings))
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_sessionmaker(engine),
            roles=load_roles(settings.repo_root, settings.province),
            hasher=Hasher(settings.argon2_time_cost, settings.argon2_memory_kib),
            box=SecretBox(settings.secret_key),
        )
