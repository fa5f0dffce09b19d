"""Statistics at province scale (issue 16), against baselines measured in the same run.

    .venv/bin/python benchmarks/statistics.py                       # 1.5 million teachers, 20,000 schools
    .venv/bin/python benchmarks/statistics.py --teachers 200000 --schools 4000

A scratch PostgreSQL database (``$TMIS_BENCH_DATABASE_URL`` or the local server; created and
dropped) gets a province of ``--schools`` schools under 10 cities and 100 counties and
``--teachers`` approved teachers, each with 基本信息, 学习经历, 专业技术职务, 岗位聘任 and 教师资格
records, written with COPY. Then:

1. the full refresh (``refresh.rebuild``, what ``tmis stats refresh`` runs) in a child process:
   its time and the child's peak memory (target < 1 GB);
2. a province dashboard (six standard tables) and a county's, read from the summary tables, each
   ``--repeat`` times: p50 and p95 (targets: province < 200 ms, county < 50 ms), beside the same six
   tables computed directly from the records (facts.build_rows over the unit's teachers, once; the
   figures must be equal);
3. the dashboard page itself (GET /statistics/units/<code> over HTTP, the app in process, a signed-in
   viewer: every table, the units one level down, rendered) for the province and the county: p50,
   p95 and the SQL statements of one request (a fixed number whatever the units below);
4. the incremental cost of one approval: ``refresh.on_teacher`` for one teacher (what the
   file.approved listener runs inside the approval's transaction), median of ``--repeat``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._scratch import scratch_database  # noqa: E402

DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SIX = ("by_school_type", "gender", "age_structure", "education", "title_level", "urban_rural")
SCHOOL_TYPES = ("primary", "junior", "nine_year", "complete_secondary", "senior", "kindergarten", "vocational", "special")



def _raw(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def generate(url: str, teachers: int, schools: int, seed: int = 16) -> dict[str, Any]:
    """The province, written with COPY (units, closure, teachers, records)."""
    rng = random.Random(seed)
    started = time.perf_counter()
    units: list[tuple[int, str, str, str, str | None, str | None, int | None]] = [(1, "36", "江西省", "province", None, None, None)]
    closure: list[tuple[int, int, int]] = [(1, 1, 0)]
    uid = 1
    county_ids: list[tuple[int, int]] = []
    for c in range(10):
        uid += 1
        city = uid
        units.append((city, f"36{c + 1:02d}", f"市{c + 1}", "city", None, None, 1))
        closure += [(city, city, 0), (1, city, 1)]
        for k in range(10):
            uid += 1
            units.append((uid, f"36{c + 1:02d}{k + 1:02d}", f"县{c + 1}-{k + 1}", "county", None, None, city))
            closure += [(uid, uid, 0), (city, uid, 1), (1, uid, 2)]
            county_ids.append((uid, city))
    school_ids: list[int] = []
    for s in range(schools):
        county, city = county_ids[s % len(county_ids)]
        uid += 1
        code = units[county - 1][1] + f"{s // len(county_ids) + 1:04d}"
        units.append((uid, code, f"学校{s + 1}", "school", SCHOOL_TYPES[s % len(SCHOOL_TYPES)], str(1 + s % 3), county))
        closure += [(uid, uid, 0), (county, uid, 1), (city, uid, 2), (1, uid, 3)]
        school_ids.append(uid)
    now = dt.datetime.now(dt.timezone.utc)
    with _raw(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY units (id, code, name, level, school_type, urban_rural, parent_id, teacher_login_enabled, "
                      "created_at, updated_at) FROM STDIN") as cp:
            for u in units:
                cp.write_row((*u, True, now, now))
        with cur.copy("COPY unit_closure (ancestor_id, descendant_id, depth) FROM STDIN") as cp:
            for row in closure:
                cp.write_row(row)
        cur.execute("SELECT setval(pg_get_serial_sequence('units', 'id'), %s)", (uid,))
        subjects = ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "23", "24", "25", "26"]
        edu = ["14", "21", "21", "21", "31", "31", "41", "61"]
        titles = ["061", "062", "062", "063", "063", "063", "064", "064", "065", "0"]
        rid = 0
        with cur.copy("COPY teachers (id, id_type, id_number, name, gender, birth_date, unit_id, state, created_at, "
                      "updated_at) FROM STDIN") as tcp:
            for t in range(1, teachers + 1):
                birth = dt.date(1962 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
                tcp.write_row((t, "1", f"B{t:017d}", f"教师{t}", "1" if rng.random() < 0.35 else "2", birth,
                               school_ids[t % len(school_ids)], "approved", now, now))
        cur.execute("SELECT setval(pg_get_serial_sequence('teachers', 'id'), %s)", (teachers,))
        rng = random.Random(seed + 1)
        with cur.copy("COPY records (id, teacher_id, set_key, position, document, catalogue_version, version, state, "
                      "created_at, updated_at) FROM STDIN") as rcp:
            for t in range(1, teachers + 1):
                work = 1985 + rng.randrange(38)
                docs = {
                    "basic": {"gender": "1" if t % 3 == 0 else "2", "ethnic_group": "01" if rng.random() < 0.9 else "03",
                              "political_status": [rng.choice(["01", "03", "13", "13"])],
                              "on_establishment": rng.random() < 0.8, "person_status": "100",
                              "work_start_month": f"{work}-09", "staff_category": "11"},
                    "education": {"edu_level": rng.choice(edu), "degree_level": "4", "institution": "大学"},
                    "title": {"title": rng.choice(titles), "start_month": f"{work + 5}-09"},
                    "post": {"post_category": rng.choice(["1", "1", "1", "2", "3"]), "post_grade": "201",
                             "start_month": f"{work + 3}-09"},
                    "qualification": {"kind": "2", "subject": rng.choice(subjects)},
                }
                for set_key, doc in docs.items():
                    rid += 1
                    rcp.write_row((rid, t, set_key, 0, json.dumps(doc, ensure_ascii=False), "bench", 1, "approved",
                                   now, now))
        cur.execute("SELECT setval(pg_get_serial_sequence('records', 'id'), %s)", (rid,))
        conn.commit()
        cur.execute("ANALYZE")
    return {"units": len(units), "teachers": teachers, "records": rid, "seconds": time.perf_counter() - started}


def _refresh_child(url: str) -> dict[str, Any]:
    """The full refresh in a child process (its own peak memory)."""
    code = ("import json, sys, time, resource; sys.path.insert(0, %r)\n"
            "from web.context import AppContext\nfrom web.modules import Registry, use\nfrom web.settings import Settings\n"
            "from modules.statistics import refresh\n"
            "s = Settings(database_url=%r, secret_key='bench-secret-key-bench-secret-key')\n"
            "ctx = AppContext.build(s); use(Registry.build(s.repo_root, s.province))\n"
            "t = time.perf_counter()\n"
            "with ctx.sessions() as db:\n    done = refresh.rebuild(db, cat=ctx.catalogue); db.commit()\n"
            "done['seconds'] = time.perf_counter() - t\n"
            "done['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "print(json.dumps(done))\n") % (str(ROOT), url)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pages(url: str, codes: dict[str, str], repeat: int) -> dict[str, tuple[float, float, int]]:
    """The dashboard page itself, as a browser asks for it (the app in process, a signed-in viewer):
    p50, p95 and the SQL statements of one request."""
    from litestar.testing import TestClient
    from sqlalchemy import event, update

    from web.app import create_app
    from web.db.models import Account
    from web.settings import Settings

    import logging

    app = create_app(Settings(database_url=url, secret_key="bench-secret-key-bench-secret-key"))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the test client's line per request
    ctx = app.state.ctx
    password = "Bench@2024x"
    with ctx.sessions() as db:
        db.execute(update(Account).where(Account.username.in_([f"viewer-{c}" for c in codes.values()]))
                   .values(password_hash=ctx.hasher.hash(password)))
        db.commit()
    statements: list[str] = []
    event.listen(ctx.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    out = {}
    for level, code in codes.items():
        with TestClient(app) as client:
            r = client.post("/api/v1/auth/login", json={"username": f"viewer-{code}", "password": password})
            assert r.status_code == 200, r.text
            client.get(f"/statistics/units/{code}")  # warm: templates compiled
            times = []
            for _ in range(repeat):
                statements.clear()
                t = time.perf_counter()
                r = client.get(f"/statistics/units/{code}")
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text[:300]
            out[level] = (_percentile(times, 50), _percentile(times, 95), len(statements))
    ctx.engine.dispose()
    return out


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teachers", type=int, default=1_500_000)
    ap.add_argument("--schools", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="keep the scratch database (prints its URL)")
    args = ap.parse_args()
    admin = os.environ.get("TMIS_BENCH_DATABASE_URL", DEFAULT_ADMIN)
    url, drop = scratch_database(admin)
    try:
        run(url, args)
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            drop()


def run(url: str, args: Any) -> None:
    from sqlalchemy import select

    from modules.statistics import refresh
    from modules.statistics import service as stats
    from web.context import AppContext
    from web.db.models import Account, Grant, Unit
    from web.modules import Registry, use
    from web.services import auth
    from web.settings import Settings

    made = generate(url, args.teachers, args.schools)
    print(f"generated: {made['units']} units, {made['teachers']} teachers, {made['records']} records "
          f"(COPY) in {made['seconds']:.1f} s")
    full = _refresh_child(url)
    print(f"full refresh (tmis stats refresh): {full['seconds']:.1f} s for {full['teachers']} teachers "
          f"(facts {full['facts_s']:.1f} s, per-unit counts {full['counts_s']:.1f} s), peak memory {full['peak_mb']:.0f} MB "
          f"(target < 1024 MB)")

    s = Settings(database_url=url, secret_key="bench-secret-key-bench-secret-key")
    ctx = AppContext.build(s)
    use(Registry.build(s.repo_root, s.province))
    cat = ctx.catalogue
    with ctx.sessions() as db:
        county = db.scalar(select(Unit).where(Unit.level == "county").order_by(Unit.code).limit(1))
        province = db.scalar(select(Unit).where(Unit.level == "province"))
        me = {}
        for unit in (province, county):
            acc = Account(username=f"viewer-{unit.code}", real_name="查询员", unit_id=unit.id, kind="staff",
                          password_hash="x", must_change_password=False, failed_attempts=0, enabled=True)
            db.add(acc)
            db.flush()
            db.add(Grant(account_id=acc.id, unit_id=unit.id, role_key="info_viewer"))
            db.flush()
            db.refresh(acc)
            me[unit.level] = auth.principal_of(acc, ctx)
        db.commit()
        for level, unit in (("province", province), ("county", county)):
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                results = stats.compute_many(db, me[level], SIX, unit.code, cat=cat)
                times.append((time.perf_counter() - t) * 1000)
                db.rollback()
            assert all(r.source == "summary" for r in results)
            # the same six tables computed directly from the records, once
            defs = stats.definitions(cat)
            where = stats._scope(db, unit, None, cat)
            t = time.perf_counter()
            direct = stats.Direct()
            from collections import defaultdict

            from modules.statistics.facts import build_rows, subtree_ids

            counts = {k: defaultdict(lambda: [0, 0.0, 0]) for k in SIX}
            for row in build_rows(db, cat=cat, defs=defs, unit_ids=subtree_ids(unit.id)):
                for k in SIX:
                    cell = counts[k][tuple(row["dims"][d] for d in defs.tables[k].dims)]
                    cell[0] += 1
                    if row["age"] is not None:
                        cell[1] += row["age"]
                        cell[2] += 1
            direct_ms = (time.perf_counter() - t) * 1000
            del direct, where
            for r in results:
                want = stats.StatResult("", {}, r.table, r.dims, dict(counts[r.table.key])).rows()
                assert r.rows() == want, f"{level} {r.table.key}: summary and records differ"
            p50, p95 = _percentile(times, 50), _percentile(times, 95)
            target = 200 if level == "province" else 50
            print(f"{level} dashboard ({unit.code}, {results[0].total} teachers, six tables): summary p50 {p50:.1f} ms, "
                  f"p95 {p95:.1f} ms (target < {target} ms) | from the records {direct_ms:.0f} ms | "
                  f"ratio {direct_ms / p95:.0f}x; figures equal")
        pages = _pages(url, {level: unit.code for level, unit in (("province", province), ("county", county))},
                       args.repeat)
        for level, (p50, p95, n) in pages.items():
            target = 200 if level == "province" else 50
            print(f"{level} dashboard page (GET /statistics/units/<code> over HTTP: sign-in check, unit and scope, every "
                  f"table, the units one level down, rendered): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                  f"(target < {target} ms), {n} SQL statements")
        times = []
        rng = random.Random(5)
        for _ in range(args.repeat):
            tid = rng.randrange(1, args.teachers + 1)
            t = time.perf_counter()
            refresh.on_teacher(db, [tid], cat=cat)
            times.append((time.perf_counter() - t) * 1000)
            db.rollback()
        print(f"incremental refresh of one approval (refresh.on_teacher in the approval's transaction): "
              f"median {_percentile(times, 50):.1f} ms, p95 {_percentile(times, 95):.1f} ms")
    ctx.engine.dispose()
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
