"""Server-side response times of the forms under 20 concurrent users, against the demo on PostgreSQL.

    .venv/bin/python benchmarks/web.py [--users 20] [--rounds 15] [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

What it does: creates a fresh database ``tmis_bench_<random>`` on the server, migrates it, loads
the demo province (``tmis demo``: ~600 teachers with records in every set), starts the app with
uvicorn in a separate process (one worker), signs in 20 teachers of 3601020001 and lets each of
them, in turn and at the same time as the others: fetch a static file of the app
(``/static/forms.css``), open their 基本信息 form page, and save it (a form post that runs the
engine on the record and the whole file, writes the record and an audit entry). Times are measured
at the client on localhost, so they are server time plus a loopback round trip.

Targets (issue 4): p95 of the 基本信息 page ≤ 3× the static p95; p95 of a save ≤ 5× the static p95.
The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import _stdlib_first  # noqa: F401,I001  (benchmarks/statistics.py would hide the standard library's)
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="_version" value="(\d+)"')
PASSWORD = "Demo@2024"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def as_form(values: dict) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, v in values.items():
        if v is None:
            out.append((k, ""))
        elif isinstance(v, bool):
            out.append((k, "true" if v else "false"))
        elif isinstance(v, list):
            out.extend((k, str(x)) for x in v)
        else:
            out.append((k, str(v)))
    return out


async def user(base: str, username: str, tid: int, rounds: int, samples: dict[str, list[float]],
               statuses: dict[str, dict[int, int]], gate: asyncio.Lock) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        async with gate:  # sign-ins one at a time: they are not what is measured (see the report)
            r = await c.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        r.raise_for_status()
        values = (await c.get(f"/api/v1/teachers/{tid}/sets/basic")).json()["records"][0]["values"]
        values = {k: v for k, v in values.items() if not (isinstance(v, str) and v.startswith("data:"))}
        for _ in range(rounds):
            t0 = time.perf_counter()
            r = await c.get("/static/forms.css")
            samples["static"].append(time.perf_counter() - t0)
            statuses["static"][r.status_code] = statuses["static"].get(r.status_code, 0) + 1

            t0 = time.perf_counter()
            r = await c.get(f"/forms/teachers/{tid}/sets/basic")
            samples["form"].append(time.perf_counter() - t0)
            statuses["form"][r.status_code] = statuses["form"].get(r.status_code, 0) + 1
            token = CSRF.search(r.text).group(1)
            version = VERSION.search(r.text).group(1)

            body = as_form(values) + [("_fields", ",".join(values)), ("_version", version), ("_csrf_token", token)]
            t0 = time.perf_counter()
            r = await c.post(f"/forms/teachers/{tid}/sets/basic", content=urlencode(body), follow_redirects=False,
                             headers={"content-type": "application/x-www-form-urlencoded"})
            samples["save"].append(time.perf_counter() - t0)
            statuses["save"][r.status_code] = statuses["save"].get(r.status_code, 0) + 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--teachers", type=int, default=600, help="demo size")
    ap.add_argument("--admin-url", default=os.environ.get("TMIS_BENCH_DATABASE_URL",
                                                          "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()

    from web.db.migrate import upgrade
    from web.db.models import Account, Teacher, Unit
    from web.demo import build_demo
    from web.settings import Settings

    name = f"tmis_bench_{secrets.token_hex(4)}"
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
    server = None
    try:
        t0 = time.perf_counter()
        upgrade(url)
        settings = Settings(database_url=url, secret_key="bench-" + secrets.token_hex(16))
        build_demo(settings, password=PASSWORD, teachers=args.teachers)
        print(f"demo loaded in {time.perf_counter() - t0:.1f}s ({args.teachers} teachers)", flush=True)
        eng = create_engine(url)
        with eng.connect() as conn:
            rows = conn.execute(select(Account.username, Account.teacher_id).join(Teacher, Teacher.id == Account.teacher_id)
                                .join(Unit, Unit.id == Teacher.unit_id).where(Unit.code == "3601020001")
                                .order_by(Account.id).limit(args.users)).all()
        eng.dispose()
        if len(rows) < args.users:
            print(f"only {len(rows)} teacher accounts at 3601020001", file=sys.stderr)
        port = 18000 + secrets.randbelow(1000)
        env = {**os.environ, "TMIS_DATABASE_URL": url, "TMIS_SECRET_KEY": settings.secret_key}
        # SIGUSR1 dumps every thread's stack (faulthandler): how to see where a stalled server waits
        launcher = ("import faulthandler, signal, uvicorn; faulthandler.register(signal.SIGUSR1, all_threads=True); "
                    f"uvicorn.run('web.app:asgi', factory=True, host='127.0.0.1', port={port}, "
                    "log_level='warning', access_log=False)")
        server = subprocess.Popen([sys.executable, "-c", launcher], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(base + "/static/forms.css", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        # warm-up: one request of each kind (catalogue build, template compile)
        asyncio.run(_warm(base, rows[0][0], rows[0][1]))
        samples: dict[str, list[float]] = {"static": [], "form": [], "save": []}
        statuses: dict[str, dict[int, int]] = {"static": {}, "form": {}, "save": {}}
        t0 = time.perf_counter()

        async def run() -> None:
            gate = asyncio.Lock()
            await asyncio.gather(*(user(base, u, tid, args.rounds, samples, statuses, gate) for u, tid in rows))

        asyncio.run(run())
        wall = time.perf_counter() - t0
        print(f"{len(rows)} concurrent users × {args.rounds} rounds on PostgreSQL, {wall:.1f}s wall, one uvicorn worker")
        print(f"{'request':<26}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'p95/static':>12}  status")
        sp95 = pct(samples["static"], 95)
        labels = {"static": "static file (forms.css)", "form": "基本信息 form page", "save": "基本信息 save (validate)"}
        for k in ("static", "form", "save"):
            v = samples[k]
            print(f"{labels[k]:<24}{len(v):>5}{statistics.median(v) * 1000:>10.1f}{pct(v, 95) * 1000:>10.1f}"
                  f"{pct(v, 95) / sp95:>12.1f}  {statuses[k]}")
        ok_form = pct(samples["form"], 95) <= 3 * sp95
        ok_save = pct(samples["save"], 95) <= 5 * sp95
        print(f"target form p95 ≤ 3× static: {'met' if ok_form else 'NOT met'}; "
              f"save p95 ≤ 5× static: {'met' if ok_save else 'NOT met'}")
        return 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def _warm(base: str, username: str, tid: int) -> None:
    s: dict[str, list[float]] = {"static": [], "form": [], "save": []}
    st: dict[str, dict[int, int]] = {"static": {}, "form": {}, "save": {}}
    await user(base, username, tid, 2, s, st, asyncio.Lock())


if __name__ == "__main__":
    raise SystemExit(main())
