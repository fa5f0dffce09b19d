"""Fixtures for the web tier: a real database (SQLite by default, PostgreSQL when
TMIS_TEST_DATABASE_URL is set), the real app and real HTTP through Litestar's test client.

PostgreSQL: a fresh database ``tmis_t_<random>`` is created for the test session and dropped
afterwards, so parallel runs never collide. Tests marked ``postgres`` need PostgreSQL: they are
skipped without it, except in CI (CI=true) where they fail.

The session-wide ``world`` holds two provinces (江西 36 with two cities, three counties and four
schools; 甘肃 62 with one chain), one account per role at each unit (username
``<role>@<unit code>``, password ``PASSWORD``) and three teachers per school. Tests that change
data make their own units, accounts or people so they do not disturb each other.
"""

from __future__ import annotations

import os
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
import logging
logging.getLogger("httpx").setLevel(logging.WARNING)
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine import idnumber
from web.app import create_app
from web.context import AppContext
from web.db.migrate import upgrade
from web.db.models import Account, Grant
from web.settings import Settings

PASSWORD = "Test@2024ok"
ROLES = ("system_admin", "info_manager", "info_entry", "info_reviewer", "info_viewer")


def _pg_url() -> str | None:
    for name in ("TMIS_TEST_DATABASE_URL", "TMIS_TEST_POSTGRES_URL"):
        url = os.environ.get(name)
        if url and url.startswith("postgresql"):
            return url
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The PostgreSQL server for tests that need it (marker ``postgres``)."""
    url = _pg_url()
    if url is None:
        message = "PostgreSQL needed: set TMIS_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # unreachable server
        if _in_ci():
            pytest.fail(f"PostgreSQL unavailable: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    return url


def fresh_pg_database(admin_url: str) -> tuple[str, Any]:
    """Create an empty database on the server; return its URL and a function that drops it."""
    name = f"tmis_t_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _pg_url() if os.environ.get("TMIS_TEST_DATABASE_URL") else None
    if url:
        fresh, drop = fresh_pg_database(url)
        upgrade(fresh)
        yield fresh
        drop()
    else:
        path = tmp_path_factory.mktemp("db") / "tmis.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """A migrated database of its own: on the PostgreSQL server in the PostgreSQL pass, else a
    SQLite file in ``tmp_dir``; dropped afterwards (dispose your engines first)."""
    pg = _pg_url() if os.environ.get("TMIS_TEST_DATABASE_URL") else None
    drop = None
    if pg:
        url, drop = fresh_pg_database(pg)
    else:
        url = f"sqlite:///{tmp_dir / 'fresh.sqlite3'}"
    upgrade(url)
    try:
        yield url
    finally:
        if drop:
            drop()


def add_staff(db: Any, ctx: AppContext, username: str, unit: Any, role: str, real_name: str = "测试账号") -> Account:
    """A staff account (password PASSWORD) holding one role at its own unit; flushed, not committed."""
    acc = Account(username=username, real_name=real_name, unit_id=unit.id, kind="staff",
                  password_hash=ctx.hasher.hash(PASSWORD), must_change_password=False, failed_attempts=0, enabled=True)
    db.add(acc)
    db.flush()
    db.add(Grant(account_id=acc.id, unit_id=unit.id, role_key=role))
    return acc


def make_settings(db_url: str, **overrides: Any) -> Settings:
    base = dict(database_url=db_url, secret_key="test-secret-key", argon2_time_cost=1,
                argon2_memory_kib=1024, lockout_attempts=3, lockout_minutes=15)
    base.update(overrides)
    return Settings(**base)


@pytest.fixture(scope="session")
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


@pytest.fixture(scope="session")
def app(settings: Settings):
    app = create_app(settings)
    yield app
    app.state.ctx.engine.dispose()  # before db_url drops the database under the pooled connections


@pytest.fixture(scope="session")
def ctx(app):
    return app.state.ctx


@pytest.fixture()
def db(ctx):
    session = ctx.sessions()
    yield session
    session.rollback()
    session.close()


# ------------------------------------------------------------------ the world


TREE = [
    # code, name, level, parent, school_type
    ("36", "江西省", "province", None, None),
    ("3601", "南昌市", "city", "36", None),
    ("3602", "景德镇市", "city", "36", None),
    ("360102", "东湖区", "county", "3601", None),
    ("360103", "西湖区", "county", "3601", None),
    ("360202", "昌江区", "county", "3602", None),
    ("3601020001", "东湖区第一小学", "school", "360102", "primary"),
    ("3601020002", "东湖区第二中学", "school", "360102", "junior"),
    ("3601030001", "西湖区幼儿园", "school", "360103", "kindergarten"),
    ("3602020001", "昌江区职业中学", "school", "360202", "vocational"),
    ("62", "甘肃省", "province", None, None),
    ("6201", "兰州市", "city", "62", None),
    ("620102", "城关区", "county", "6201", None),
    ("6201020001", "城关区第一小学", "school", "620102", "primary"),
]

_seq = iter(range(1, 10**9))


def new_id_number(region: str = "360102", birth: date = date(1985, 3, 14), male: bool = True) -> str:
    """A valid, never-used ID number (the sequence digits come from a counter)."""
    while True:
        n = next(_seq)
        seq3 = (n % 500) * 2 + (1 if male else 0)
        b = date(birth.year - (n // 500) % 30, birth.month, birth.day)
        candidate = idnumber.make(region, b, seq3)
        if candidate not in _used:
            _used.add(candidate)
            return candidate


_used: set[str] = set()


def four_items(region: str = "360102", name: str = "测试教师", male: bool = True) -> dict[str, str]:
    idn = new_id_number(region, male=male)
    return {"name": name, "gender": "1" if male else "2", "birth_date": idnumber.birth_date(idn),
            "id_number": idn}


@dataclass
class World:
    units: dict[str, int] = field(default_factory=dict)  # code -> id
    teachers: dict[str, list[int]] = field(default_factory=dict)  # school code -> teacher ids
    teacher_usernames: dict[int, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def world(ctx) -> World:
    from web.services import teachers as teacher_service
    from web.services import units as unit_service

    w = World()
    with ctx.sessions() as db:
        for code, name, level, parent, st in TREE:
            parent_unit = unit_service.by_code(db, parent) if parent else None
            unit = unit_service.create_unit_raw(db, code=code, name=name, level=level, parent=parent_unit,
                                                school_type=st)
            w.units[code] = unit.id
        pw_hash = ctx.hasher.hash(PASSWORD)
        for code, _name, level, _p, _st in TREE:
            for role in ROLES:
                acc = Account(username=f"{role}@{code}", real_name=f"{role}-{code}", unit_id=w.units[code],
                              kind="staff", password_hash=pw_hash, must_change_password=False,
                              failed_attempts=0, enabled=True)
                db.add(acc)
                db.flush()
                db.add(Grant(account_id=acc.id, unit_id=w.units[code], role_key=role))
            if level == "school":
                region = code[:6]
                for i in range(3):
                    items = teacher_service.FourItems.parse(**four_items(region, f"教师{code[-4:]}{i}", male=i % 2 == 0))
                    unit = unit_service.by_code(db, code)
                    t = teacher_service.create_raw(db, unit, items, catalogue_version="test")
                    w.teachers.setdefault(code, []).append(t.id)
                    acc = Account(username=items.id_number, real_name=items.name, unit_id=unit.id, kind="teacher",
                                  teacher_id=t.id, password_hash=pw_hash, must_change_password=False,
                                  failed_attempts=0, enabled=True)
                    db.add(acc)
                    db.flush()
                    db.add(Grant(account_id=acc.id, unit_id=unit.id, role_key="teacher"))
                    w.teacher_usernames[t.id] = items.id_number
        db.commit()
    return w


class Client:
    """A signed-in test client (real HTTP through the ASGI app, cookies kept)."""

    def __init__(self, app, username: str | None = None, password: str = PASSWORD, entry: str | None = None):
        self.http = TestClient(app, raise_server_exceptions=True)
        self.username = username
        if username is not None:
            r = self.http.post("/api/v1/auth/login", json={"username": username, "password": password,
                                                           **({"entry": entry} if entry else {})})
            assert r.status_code == 200, r.text
            self.login_body = r.json()

    def get(self, url: str, **kw: Any):
        return self.http.get(url, **kw)

    def post(self, url: str, **kw: Any):
        return self.http.post(url, **kw)

    def patch(self, url: str, **kw: Any):
        return self.http.patch(url, **kw)

    def delete(self, url: str, **kw: Any):
        return self.http.delete(url, **kw)


@pytest.fixture()
def as_user(app, world):
    """``as_user("info_manager@360102")`` → a client signed in as that account."""
    def make(username: str, password: str = PASSWORD, entry: str | None = None) -> Client:
        return Client(app, username, password, entry)
    return make


@pytest.fixture()
def anon(app, world) -> Client:
    return Client(app)


def pytest_configure(config):
    # Litestar 2.x announces 3.0 changes on every handler; they say nothing about our behaviour
    config.addinivalue_line("filterwarnings", "ignore::litestar.utils.deprecation.LitestarDeprecationWarning")


# ------------------------------------------------------------------ HTML forms (管理端 pages)

import re as _re

_CSRF = _re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def post_form(client: Client, page_url: str, action: str, data: dict, files: dict | None = None, **kw: Any):
    """GET the page (for the CSRF cookie and token), then POST its form as a browser would."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text[:500]
    body = {"_csrf_token": csrf_of(page.text), **data}
    return client.post(action, data=body, files=files, follow_redirects=False, **kw)


def require_chromium() -> None:
    """Browser tests need Debian's chromium: skipped on a workstation without it, failed in CI
    (.ci/run installs it, so its absence there is a broken CI, not a reason to skip)."""
    from web.forms.liveserver import CHROMIUM

    if not Path(CHROMIUM).exists():
        missing = "Debian's chromium is missing: apt-get install -y chromium"
        if _in_ci():
            pytest.fail(missing)
        pytest.skip(missing)


@pytest.fixture(scope="module")
def pg_ctx(pg_admin_url: str) -> Iterator[AppContext]:
    """A fresh PostgreSQL database of its own for a module of concurrency tests."""
    url, drop = fresh_pg_database(pg_admin_url)
    upgrade(url)
    ctx = AppContext.build(make_settings(url))
    yield ctx
    ctx.engine.dispose()
    drop()


def run_together(n: int, work: Any) -> list[BaseException]:
    """Run ``work(i)`` in n threads released at the same moment; return what they raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # collected and reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
