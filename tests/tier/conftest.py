"""The two tiers on one machine: three PostgreSQL 15 clusters made by scripts/tier_clusters.py
(江西 36, 甘肃 62, the national tier), each with a migrated database ``tmis``; both provinces get a
small demo with some files approved through the real review route, publish, and the national tier
subscribes to both (and they to their identifiers). Session-wide; the clusters are removed at the
end. Marked ``postgres`` and ``tier``: they run in make test's PostgreSQL pass."""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import tier_clusters as clusters  # noqa: E402

from tests.web.conftest import PASSWORD, Client, _in_ci, make_settings, pg_admin_url  # noqa: E402,F401

NATIONAL_PASSWORD = "Nat@2024-tier"


def wait_for(check: Callable[[], Any], timeout: float = 60.0, what: str = "replication") -> Any:
    """Poll ``check`` until it returns something truthy (replication is asynchronous)."""
    end = time.monotonic() + timeout
    while True:
        out = check()
        if out:
            return out
        if time.monotonic() > end:
            raise AssertionError(f"{what}: not done within {timeout:.0f} s")
        time.sleep(0.3)


def scalar(url: str, sql: str, **params: Any) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


@dataclass
class Tiers:
    ports: dict[str, int]
    urls: dict[str, str]  # "36", "62", "national" -> SQLAlchemy URL

    def conninfo(self, tier: str) -> str:
        return f"host=127.0.0.1 port={self.ports[tier]} dbname=tmis user=postgres"

    def settings(self, tier: str, **overrides: Any) -> Any:
        if tier == "national":
            return make_settings(self.urls[tier], tier="national", **overrides)
        return make_settings(self.urls[tier], province=tier, **overrides)

    def ctx(self, tier: str) -> Any:
        from web.context import AppContext

        return AppContext.build(self.settings(tier))


def _need_clusters() -> None:
    problem = None
    if shutil.which("pg_createcluster") is None:
        problem = "pg_createcluster (Debian's postgresql-common) is missing"
    elif os.geteuid() != 0:
        problem = "making PostgreSQL clusters needs root (pg_createcluster runs PostgreSQL as postgres)"
    if problem:
        if _in_ci():
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture(scope="session")
def tiers(pg_admin_url: str) -> Iterator[Tiers]:
    _need_clusters()
    from web.db.migrate import upgrade
    from web.demo import build_demo

    clusters.down()  # whatever a run that died left behind
    ports = clusters.up()
    urls = {t: clusters.url(p, "tmis") for t, p in ports.items()}
    for tier, port in ports.items():
        admin = create_engine(clusters.url(port, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE tmis"))
        admin.dispose()
        upgrade(urls[tier])
    t = Tiers(ports, urls)
    try:
        for province in ("36", "62"):  # the demo approves four files in five; the rest stay 未报送 for the tests
            build_demo(t.settings(province), password=PASSWORD, teachers=30)
        _connect(t)
        yield t
    finally:
        clusters.down()


def _connect(t: Tiers) -> None:
    from web.tier import national, province

    for p in ("36", "62"):
        ctx = t.ctx(p)
        with ctx.sessions() as db:
            province.publish(db, p)
            db.commit()
        ctx.engine.dispose()
    ctx = t.ctx("national")
    with ctx.sessions() as db:
        national.init_national(db, password_hash=ctx.hasher.hash(NATIONAL_PASSWORD), must_change=False)
        db.commit()
        for p in ("36", "62"):
            national.subscribe(db, p, t.conninfo(p))
    ctx.engine.dispose()
    for p in ("36", "62"):
        ctx = t.ctx(p)
        with ctx.sessions() as db:
            national.subscribe_identifiers(db, t.conninfo("national"))
        ctx.engine.dispose()
