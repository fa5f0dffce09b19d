"""A scratch PostgreSQL database for one benchmark run, dropped at the end.

    from benchmarks._scratch import scratch_database
    url, drop = scratch_database(admin_url)            # migrated to all heads
    try: ...
    finally: drop()

``admin_url`` names a database on the server whose user may create databases (the local server's
``test`` by default in every benchmark). The new database gets a random name (``tmis_bench_…``), so
two runs never meet; ``drop`` removes it even while connections are open (``WITH (FORCE)``).
"""

from __future__ import annotations

import secrets
from typing import Callable


def scratch_database(admin_url: str, *, prefix: str = "tmis_bench", migrate: bool = True) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    if migrate:
        from web.db.migrate import upgrade

        try:
            upgrade(url)
        except BaseException:
            drop()
            raise
    return url, drop
