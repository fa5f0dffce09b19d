"""Scope filter at province scale, on PostgreSQL.

Builds (or reuses) a database with 20,000 units (1 province, 11 cities, 110 counties, 19,878
schools) and 1,500,000 teachers, bulk-loaded with COPY (indexes built after the load), then times:

- the first page (50 rows, with the total) of a county's teachers, as a county information
  manager sees it (through web.scope and the real listing service), beside the same page query
  without the scope filter;
- the count of a province's teachers as a province user sees it, beside ``count(*)`` without it.

    .venv/bin/python benchmarks/scope.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                         [--db tmis_bench_scope] [--rebuild] [--runs 30]

The database ``--db`` is created on the server of ``--url`` and kept for later runs (``--rebuild``
makes it again). Targets (issue 3): county page ≤ 50 ms, province count ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import io
import random
import _stdlib_first  # noqa: F401,I001  (benchmarks/statistics.py would hide the standard library's)
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine import idnumber  # noqa: E402
from web.db.migrate import upgrade  # noqa: E402

N_CITIES, COUNTIES_PER_CITY, N_UNITS, N_TEACHERS = 11, 10, 20_000, 1_500_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉"
TEACHER_INDEXES = [  # dropped for the load, rebuilt after (same names as the migration)
    ("uq_teachers_identity", "ALTER TABLE teachers ADD CONSTRAINT uq_teachers_identity UNIQUE (id_type, id_number)"),
    ("uq_teachers_teacher_number", "ALTER TABLE teachers ADD CONSTRAINT uq_teachers_teacher_number UNIQUE (teacher_number)"),
    ("ix_teachers_unit_name", "CREATE INDEX ix_teachers_unit_name ON teachers (unit_id, name, id)"),
    ("ix_teachers_state", "CREATE INDEX ix_teachers_state ON teachers (unit_id, state)"),
    # a row-by-row foreign key check makes COPY 5x slower; one validating pass afterwards is fast
    ("fk_teachers_unit_id_units", "ALTER TABLE teachers ADD CONSTRAINT fk_teachers_unit_id_units"
                                  " FOREIGN KEY (unit_id) REFERENCES units (id)"),
]


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_database(url: str, name: str, rebuild: bool) -> tuple[str, bool]:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("select 1 from pg_database where datname = :n"), {"n": name})
        if exists and rebuild:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    return target, not exists


def build(url: str) -> None:
    upgrade(url)
    engine = create_engine(url)
    rng = random.Random(2260)
    t0 = time.perf_counter()
    units: list[tuple[int, str, str, str, str | None, int | None]] = []  # id, code, name, level, type, parent
    units.append((1, "36", "江西省", "province", None, None))
    counties: list[tuple[int, str]] = []
    uid = 1
    for c in range(1, N_CITIES + 1):
        uid += 1
        city_id, city_code = uid, f"36{c:02d}"
        units.append((city_id, city_code, f"城市{c}", "city", None, 1))
        for k in range(1, COUNTIES_PER_CITY + 1):
            uid += 1
            code = f"{city_code}{k:02d}"
            units.append((uid, code, f"区县{c}-{k}", "county", None, city_id))
            counties.append((uid, code))
    n_schools = N_UNITS - len(units)
    types = ["primary", "junior", "kindergarten", "senior", "nine_year", "vocational", "special"]
    schools: list[tuple[int, str]] = []
    for s in range(n_schools):
        county_id, county_code = counties[s % len(counties)]
        uid += 1
        code = f"{county_code}{s // len(counties) + 1:04d}"
        units.append((uid, code, f"学校{code}", "school", rng.choice(types), county_id))
        schools.append((uid, county_code))
    parents = {u[0]: u[5] for u in units}
    now = "2024-01-01 00:00:00+00"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy("COPY units (id, code, name, level, school_type, urban_rural, parent_id, teacher_login_enabled,"
                      " created_at, updated_at) FROM STDIN") as cp:
            for u in units:
                cp.write_row((u[0], u[1], u[2], u[3], u[4], None, u[5], True, now, now))
        with cur.copy("COPY unit_closure (ancestor_id, descendant_id, depth) FROM STDIN") as cp:
            for u in units:
                node, depth = u[0], 0
                while node is not None:
                    cp.write_row((node, u[0], depth))
                    node, depth = parents[node], depth + 1
        cur.execute("SELECT setval('units_id_seq', (SELECT max(id) FROM units))")
        log(f"units: {len(units)} (+closure) in {time.perf_counter() - t0:.1f}s")

        t1 = time.perf_counter()
        for name, _ in TEACHER_INDEXES:
            if name.startswith(("uq_", "fk_")):
                cur.execute(f"ALTER TABLE teachers DROP CONSTRAINT IF EXISTS {name}")
            else:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
        raw.commit()
        base = date(1965, 1, 1)
        with cur.copy("COPY teachers (id, id_type, id_number, name, gender, birth_date, unit_id, state,"
                      " created_at, updated_at) FROM STDIN") as cp:
            buf = io.StringIO()
            for i in range(1, N_TEACHERS + 1):
                school_id, county_code = schools[i % len(schools)]
                birth = base + timedelta(days=(i * 7919) % 12775)
                seq = i % 1000
                # unique by construction: 6-digit region varies with i // 1000 within the county range
                region = f"{county_code[:4]}{(i // 1000) % 100:02d}"
                first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
                idn = first17 + idnumber.check_digit(first17)
                name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 131) % len(GIVEN)]
                buf.write(f"{i}\t1\t{idn}\t{name}\t{1 + seq % 2}\t{birth:%Y-%m-%d}\t{school_id}\tunsubmitted\t{now}\t{now}\n")
                if i % 100_000 == 0:
                    cp.write(buf.getvalue())
                    buf = io.StringIO()
                    log(f"  teachers {i:,}")
            cp.write(buf.getvalue())
        raw.commit()
        log(f"teachers copied in {time.perf_counter() - t1:.1f}s")
        t2 = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '256MB'")
        for _, ddl in TEACHER_INDEXES:
            cur.execute(ddl)
        cur.execute("SELECT setval('teachers_id_seq', (SELECT max(id) FROM teachers))")
        raw.commit()
        log(f"indexes in {time.perf_counter() - t2:.1f}s")
        raw.driver_connection.autocommit = True
        cur = raw.driver_connection.cursor()
        cur.execute("VACUUM ANALYZE units")
        cur.execute("VACUUM ANALYZE unit_closure")
        cur.execute("VACUUM ANALYZE teachers")
    finally:
        raw.close()
    engine.dispose()
    log(f"built in {time.perf_counter() - t0:.1f}s")


def timeit(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def measure(url: str, runs: int) -> None:
    from web.principal import Principal
    from web.roles import load_roles
    from web import scope
    from web.db.base import make_engine, make_sessionmaker
    from web.db.models import Teacher, Unit
    from web.services import teachers as teacher_service

    engine = make_engine(url)
    Session = make_sessionmaker(engine)
    roles = load_roles(Path(__file__).resolve().parent.parent)
    with Session() as db:
        county = db.scalar(select(Unit).where(Unit.code == "360101"))
        province = db.scalar(select(Unit).where(Unit.code == "36"))
        total_teachers = db.scalar(select(func.count()).select_from(Teacher))
        county_count = db.scalar(select(func.count()).select_from(Teacher).where(
            Teacher.unit_id.in_(scope.subtree([county.id]))))
    log(f"\n{total_teachers:,} teachers; county 360101 has {county_count:,}; runs={runs}\n")

    def principal(unit: Unit, role: str) -> Principal:
        return Principal(account_id=0, username="bench", real_name="bench", kind="staff", unit_id=unit.id,
                         teacher_id=None, grants=((unit.id, role),), roles=roles)

    county_mgr = principal(county, "info_manager")
    province_viewer = principal(province, "info_viewer")
    cols = (Teacher.id, Teacher.name, Teacher.gender, Teacher.id_number, Teacher.state, Teacher.unit_id)

    def page(where) -> None:
        with Session() as db:
            stmt = select(*cols)
            if where is not None:
                stmt = stmt.where(where)
            db.scalar(select(func.count()).select_from(stmt.subquery()))
            db.execute(stmt.order_by(Teacher.unit_id, Teacher.name, Teacher.id).limit(50)).all()

    def count(where) -> None:
        with Session() as db:
            stmt = select(func.count()).select_from(Teacher)
            if where is not None:
                stmt = stmt.where(where)
            db.scalar(stmt)

    def scoped_count(p: Principal) -> None:
        with Session() as db:
            scope.count_teachers(db, p)

    def service_page() -> None:
        with Session() as db:
            teacher_service.listing(db, county_mgr, limit=50)
            db.rollback()  # leave no audit entries behind

    rows = [
        ("county page (50 + total), scoped SQL", lambda: page(scope.teacher_filter(county_mgr))),
        ("county page (50 + total), listing service", service_page),
        ("same page query, no scope filter", lambda: page(None)),
        ("province count, scoped (scope.count_teachers)", lambda: scoped_count(province_viewer)),
        ("province count, scoped plain IN filter", lambda: count(scope.teacher_filter(province_viewer))),
        ("province count, no scope filter", lambda: count(None)),
    ]
    log(f"{'query':45} {'p50 ms':>9} {'p95 ms':>9}")
    for label, fn in rows:
        p50, p95 = timeit(fn, runs)
        log(f"{label:45} {p50:9.1f} {p95:9.1f}")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--db", default="tmis_bench_scope")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    url, fresh = ensure_database(args.url, args.db, args.rebuild)
    if fresh:
        build(url)
    measure(url, args.runs)


if __name__ == "__main__":
    main()
