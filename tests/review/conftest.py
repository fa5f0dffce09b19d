"""Review tests reuse the web tier's fixtures (real database, real app, the world of units and
accounts) and add: people with complete files, principals by username, catalogues per province."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import hypothesis  # noqa: F401  (imported now, not by its plugin after threads ran: see test_review_browser)
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.web.conftest import *  # noqa: E402,F401,F403  (fixtures: db_url, settings, app, ctx, db, world, as_user …)
from tests.web.conftest import four_items  # noqa: E402
from tests.review.filegen import complete_file  # noqa: E402

from engine.catalogue import build_catalogues, repo_root  # noqa: E402
from sqlalchemy import select  # noqa: E402
from web.db.models import Account, Record  # noqa: E402
from web.services import auth as auth_service  # noqa: E402
from web.services import teachers as teacher_service  # noqa: E402
from web.services import units as unit_service  # noqa: E402


@pytest.fixture(scope="session")
def cats() -> dict[str, Any]:
    return build_catalogues(repo_root(), ["36", "62"])


@pytest.fixture()
def who(ctx) -> Callable[..., Any]:
    """``who(db, "info_reviewer@360102")`` → that account's Principal."""
    def make(db, username: str):
        account = db.scalar(select(Account).where(Account.username == username))
        assert account is not None, username
        return auth_service.principal_of(account, ctx)
    return make


def add_teacher(db, cat, school_code: str, *, complete: bool = True, name: str = "张老师") -> int:
    """A new person at the school with a complete file (or only 基本信息's four items)."""
    unit = unit_service.by_code(db, school_code)
    items = teacher_service.FourItems.parse(**four_items(school_code[:6], name))
    teacher = teacher_service.create_raw(db, unit, items, catalogue_version=cat.version)
    if complete:
        file = complete_file(cat, unit.school_type, items.name, items.id_number)
        basic = db.scalar(select(Record).where(Record.teacher_id == teacher.id, Record.set_key == "basic"))
        basic.document = file["basic"]
        for key, value in file.items():
            if key == "basic":
                continue
            docs = value if isinstance(value, list) else [value]
            for i, doc in enumerate(docs):
                db.add(Record(teacher_id=teacher.id, set_key=key, position=i, document=doc,
                              catalogue_version=cat.version))
    db.flush()
    return teacher.id


@pytest.fixture()
def new_teacher(ctx, cats):
    """``new_teacher("3601020001")`` → id of a committed teacher with a complete file."""
    def make(school: str = "3601020001", *, complete: bool = True, province: str | None = None) -> int:
        cat = cats[province or school[:2]]
        with ctx.sessions() as s:
            tid = add_teacher(s, cat, school, complete=complete)
            s.commit()
        return tid
    return make


# ------------------------------------------------------------------ PostgreSQL for concurrency tests

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """A PostgreSQL server: TMIS_TEST_DATABASE_URL / TMIS_TEST_POSTGRES_URL, else the local default.
    Unreachable: skipped on a workstation, a failure in CI (CI=true)."""
    import os

    from sqlalchemy import create_engine, text

    url = next((os.environ[n] for n in ("TMIS_TEST_DATABASE_URL", "TMIS_TEST_POSTGRES_URL")
                if os.environ.get(n, "").startswith("postgresql")), DEFAULT_PG)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        message = f"PostgreSQL needed for concurrency tests ({url}): {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="module")
def pg_ctx(pg_server_url):
    """A fresh PostgreSQL database, migrated, with the Jiangxi chain of the world and one account per
    role per unit; yields an AppContext (real engine, real connection pool)."""
    from tests.web.conftest import TREE, fresh_pg_database, make_settings
    from web.context import AppContext
    from web.db.migrate import upgrade
    from web.db.models import Grant

    url, drop = fresh_pg_database(pg_server_url)
    upgrade(url)
    context = AppContext.build(make_settings(url))
    with context.sessions() as s:
        for code, name, level, parent, st in TREE:
            parent_unit = unit_service.by_code(s, parent) if parent else None
            unit = unit_service.create_unit_raw(s, code=code, name=name, level=level, parent=parent_unit,
                                                school_type=st)
            for role in ("info_manager", "info_entry", "info_reviewer"):
                acc = Account(username=f"{role}@{code}", real_name=role, unit_id=unit.id, kind="staff",
                              password_hash="x", must_change_password=False, failed_attempts=0, enabled=True)
                s.add(acc)
                s.flush()
                s.add(Grant(account_id=acc.id, unit_id=unit.id, role_key=role))
        s.commit()
    yield context
    context.engine.dispose()
    drop()
