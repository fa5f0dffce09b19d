"""Declarative base, portable column types and the engine factory (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations are the same on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A record's values: JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        # One file, many threads (the ASGI thread pool): let SQLite wait instead of failing.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker:
    from web.db.guard import install  # every row is checked against its columns (W930/W931/W934)

    return install(sessionmaker(bind=engine, expire_on_commit=False, future=True))


def load_all_models() -> None:
    """Import every table module: web/db/models.py and any web/<area>/models.py (excel jobs,
    review, modules …), so Alembic and ``Base.metadata`` see all tables."""
    import importlib
    import pkgutil
    from pathlib import Path

    import web

    importlib.import_module("web.db.models")
    root = Path(web.__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "models.py").exists():
            importlib.import_module(f"web.{info.name}.models")
    mods = root.parent / "modules"  # business modules' tables (docs/modules.md)
    for info in pkgutil.iter_modules([str(mods)]):
        if info.ispkg and (mods / info.name / "models.py").exists():
            importlib.import_module(f"modules.{info.name}.models")
