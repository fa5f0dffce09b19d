"""The national tier against baselines measured in the same run (issue 19).

    .venv/bin/python benchmarks/national.py                       # all three parts
    .venv/bin/python benchmarks/national.py --teachers 20000 --dedup-teachers 300000   # a quick run

Runs on the clusters of scripts/tier_clusters.py (made if missing, left running; ``scripts/tier-clusters
down`` removes them), in scratch databases it drops at the end.

1. Initial sync: a province database with ``--teachers`` approved files (each with a demo teacher's
   approved records, about the size of a real file), published (``tmis tier publish``); the national
   database subscribes (``tmis tier subscribe``) and the time until every row has arrived is set beside
   a plain ``pg_dump --data-only -t tier_units -t tier_files -t tier_movements | psql`` copy of the same
   tables into a third database of the national server, in the same run.
2. Lag of a steady stream: ``--rate`` approvals a second for ``--seconds`` seconds on the province, each
   one transaction writing its file row as file.approved does; the time from each commit until the
   row is readable nationally (median, p95, max), beside the interval between approvals.
3. The national duplicate report (web/tier/dedup.py ``find``: both kinds of groups into the queue) over
   ``--dedup-teachers`` files of 31 provinces with 0.1 % of people filed twice and 0.05 % namesakes,
   beside grouping every file (the report before migration nd01) and one plain scan of the same table
   (count(*)); also the cost of the key trigger on arriving files. Target: under 10 s for 3 million.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import tier_clusters as clusters  # noqa: E402


def _engine(url: str, **kw: Any) -> Any:
    from sqlalchemy import create_engine

    return create_engine(url, **kw)


def _fresh(port: int, name: str, migrate: bool = True) -> str:
    from sqlalchemy import text

    from web.db.migrate import upgrade

    _drop(port, name)
    admin = _engine(clusters.url(port, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = clusters.url(port, name)
    if migrate:
        upgrade(url)
    return url


def _drop(port: int, name: str) -> None:
    """The database, its subscriptions (their slots left to the publisher's own _drop) and its slots."""
    from sqlalchemy import text

    admin = _engine(clusters.url(port, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    if exists:
        own = _engine(clusters.url(port, name), isolation_level="AUTOCOMMIT")
        with own.connect() as conn:
            for (sub,) in conn.execute(text("SELECT subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid "
                                            "WHERE d.datname = current_database()")).all():
                conn.execute(text(f"ALTER SUBSCRIPTION {sub} DISABLE"))
                conn.execute(text(f"ALTER SUBSCRIPTION {sub} SET (slot_name = NONE)"))
                conn.execute(text(f"DROP SUBSCRIPTION {sub}"))
        own.dispose()
    with admin.connect() as conn:
        for (slot, pid) in conn.execute(text("SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = :n"),
                                        {"n": name}).all():
            if pid:  # a subscriber still streaming from it: end that walsender first
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                time.sleep(0.5)
            conn.execute(text("SELECT pg_drop_replication_slot(:s)"), {"s": slot})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sample_records() -> dict[str, list[dict[str, Any]]]:
    """One demo teacher's records (set key -> documents): the size of a real file."""
    import random

    from faker import Faker

    from web.context import AppContext
    from web.demo import _people, fill_records
    from web.settings import Settings

    ctx = AppContext.build(Settings(database_url="sqlite://"))
    cat = ctx.catalogue
    rng, fake = random.Random(36), Faker("zh_CN")
    fake.seed_instance(36)
    person = _people(1, rng, fake, ["360102"])[0]
    return fill_records(cat, cat.family_of("primary"), person, rng, fake)


def _province(url: str, teachers: int) -> dict[str, Any]:
    """Units and ``teachers`` approved files written straight into the province's tables, then published."""
    from sqlalchemy import text

    from web.tier.province import publish
    from web.db.base import make_sessionmaker

    records = _sample_records()
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (code, name, level, parent_id, teacher_login_enabled, created_at, updated_at) "
                          "VALUES ('36', '江西省', 'province', NULL, true, now(), now())"))
        conn.execute(text("INSERT INTO units (code, name, level, parent_id, school_type, teacher_login_enabled, created_at, updated_at) "
                          "SELECT '36010200' || lpad(g::text, 2, '0'), '学校' || g, 'school', (SELECT id FROM units WHERE code = '36'), "
                          "'primary', true, now(), now() FROM generate_series(1, 50) g"))
        conn.execute(text("""
            INSERT INTO teachers (id_type, id_number, name, gender, birth_date, unit_id, state, created_at, updated_at)
            SELECT '1', '3601021980' || lpad(g::text, 8, '0'), '教师' || g, CASE WHEN g % 3 = 0 THEN '1' ELSE '2' END,
                   DATE '1970-01-01' + (g % 12000), (SELECT id FROM units WHERE code = '36010200' || lpad((1 + g % 50)::text, 2, '0')),
                   'approved', now(), now()
            FROM generate_series(1, :n) g"""), {"n": teachers})
        for set_key, docs in records.items():
            for pos, doc in enumerate(docs):
                conn.execute(text("INSERT INTO records (teacher_id, set_key, position, document, catalogue_version, version, "
                                  "state, created_at, updated_at) SELECT id, :k, :p, CAST(:d AS jsonb), 'bench', 1, 'approved', "
                                  "now(), now() FROM teachers"), {"k": set_key, "p": pos, "d": json.dumps(doc, ensure_ascii=False)})
    t0 = time.perf_counter()
    with make_sessionmaker(engine)() as db:
        publish(db, "36")
        db.commit()
    published = time.perf_counter() - t0
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_total_relation_size('tier_files'), avg(pg_column_size(records)) FROM tier_files")).one()
    engine.dispose()
    return {"publish_s": published, "tier_files_bytes": int(size[0]), "avg_records_bytes": float(size[1] or 0),
            "records_per_file": sum(len(v) for v in records.values())}


def _count(url: str) -> int:
    from sqlalchemy import text

    engine = _engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM tier_files")).scalar()
    engine.dispose()
    return int(n)


def initial_sync(ports: dict[str, int], teachers: int) -> dict[str, Any]:
    from web.db.base import make_sessionmaker
    from web.tier.national import init_national, subscribe

    prov = _fresh(ports["36"], "bench_province")
    made = _province(prov, teachers)
    nat = _fresh(ports["national"], "bench_national")
    engine = _engine(nat)
    with make_sessionmaker(engine)() as db:
        init_national(db)
        db.commit()
        t0 = time.perf_counter()
        subscribe(db, "36", f"host=127.0.0.1 port={ports['36']} dbname=bench_province user=postgres")
    while _count(nat) < teachers:
        time.sleep(0.2)
    sync = time.perf_counter() - t0
    engine.dispose()
    copy_url = _fresh(ports["national"], "bench_copy")
    t0 = time.perf_counter()
    dump = subprocess.Popen(["pg_dump", "-h", "127.0.0.1", "-p", str(ports["36"]), "-U", "postgres", "--data-only",
                             "-t", "tier_units", "-t", "tier_files", "-t", "tier_movements", "bench_province"],
                            stdout=subprocess.PIPE)
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-p", str(ports["national"]), "-U", "postgres", "-d", "bench_copy",
                    "-v", "ON_ERROR_STOP=1"], stdin=dump.stdout, check=True, stdout=subprocess.DEVNULL)
    dump.wait()
    copy = time.perf_counter() - t0
    assert _count(copy_url) == teachers
    _drop(ports["national"], "bench_copy")
    return {**made, "sync_s": sync, "copy_s": copy, "province_url": prov, "national_url": nat}


def stream(province_url: str, national_url: str, rate: float, seconds: float) -> dict[str, Any]:
    """``rate`` approvals a second, each one transaction; the lag of each until it is readable nationally."""
    from sqlalchemy import text

    from web.db.base import make_sessionmaker
    from web.tier.province import publish_files

    pe, ne = _engine(province_url), _engine(national_url)
    with pe.begin() as conn:  # files to approve: new teachers copied from the first one
        base = conn.execute(text("SELECT max(id) FROM teachers")).scalar()
        n = int(rate * seconds)
        conn.execute(text("""INSERT INTO teachers (id_type, id_number, name, gender, birth_date, unit_id, state, created_at, updated_at)
            SELECT '1', '3601021990' || lpad((:b + g)::text, 8, '0'), '新教师' || g, '2', DATE '1990-01-01', unit_id, 'pending',
                   now(), now()
            FROM generate_series(1, :n) g, (SELECT unit_id FROM teachers ORDER BY id LIMIT 1) u"""), {"n": n, "b": base})
        conn.execute(text("""INSERT INTO records (teacher_id, set_key, position, document, catalogue_version, version, state,
            created_at, updated_at) SELECT t.id, r.set_key, r.position, r.document, 'bench', 1, 'approved', now(), now()
            FROM teachers t, records r WHERE t.id > :b AND r.teacher_id = (SELECT min(id) FROM teachers)"""), {"b": base})
    ids = [base + 1 + i for i in range(n)]
    committed: dict[int, float] = {}
    seen: dict[int, float] = {}
    done = threading.Event()

    def watch() -> None:
        with ne.connect() as conn:
            while not done.is_set() or len(seen) < len(committed):
                rows = conn.execute(text("SELECT teacher_key FROM tier_files WHERE province = '36' AND teacher_key > :b"),
                                    {"b": base}).scalars().all()
                now = time.perf_counter()
                for k in rows:
                    seen.setdefault(k, now)
                conn.rollback()
                time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    Session = make_sessionmaker(pe)
    start = time.perf_counter()
    for i, tid in enumerate(ids):
        wait = start + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        with Session() as db:  # as the file.approved listener does, in the approving transaction
            db.execute(text("UPDATE teachers SET state = 'approved' WHERE id = :t"), {"t": tid})
            publish_files(db, "36", [tid])
            db.commit()
        committed[tid] = time.perf_counter()
    done.set()
    watcher.join(timeout=120)
    lags = sorted(seen[k] - committed[k] for k in committed if k in seen)
    median = lags[len(lags) // 2] if len(lags) % 2 else (lags[len(lags) // 2 - 1] + lags[len(lags) // 2]) / 2
    pe.dispose()
    ne.dispose()
    return {"approvals": n, "arrived": len(lags), "interval_ms": 1000 / rate,
            "median_ms": 1000 * median, "p95_ms": 1000 * lags[int(0.95 * (len(lags) - 1))],
            "max_ms": 1000 * lags[-1]}


FILES_SQL = """
    INSERT INTO {table} (province, teacher_key, id_type, id_number, name, gender, birth_date, unit_code,
                         temp_identifier, approved_at, records, updated_at)
    SELECT lpad((11 + g % 31)::text, 2, '0'), g, '1',
           CASE WHEN g % 1000 = 7 THEN lpad((g - 1)::text, 18, '0') ELSE lpad(g::text, 18, '0') END,
           CASE WHEN g % 2000 = 9 THEN '同名' || (g - 1) WHEN g % 2000 = 8 THEN '同名' || g ELSE '教师' || g END,
           CASE WHEN (CASE WHEN g % 2000 = 9 THEN g - 1 ELSE g END) % 2 = 0 THEN '1' ELSE '2' END,
           DATE '1960-01-01' + CASE WHEN g % 2000 = 9 THEN (g - 1) % 15000 ELSE g % 15000 END,
           'u' || (g % 5000), 'T' || g, now(), '{{}}'::jsonb, now()
    FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"""


def dedup_report(port: int, teachers: int, arrivals: int = 30_000) -> dict[str, Any]:
    """``teachers`` files of 31 provinces, 0.1 % filed twice, 0.05 % namesakes: the queue's ``find``.

    The files are bulk-loaded with the key trigger off and the keys counted once (``rebuild_keys``,
    what the upgrade does for files already there; timed). Then ``arrivals`` more files arrive one
    statement per 1,000 with the trigger on, as replication applies them, beside the same insert
    into a copy of the table without it: the cost of keeping the keys. Then the report."""
    from sqlalchemy import text

    from web.db.base import make_sessionmaker
    from web.tier import dedup

    url = _fresh(port, "bench_dedup")
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_tier_files_id_number; DROP INDEX ix_tier_files_person"))
        conn.execute(text("ALTER TABLE tier_files DISABLE TRIGGER tier_dedup_keys"))
        conn.execute(text(FILES_SQL.format(table="tier_files")), {"a": 1, "b": teachers})
        conn.execute(text("ALTER TABLE tier_files ENABLE ALWAYS TRIGGER tier_dedup_keys"))
        conn.execute(text("CREATE INDEX ix_tier_files_id_number ON tier_files (id_number, id_type) "
                          "INCLUDE (province, teacher_key)"))
        conn.execute(text("CREATE INDEX ix_tier_files_person ON tier_files (name, birth_date, gender) "
                          "INCLUDE (id_number, province, teacher_key)"))
    with make_sessionmaker(engine)() as db:
        t0 = time.perf_counter()
        dedup.rebuild_keys(db)
        db.commit()
        rebuild = time.perf_counter() - t0
    with _engine(url, isolation_level="AUTOCOMMIT").connect() as conn:  # as autovacuum leaves a table at rest
        conn.execute(text("VACUUM ANALYZE tier_files, tier_dedup_ids, tier_dedup_people"))
        conn.execute(text("CREATE TABLE plain_files (LIKE tier_files INCLUDING ALL)"))
    timings = {}
    for table in ("plain_files", "tier_files"):  # the same new files, without and with the key trigger
        t0 = time.perf_counter()
        for a in range(teachers + 1, teachers + arrivals + 1, 1000):
            with engine.begin() as conn:
                conn.execute(text(FILES_SQL.format(table=table)), {"a": a, "b": min(a + 999, teachers + arrivals)})
        timings[table] = time.perf_counter() - t0
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE plain_files"))
    with _engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("VACUUM ANALYZE tier_dedup_ids, tier_dedup_people"))
    with engine.connect() as conn:
        t0 = time.perf_counter()
        distinct = conn.execute(text("SELECT count(*) FROM tier_files")).scalar()
        scan = time.perf_counter() - t0
    with make_sessionmaker(engine)() as db:
        t0 = time.perf_counter()
        found = dedup.find(db)
        db.commit()
        report = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = dedup.find(db)  # the next run: the queue is known, nothing new
        db.commit()
        rerun = time.perf_counter() - t0
        t0 = time.perf_counter()  # after the report: it gets no cache the report warmed
        full = len(_full_groups(db))
        full_s = time.perf_counter() - t0
        db.rollback()
    engine.dispose()
    _drop(port, "bench_dedup")
    return {"files": teachers + arrivals, "distinct_numbers": int(distinct), "scan_s": scan, "report_s": report,
            "groups": found["groups"], "opened": found["opened"], "rerun_s": rerun, "rerun_opened": again["opened"],
            "rebuild_s": rebuild, "arrivals": arrivals, "plain_insert_s": timings["plain_files"],
            "keyed_insert_s": timings["tier_files"], "full_groups": full, "full_s": full_s}


def _full_groups(db: Any) -> set[Any]:
    """The candidate keys found the old way, grouping every file (the baseline, and a check)."""
    from sqlalchemy import text

    from web.tier import dedup

    db.execute(text("SET LOCAL jit = off"))
    db.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    return {("id", *r) for r in db.execute(text(dedup.ID_KEYS))} | {("p", *r) for r in db.execute(text(dedup.PERSON_KEYS))}


def sizes(port: int, teachers: int) -> dict[str, Any]:
    """What ``teachers`` replicated files take on the national server, table by table (with indexes
    and TOAST), and the national statistics built from them (web/tier/natstats.py ``rebuild``)."""
    from sqlalchemy import text

    from engine.catalogue import build_catalogues
    from web.db.base import make_sessionmaker
    from web.settings import Settings
    from web.tier.national import init_national
    from web.tier import natstats as _ns
    rebuild = _ns.rebuild

    records = json.dumps(_sample_records(), ensure_ascii=False, default=str)
    url = _fresh(port, "bench_sizes")
    engine = _engine(url)
    with make_sessionmaker(engine)() as db:
        init_national(db)
        db.commit()
    with engine.begin() as conn:  # a province's tree as replicated: province, 50 schools (the trigger makes units)
        conn.execute(text("INSERT INTO tier_units (province, code, name, level, parent_code, updated_at) "
                          "VALUES ('36', '36', '江西省', 'province', NULL, now())"))
        conn.execute(text("INSERT INTO tier_units (province, code, name, level, parent_code, school_type, urban_rural, "
                          "updated_at) SELECT '36', '36010200' || lpad(g::text, 2, '0'), '学校' || g, 'school', '36', "
                          "(ARRAY['primary','junior','senior','kindergarten'])[1 + g % 4], '1', now() "
                          "FROM generate_series(1, 50) g"))
    t0 = time.perf_counter()
    for a in range(1, teachers + 1, 5000):  # as the subscription applies them: the key trigger on
        with engine.begin() as conn:
            conn.execute(text("""
                INSERT INTO tier_files (province, teacher_key, id_type, id_number, name, gender, birth_date, unit_code,
                                        temp_identifier, approved_at, records, updated_at)
                SELECT '36', g, '1', '3601021980' || lpad(g::text, 8, '0'), '教师' || g,
                       CASE WHEN g % 3 = 0 THEN '1' ELSE '2' END, DATE '1965-01-01' + (g % 12000),
                       '36010200' || lpad((1 + g % 50)::text, 2, '0'), '36L' || lpad(g::text, 10, '0'), now(),
                       CAST(:r AS jsonb), now()
                FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"""), {"a": a, "b": min(a + 4999, teachers), "r": records})
    load = time.perf_counter() - t0
    cat = build_catalogues(Settings().repo_root, [])["national"]
    with make_sessionmaker(engine)() as db:
        t0 = time.perf_counter()
        built = rebuild(db, cat)
        db.commit()
        stats_s = time.perf_counter() - t0
    with _engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
        tables = {t: int(conn.execute(text("SELECT pg_total_relation_size(CAST(:t AS regclass))"), {"t": t}).scalar())
                  for t in ("tier_files", "tier_dedup_ids", "tier_dedup_people", "stat_facts", "stat_unit_counts")}
        heap = int(conn.execute(text("SELECT pg_relation_size('tier_files')")).scalar())
        idx = int(conn.execute(text("SELECT pg_indexes_size('tier_files')")).scalar())
    engine.dispose()
    _drop(port, "bench_sizes")
    return {"teachers": teachers, "load_s": load, "stats_s": stats_s, "counted": built["teachers"], "bytes": tables,
            "files_heap": heap, "files_indexes": idx}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teachers", type=int, default=100_000)
    ap.add_argument("--rate", type=float, default=20.0, help="approvals a second in the stream")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--dedup-teachers", type=int, default=3_000_000)
    ap.add_argument("--size-teachers", type=int, default=100_000, help="files for the sizes part")
    ap.add_argument("--part", choices=("sync", "stream", "dedup", "sizes", "all"), default="all",
                    help="stream alone reuses the databases a sync part left (bench_province, bench_national)")
    args = ap.parse_args()
    ports = clusters.up()
    if args.part == "stream":
        _stream_report(stream(clusters.url(ports["36"], "bench_province"), clusters.url(ports["national"], "bench_national"),
                              args.rate, args.seconds))
        return
    if args.part == "sizes":
        z = sizes(ports["national"], args.size_teachers)
        per = 100_000 / z["teachers"]
        print(f"4. sizes on the national server for {z['teachers']:,} replicated files (one demo teacher's records each)")
        print(f"   arriving in statements of 5,000 (key trigger on): {z['load_s']:.1f} s; national statistics "
              f"(tmis tier stats) over them: {z['stats_s']:.1f} s, {z['counted']:,} counted")
        for t, b in z["bytes"].items():
            print(f"   {t:<18} {b / 2**20:8.1f} MiB   per 100k teachers {b * per / 2**20:8.1f} MiB   "
                  f"at 18 M {b * per * 180 / 2**30:6.1f} GiB")
        print(f"   (tier_files: heap {z['files_heap'] / 2**20:.1f} MiB, indexes {z['files_indexes'] / 2**20:.1f} MiB, "
              f"the rest TOAST)")
        print(f"   (load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        return
    for tier, name in (("national", "bench_national"), ("national", "bench_copy"), ("national", "bench_dedup"),
                       ("36", "bench_province")):  # what a run that died left behind
        _drop(ports[tier], name)
    if args.part in ("sync", "all"):
        s = initial_sync(ports, args.teachers)
        print(f"1. initial sync of {args.teachers:,} approved files ({s['records_per_file']} records each, "
              f"{s['avg_records_bytes'] / 1024:.1f} KiB stored per file, tier_files {s['tier_files_bytes'] / 2**20:.0f} MiB)")
        print(f"   publish (copy into the published tables): {s['publish_s']:.1f} s")
        print(f"   logical replication initial sync:          {s['sync_s']:.1f} s")
        print(f"   pg_dump | psql of the same tables:         {s['copy_s']:.1f} s")
        print(f"   ratio sync / dump+restore:                 {s['sync_s'] / s['copy_s']:.2f}")
        _stream_report(stream(s["province_url"], s["national_url"], args.rate, args.seconds))
        _drop(ports["national"], "bench_national")
        _drop(ports["36"], "bench_province")
    if args.part in ("dedup", "all"):
        d = dedup_report(ports["national"], args.dedup_teachers)
        print(f"3. national duplicate report over {d['files']:,} files of 31 provinces: {d['groups']:,} groups "
              f"({d['opened']:,} opened)")
        print(f"   report (find into the queue): {d['report_s']:.2f} s; again with the queue known: {d['rerun_s']:.2f} s "
              f"({d['rerun_opened']} new)")
        print(f"   baseline, grouping every file (the report before nd01): {d['full_s']:.2f} s for the candidate keys alone "
              f"({d['full_groups']:,} keys); one plain count(*) scan: {d['scan_s']:.2f} s")
        print(f"   keys counted from scratch (rebuild_keys, as the upgrade does): {d['rebuild_s']:.1f} s")
        print(f"   {d['arrivals']:,} files arriving in statements of 1,000: {d['keyed_insert_s']:.2f} s with the key trigger, "
              f"{d['plain_insert_s']:.2f} s without (+{1e6 * (d['keyed_insert_s'] - d['plain_insert_s']) / d['arrivals']:.0f} µs "
              f"a file)")
        print(f"   (load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"   target under 10 s: {'met' if d['report_s'] < 10 else 'NOT met'}")


def _stream_report(st: dict[str, Any]) -> None:
    print(f"2. steady stream: {st['approvals']} approvals at one every {st['interval_ms']:.0f} ms, "
          f"{st['arrived']} arrived nationally")
    print(f"   lag commit -> readable nationally: median {st['median_ms']:.0f} ms, p95 {st['p95_ms']:.0f} ms, "
          f"max {st['max_ms']:.0f} ms (ratio median lag / interval {st['median_ms'] / st['interval_ms']:.2f})")


if __name__ == "__main__":
    main()
