"""Training credits against baselines measured in the same run (issue 17), on PostgreSQL.

    .venv/bin/python benchmarks/credits.py                      # both parts, full size
    .venv/bin/python benchmarks/credits.py --teachers 5000 --results 2000   # a quick run

1. Confirming results: ``--results`` submitted results of one county project confirmed through
   modules.credits.results.confirm_results (conversion under 江西's rules, caps checked against
   the ledger, the ledger rows inserted, the results updated, the passed ones' 国内培训 records
   added (来自学分银行, records.add_many_from_case), audited, committed) beside a bare
   INSERT of the same ledger rows (one executemany, committed): the target's baseline. Reported
   beside them, with no target: a bare INSERT of the ledger rows and the same 国内培训 records
   (two executemany, committed), the baseline if the records' insert is counted as the work too;
   and a bare COPY of the ledger rows (web.db.bulk, as the confirmation itself writes them on
   PostgreSQL), the cheapest way to put the rows in. ``--repeat`` pairs in turn, each
   with a project of its own; medians. Target: ratio ≤ 2.
2. A county's balances page: ``--teachers`` teachers in one county with ``--entries`` ledger
   entries each; bank.balances_page (a page of 50 of the county viewer's teachers with their
   year, cycle and category sums) beside the scoped teacher-list page
   (web.services.teachers.listing, same account, same page). Pages at several offsets, each
   measured ``--repeat`` times in turn; medians. Target: ratio ≤ 3.

Needs PostgreSQL: $TMIS_BENCH_DATABASE_URL or the local server (a scratch database is created and
dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._scratch import scratch_database  # noqa: E402

DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TREE = [("36", "江西省", "province", None, None), ("3601", "南昌市", "city", "36", None),
        ("360102", "东湖区", "county", "3601", None)] + [
        (f"36010200{i:02d}", f"东湖区第{i}学校", "school", "360102", "primary") for i in range(1, 21)]



def _setup(db: Any, ctx: Any, n_teachers: int, n_entries: int) -> dict[str, Any]:
    """Units, accounts, teachers and their ledger entries written straight into the tables (COPY)."""
    from sqlalchemy import insert, text

    from engine import idnumber
    from web.db.models import Account, Grant, Teacher
    from web.services import units as unit_service

    ids = {}
    for code, name, level, parent, st in TREE:
        ids[code] = unit_service.create_unit_raw(db, code=code, name=name, level=level, school_type=st,
                                                 parent=unit_service.by_code(db, parent) if parent else None).id
    accounts = {}
    for role in ("info_manager", "info_reviewer", "info_viewer"):
        acc = Account(username=f"{role}@360102", real_name=role, unit_id=ids["360102"], kind="staff",
                      password_hash="x", must_change_password=False, failed_attempts=0, enabled=True)
        db.add(acc)
        db.flush()
        db.add(Grant(account_id=acc.id, unit_id=ids["360102"], role_key=role))
        accounts[role] = acc
    db.commit()
    rng = random.Random(17)
    schools = [ids[c] for c, *_ in TREE if len(c) == 10]
    rows = []
    for i in range(n_teachers):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 35))
        rows.append({"id_type": "1", "id_number": idnumber.make(f"3601{i // 1000 % 100:02d}", birth, i % 1000),
                     "name": f"教师{i:06d}", "gender": str(1 + i % 2), "birth_date": birth,
                     "unit_id": schools[i % len(schools)], "state": "approved"})
    seen, unique = set(), []
    for r in rows:  # the generator may repeat a number for large n: keep each once
        if r["id_number"] not in seen:
            seen.add(r["id_number"])
            unique.append(r)
    teacher_ids = []
    for i in range(0, len(unique), 5000):
        teacher_ids += list(db.scalars(insert(Teacher).returning(Teacher.id), unique[i:i + 5000]))
    db.commit()
    raw = db.connection().connection.driver_connection
    cats = ("face_to_face", "online", "school_based", "self_study")
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    with raw.cursor() as cur:
        with cur.copy("COPY credit_entries (teacher_id, kind, credits, hours, category, effective, rule_version, "
                      "recorded_at, note) FROM STDIN") as copy:
            for tid in teacher_ids:
                for k in range(n_entries):
                    copy.write_row((tid, "earned", "1.50", "15.00", cats[k % 4], dt.date(2016 + k % 10, 1 + k % 12, 10),
                                    "36:2021", now, ""))
    raw.commit()
    db.execute(text("ANALYZE"))
    db.commit()
    return {"units": ids, "teachers": teacher_ids, "accounts": accounts,
            "id_numbers": [r["id_number"] for r in unique]}


def _median(xs: list[float]) -> float:
    # not the statistics module: benchmarks/statistics.py (this script's folder comes first) shadows it
    ys = sorted(xs)
    mid = len(ys) // 2
    return ys[mid] if len(ys) % 2 else (ys[mid - 1] + ys[mid]) / 2


def bench_confirm(ctx: Any, world: dict[str, Any], n: int, repeat: int) -> tuple[float, float, float, float]:
    """(confirm, bare INSERT of the ledger rows, bare INSERT of the ledger rows and the 国内培训
    records, bare COPY of the ledger rows)."""
    from sqlalchemy import insert, select

    from modules.credits import projects as P
    from modules.credits import results as R
    from modules.credits.models import CreditEntry, TrainingResult
    from web.db.models import Record
    from web.services.auth import principal_of

    from web.db import bulk

    confirm_t, insert_t, both_t, copy_t = [], [], [], []
    teachers = world["teachers"][:n]
    for rep in range(repeat):
        with ctx.sessions() as db:
            manager = principal_of(db.merge(world["accounts"]["info_manager"]), ctx)
            reviewer = principal_of(db.merge(world["accounts"]["info_reviewer"]), ctx)
            p = P.register_project(db, manager, dict(name=f"基准项目{rep}", level="county", type="face_to_face",
                                                     hours=40, start="2024-07-01", end="2024-07-05"))
            now = dt.datetime.now(dt.timezone.utc)
            db.execute(insert(TrainingResult), [dict(project_id=p.id, teacher_id=t, hours=40 - i % 17, passed=i % 10 != 0,
                                                     state="submitted", submitted_at=now) for i, t in enumerate(teachers)])
            db.commit()
            t0 = time.perf_counter()
            R.confirm_results(db, reviewer, p.id, root=ROOT, cat=ctx.catalogue)
            db.commit()
            confirm_t.append(time.perf_counter() - t0)
            made = [dict(teacher_id=e.teacher_id, kind=e.kind, credits=e.credits, hours=e.hours, category=e.category,
                         effective=e.effective, project_id=e.project_id, rule_version=e.rule_version,
                         confirmed_by=e.confirmed_by, recorded_at=e.recorded_at, note=e.note, source=None)
                    for e in db.scalars(select(CreditEntry).where(CreditEntry.project_id == p.id))]
            cols = [c.name for c in Record.__table__.c if c.name != "id"]
            records = [dict(r._mapping) for r in db.execute(select(*[Record.__table__.c[c] for c in cols]).where(
                Record.set_key == "training", Record.document["project_name"].as_string() == p.name))]
        with ctx.sessions() as db:
            t0 = time.perf_counter()
            db.execute(insert(CreditEntry), made)
            db.commit()
            insert_t.append(time.perf_counter() - t0)
        with ctx.sessions() as db:  # the same rows again (source must be unique) with the records
            for m in made:
                m["source"] = None
            t0 = time.perf_counter()
            db.execute(insert(CreditEntry), made)
            db.execute(insert(Record), records)
            db.commit()
            both_t.append(time.perf_counter() - t0)
        with ctx.sessions() as db:
            t0 = time.perf_counter()
            bulk.insert_many(db, CreditEntry.__table__, made)
            db.commit()
            copy_t.append(time.perf_counter() - t0)
    return _median(confirm_t), _median(insert_t), _median(both_t), _median(copy_t)


def bench_page(ctx: Any, world: dict[str, Any], repeat: int) -> list[tuple[int, float, float]]:
    from modules.credits import bank as B
    from web.services import teachers as teacher_service
    from web.services.auth import principal_of

    out = []
    total = len(world["teachers"])
    for offset in (0, total // 2 // 50 * 50, max(0, total - 50)):
        page_t, list_t = [], []
        for _ in range(repeat):
            with ctx.sessions() as db:
                viewer = principal_of(db.merge(world["accounts"]["info_viewer"]), ctx)
                t0 = time.perf_counter()
                teacher_service.listing(db, viewer, limit=50, offset=offset)
                list_t.append(time.perf_counter() - t0)
                db.rollback()
                t0 = time.perf_counter()
                page = B.balances_page(db, viewer, root=ROOT, year=2024, limit=50, offset=offset)
                page_t.append(time.perf_counter() - t0)
                assert len(page["items"]) == 50 and page["total"] == total
                db.rollback()
        out.append((offset, _median(page_t), _median(list_t)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teachers", type=int, default=50_000)
    ap.add_argument("--entries", type=int, default=20)
    ap.add_argument("--results", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--part", choices=("confirm", "page", "both"), default="both")
    args = ap.parse_args()
    admin = os.environ.get("TMIS_BENCH_DATABASE_URL", DEFAULT_ADMIN)
    url, drop = scratch_database(admin)
    try:
        from web.app import create_app
        from web.settings import Settings

        # the app registers the modules' actions (credits.*) as it does when serving
        ctx = create_app(Settings(database_url=url, secret_key="bench", province="36")).state.ctx
        t0 = time.perf_counter()
        with ctx.sessions() as db:
            world = _setup(db, ctx, max(args.teachers, args.results), args.entries)
        print(f"set-up: {len(world['teachers'])} teachers, {len(world['teachers']) * args.entries} ledger entries "
              f"in {time.perf_counter() - t0:.1f} s")
        ok = True
        if args.part in ("confirm", "both"):
            c, b, b2, b3 = bench_confirm(ctx, world, args.results, args.repeat)
            ratio = c / b
            ok &= ratio <= 2
            print(f"confirm {args.results} results: {c * 1000:.0f} ms; bare INSERT of the same ledger rows: "
                  f"{b * 1000:.0f} ms; ratio {ratio:.2f} (target ≤ 2) {'ok' if ratio <= 2 else 'OVER'}")
            print(f"  (reported, no target) bare INSERT of the same ledger rows and 国内培训 records: {b2 * 1000:.0f} ms; "
                  f"ratio {c / b2:.2f}; bare COPY of the same ledger rows (as the confirm writes them): "
                  f"{b3 * 1000:.0f} ms; ratio {c / b3:.2f}")
        if args.part in ("page", "both"):
            for offset, p, lst in bench_page(ctx, world, args.repeat):
                ratio = p / lst
                ok &= ratio <= 3
                print(f"balances page at offset {offset}: {p * 1000:.1f} ms; scoped teacher list page: "
                      f"{lst * 1000:.1f} ms; ratio {ratio:.2f} (target ≤ 3) {'ok' if ratio <= 3 else 'OVER'}")
        ctx.engine.dispose()
        return 0 if ok else 1
    finally:
        drop()


if __name__ == "__main__":
    raise SystemExit(main())
