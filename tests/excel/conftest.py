"""Fixtures of the Excel tests: the fixture catalogue (tests/excel/repo), a real database and units.

Database: SQLite (a file) by default; PostgreSQL when ``TMIS_TEST_DATABASE_URL`` names a server
(as in tests/web): a fresh database ``tmis_x_<random>`` is created, migrated with the project's
Alembic migrations (including the jobs table) and dropped afterwards. Every test starts with no
teachers, records, jobs or audit entries; the unit tree is made once.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import create_engine, delete, text, update
from sqlalchemy.engine import make_url

from engine.catalogue import Catalogue, check_repo
from web.db.base import make_engine, make_sessionmaker
from web.db.migrate import upgrade
from web.db.models import AuditEntry, AuditHead, Record, Teacher, Unit, UnitClosure
from web.excel.models import Job

HERE = Path(__file__).resolve().parent
REPO = HERE / "repo"

# code, name, level, school type, parent
UNITS = [
    ("36", "江西省", "province", None, None),
    ("360102", "东湖区", "county", None, "36"),
    ("3601020001", "东湖小学", "school", "primary", "360102"),
    ("3601020002", "东湖幼儿园", "school", "kindergarten", "360102"),
    ("3601020003", "东湖二小", "school", "primary", "360102"),
]
SCHOOL = "3601020001"
KINDERGARTEN = "3601020002"
OTHER_SCHOOL = "3601020003"


@pytest.fixture(scope="session")
def catalogues() -> dict[str, Catalogue]:
    cats, problems = check_repo(REPO, ["36", "62"])
    assert not problems, problems
    return cats


@pytest.fixture(scope="session")
def cat(catalogues: dict[str, Catalogue]) -> Catalogue:
    return catalogues["36"]


def _pg_url() -> str | None:
    url = os.environ.get("TMIS_TEST_DATABASE_URL")
    return url if url and url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    admin_url = _pg_url()
    if admin_url:
        name = f"tmis_x_{secrets.token_hex(4)}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'excel.sqlite3'}"
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Any]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def units(engine: Any) -> dict[str, int]:
    sessions = make_sessionmaker(engine)
    ids: dict[str, int] = {}
    with sessions() as db, db.begin():
        parents: dict[str, list[int]] = {}
        for code, name, level, school_type, parent in UNITS:
            u = Unit(code=code, name=name, level=level, school_type=school_type,
                     parent_id=ids[parent] if parent else None)
            db.add(u)
            db.flush()
            ids[code] = u.id
            chain = ([ids[code]] + parents[parent]) if parent else [ids[code]]
            parents[code] = chain
            for depth, ancestor in enumerate(chain):
                db.add(UnitClosure(ancestor_id=ancestor, descendant_id=u.id, depth=depth))
    return ids


@pytest.fixture()
def sessions(engine: Any, units: dict[str, int]) -> Iterator[Any]:
    maker = make_sessionmaker(engine)
    with maker() as db, db.begin():
        for model in (Record, Teacher, Job, AuditEntry):
            db.execute(delete(model))
        db.execute(update(AuditHead).values(seq=0, hash="0" * 64))
    yield maker


@pytest.fixture()
def dialect(engine: Any) -> str:
    return engine.dialect.name
