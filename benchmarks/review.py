"""Review speed on PostgreSQL: bulk approval beside single approvals, and a big city's queue.

    .venv/bin/python benchmarks/review.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                          [--files 5000] [--singles 300] [--queue 100000] [--submit 500]

What it does, in a fresh database created on the server (dropped at the end):
1. a county with 50 schools and ``--files`` teachers, each with a complete file (the national
   sets, 17+ records), every file waiting for the county's review;
2. ``--singles`` of them approved one at a time, one transaction each (what a reviewer clicking
   审核通过 does), then the rest in one bulk approval (批量审核通过): files per second for both;
3. a city with ``--queue`` files waiting at city level; the city reviewer's queue (first page
   of 50, with the total counted up to 10,000) through the service, the JSON API and the HTML
   page, and the city's progress page: milliseconds, medians;
4. ``--submit`` files of one school submitted in one bulk 报送 (each passes the completeness
   check first): files per second.

Targets (issue 5): the queue's first page within 100 ms.
"""

from __future__ import annotations

import argparse
import _stdlib_first  # noqa: F401,I001  (benchmarks/statistics.py would hide the standard library's)
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "Bench@2024ok"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--singles", type=int, default=300)
    ap.add_argument("--queue", type=int, default=100_000)
    ap.add_argument("--submit", type=int, default=500, help="files submitted in one bulk 报送")
    ap.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    args = ap.parse_args()

    from engine.catalogue import build_catalogues, repo_root
    from tests.review.filegen import complete_file
    from tests.web.conftest import fresh_pg_database
    from web.app import create_app
    from web.db.base import utcnow
    from web.db.migrate import upgrade
    from web.db.models import Account, Grant, Record, Teacher
    from web.review import queue as Q
    from web.review import service as S
    from web.review.models import ReviewCase
    from web.services import auth as auth_service
    from web.services import units as unit_service
    from web.settings import Settings

    url, drop = fresh_pg_database(args.url)
    try:
        upgrade(url)
        app = create_app(Settings(database_url=url, secret_key="bench", argon2_time_cost=1, argon2_memory_kib=1024))
        ctx = app.state.ctx
        cat = build_catalogues(repo_root(), ["36"])["36"]
        print(f"database {url.rsplit('/', 1)[-1]} · catalogue 36 · {cat.version}")

        with ctx.sessions() as s:
            prov = unit_service.create_unit_raw(s, code="36", name="江西省", level="province", parent=None)
            city = unit_service.create_unit_raw(s, code="3601", name="南昌市", level="city", parent=prov)
            county = unit_service.create_unit_raw(s, code="360102", name="东湖区", level="county", parent=city)
            big = unit_service.create_unit_raw(s, code="360103", name="西湖区", level="county", parent=city)
            schools = [unit_service.create_unit_raw(s, code=f"360102{i:04d}", name=f"东湖区第{i}学校", level="school",
                                                    parent=county, school_type="primary") for i in range(1, 51)]
            big_schools = [unit_service.create_unit_raw(s, code=f"360103{i:04d}", name=f"西湖区第{i}学校",
                                                        level="school", parent=big, school_type="primary")
                           for i in range(1, 201)]
            pw = ctx.hasher.hash(PASSWORD)
            for username, unit in (("county_reviewer", county), ("city_reviewer", city)):
                acc = Account(username=username, real_name=username, unit_id=unit.id, kind="staff", password_hash=pw,
                              must_change_password=False, failed_attempts=0, enabled=True)
                s.add(acc)
                s.flush()
                s.add(Grant(account_id=acc.id, unit_id=unit.id, role_key="info_reviewer"))
            s.commit()
            ids = {"prov": prov.id, "city": city.id, "county": county.id}
            school_ids = [u.id for u in schools]
            big_ids = [u.id for u in big_schools]

        # ---------------------------------------------------------------- 1. a county's files
        started = time.perf_counter()
        from engine import idnumber

        template = complete_file(cat, "primary", "模板", idnumber.make("360102", date(1985, 3, 14), 11))
        now = utcnow()
        levels = ["school", "county", "city", "province"]
        with ctx.engine.begin() as conn:
            teachers = [{"id_type": "1", "id_number": f"B{i:017d}", "name": f"教师{i}", "gender": "1",
                         "birth_date": date(1985, 3, 14), "unit_id": school_ids[i % len(school_ids)],
                         "state": "pending", "created_at": now, "updated_at": now} for i in range(args.files)]
            conn.execute(insert(Teacher), teachers)
            tids = list(conn.scalars(select(Teacher.id).order_by(Teacher.id)))
            unit_of = dict(conn.execute(select(Teacher.id, Teacher.unit_id)).all())
            records = []
            for tid in tids:
                for key, value in template.items():
                    for pos, doc in enumerate(value if isinstance(value, list) else [value]):
                        records.append({"teacher_id": tid, "set_key": key, "position": pos, "document": doc,
                                        "catalogue_version": cat.version, "version": 1, "state": "pending",
                                        "created_at": now, "updated_at": now})
            for i in range(0, len(records), 20_000):
                conn.execute(insert(Record), records[i:i + 20_000])
            conn.execute(insert(ReviewCase), [{
                "teacher_id": tid, "unit_id": unit_of[tid], "kind": "first_submission", "status": "pending",
                "levels": levels, "units": [unit_of[tid], ids["county"], ids["city"], ids["prov"]], "step": 1,
                "waiting_unit_id": ids["county"], "waiting_level": "county", "waiting_since": now,
                "submitted_at": now, "record_ids": [], "snapshot": {}, "version": 2, "created_at": now}
                for tid in tids])
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
            case_ids = list(conn.scalars(select(ReviewCase.id).where(ReviewCase.waiting_unit_id == ids["county"])
                                         .order_by(ReviewCase.id)))
        print(f"set-up: {args.files:,} files waiting at the county ({len(records):,} records) "
              f"in {time.perf_counter() - started:.1f} s")

        with ctx.sessions() as s:
            reviewer = auth_service.principal_of(s.scalar(select(Account).where(Account.username == "county_reviewer")), ctx)

        singles, rest = case_ids[:args.singles], case_ids[args.singles:]
        started = time.perf_counter()
        for cid in singles:
            with ctx.sessions() as s:
                S.approve(s, cat, reviewer, cid)
                s.commit()
        single_s = time.perf_counter() - started
        print(f"  single approvals (one transaction each) {len(singles) / single_s:>8,.0f} files/s "
              f"({len(singles)} files, {single_s:.2f} s)")

        started = time.perf_counter()
        with ctx.sessions() as s:
            results = S.bulk_approve(s, cat, reviewer, rest)
            s.commit()
        bulk_s = time.perf_counter() - started
        ok = sum(r.ok for r in results)
        print(f"  bulk approval (one request)             {len(rest) / bulk_s:>8,.0f} files/s "
              f"({ok:,} approved, {len(rest) - ok} refused, {bulk_s:.2f} s)")
        with ctx.sessions() as s:
            waiting_city = s.scalar(select(text("count(*)")).select_from(ReviewCase)
                                    .where(ReviewCase.waiting_unit_id == ids["city"]))
            assert waiting_city == args.files, waiting_city

        # ---------------------------------------------------------------- 2. a city's queue
        started = time.perf_counter()
        extra = args.queue - args.files
        with ctx.engine.begin() as conn:
            for chunk in range(0, extra, 20_000):
                n = min(20_000, extra - chunk)
                conn.execute(insert(Teacher), [{
                    "id_type": "1", "id_number": f"C{chunk + i:017d}", "name": f"西湖教师{chunk + i}", "gender": "2",
                    "birth_date": date(1990, 1, 1), "unit_id": big_ids[(chunk + i) % len(big_ids)],
                    "state": "pending", "created_at": now, "updated_at": now} for i in range(n)])
            rows = conn.execute(select(Teacher.id, Teacher.unit_id).where(Teacher.id_number.startswith("C"))).all()
            for chunk in range(0, len(rows), 20_000):
                conn.execute(insert(ReviewCase), [{
                    "teacher_id": tid, "unit_id": uid, "kind": "first_submission", "status": "pending",
                    "levels": levels, "units": [uid, None, ids["city"], ids["prov"]], "step": 2,
                    "waiting_unit_id": ids["city"], "waiting_level": "city",
                    "waiting_since": now - timedelta(minutes=k % 5000), "submitted_at": now,
                    "record_ids": [], "snapshot": {}, "version": 3, "created_at": now}
                    for k, (tid, uid) in enumerate(rows[chunk:chunk + 20_000], start=chunk)])
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
        with ctx.sessions() as s:
            waiting = s.scalar(select(text("count(*)")).select_from(ReviewCase)
                               .where(ReviewCase.waiting_unit_id == ids["city"], ReviewCase.status == "pending"))
        print(f"set-up: {waiting:,} files waiting at the city in {time.perf_counter() - started:.1f} s")

        with ctx.sessions() as s:
            city_reviewer = auth_service.principal_of(s.scalar(select(Account).where(Account.username == "city_reviewer")), ctx)

        def timed(fn, n: int = 20) -> float:
            fn()  # warm
            samples = []
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - t0) * 1000)
            return statistics.median(samples)

        def service_call() -> None:
            with ctx.sessions() as s:
                out = Q.queue(s, cat, city_reviewer, limit=50)
                assert out["total"] == min(waiting, Q.COUNT_CAP) and len(out["items"]) == 50

        from litestar.testing import TestClient

        with TestClient(app) as client:
            r = client.post("/api/v1/auth/login", json={"username": "city_reviewer", "password": PASSWORD})
            assert r.status_code == 200, r.text

            def api_call() -> None:
                r = client.get("/api/v1/review/queue?limit=50")
                assert r.status_code == 200 and r.json()["total"] == min(waiting, Q.COUNT_CAP)

            def page_call() -> None:
                r = client.get("/review/queue")
                assert r.status_code == 200 and 'data-case="' in r.text

            def filtered_call() -> None:
                r = client.get(f"/api/v1/review/queue?limit=50&unit={big_schools[7].code}&min_days=0")
                assert r.status_code == 200

            def progress_call() -> None:
                r = client.get("/api/v1/review/progress")
                assert r.status_code == 200 and sum(x["total"] for x in r.json()["rows"]) >= waiting

            svc, api, page, filt = timed(service_call), timed(api_call), timed(page_call), timed(filtered_call)
            prog = timed(progress_call, 5)
        print(f"  queue of a city with {waiting:,} waiting files, first page of 50 with the total (median of 20):")
        print(f"    service call                    {svc:7.1f} ms")
        print(f"    JSON API  GET /api/v1/review/queue  {api:7.1f} ms")
        print(f"    HTML page GET /review/queue         {page:7.1f} ms   (target: within 100 ms)")
        print(f"    JSON API filtered by one school     {filt:7.1f} ms")
        print(f"  progress of the city (per county: teachers by state, pending by level; {waiting + args.files:,} "
              f"teachers, median of 5): {prog:7.1f} ms")

        # ---------------------------------------------------------------- 3. bulk 报送 with the completeness check
        n = args.submit
        with ctx.sessions() as s:
            school = unit_service.by_code(s, "3601020001")
            acc = Account(username="school_manager", real_name="school_manager", unit_id=school.id, kind="staff",
                          password_hash=pw, must_change_password=False, failed_attempts=0, enabled=True)
            s.add(acc)
            s.flush()
            s.add(Grant(account_id=acc.id, unit_id=school.id, role_key="info_manager"))
            s.commit()
            manager = auth_service.principal_of(acc, ctx)
            school_id = school.id
        with ctx.engine.begin() as conn:
            conn.execute(insert(Teacher), [{"id_type": "1", "id_number": f"D{i:017d}", "name": f"新教师{i}", "gender": "1",
                                            "birth_date": date(1985, 3, 14), "unit_id": school_id,
                                            "state": "unsubmitted", "created_at": now, "updated_at": now}
                                           for i in range(n)])
            new_ids = list(conn.scalars(select(Teacher.id).where(Teacher.id_number.startswith("D"))))
            conn.execute(insert(Record), [{"teacher_id": tid, "set_key": key, "position": pos, "document": doc,
                                           "catalogue_version": cat.version, "version": 1, "state": "draft",
                                           "created_at": now, "updated_at": now}
                                          for tid in new_ids for key, value in template.items()
                                          for pos, doc in enumerate(value if isinstance(value, list) else [value])])
        started = time.perf_counter()
        with ctx.sessions() as s:
            results = S.bulk_submit(s, cat, manager, new_ids)
            s.commit()
        sub_s = time.perf_counter() - started
        refused = [r for r in results if not r.ok]
        if refused:
            print("  first refusal:", refused[0].code, refused[0].message_en, refused[0].extra.get("violations", [])[:3])
        print(f"  bulk 报送 of one school's files (completeness check of each) "
              f"{n / sub_s:>6,.0f} files/s ({sum(r.ok for r in results)} submitted, {sub_s:.2f} s)")
        ctx.engine.dispose()
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            drop()


if __name__ == "__main__":
    main()
