"""Excel import speed and memory against a floor measured in the same run.

    .venv/bin/python benchmarks/import.py                    # 10,000 and 100,000 teachers
    .venv/bin/python benchmarks/import.py --teachers 2000    # a quick run

For each size: builds a workbook (the generated template, 基本信息 plus two repeating sets:
two 学习经历 and one 国内培训 record per teacher), then, each in a fresh child process so peak
memory is its own:
- floor: python-calamine reads the same three sheets and PostgreSQL COPY writes the same rows
  (one row per spreadsheet row, its cells as JSONB);
- import: ``web.excel.service.import_workbook`` into an empty school (all checks, all rules,
  teachers and records written, one transaction).
Prints rows/s, peak RSS and the ratio import/floor. Targets (issue 6): ratio ≤ 2 (aim 1.5),
peak < 500 MB at 100,000 teachers. Needs PostgreSQL: $TMIS_BENCH_DATABASE_URL or the local
server (a scratch database is created and dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURE_REPO = ROOT / "tests" / "excel" / "repo"
DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHOOL = "3601029999"
SHEETS = ("基本信息", "学习经历", "国内培训")


def _catalogue(repo: Path) -> Any:
    from engine.catalogue import build_catalogues

    return build_catalogues(repo, ["36"])["36"]


def build_workbook(repo: Path, n: int, path: Path) -> int:
    """A filled primary-school template with n teachers; returns the number of data rows."""
    from engine import idnumber
    from engine.emit.excel_template import emit_excel_template

    cat = _catalogue(repo)
    rng = random.Random(n)
    people = []
    for i in range(n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
        seq = i % 1000
        region = f"36{(i // 1000) % 100:02d}{(i // 100000) % 100:02d}"
        people.append((f"教师{i:06d}", idnumber.make(region, birth, seq), birth, "男" if seq % 2 else "女"))

    def rows(set_key: str) -> Any:
        for name, idn, birth, gender in people:
            y = birth.year
            if set_key == "basic":
                yield [name, f"T{y}", None, gender, "居民身份证", idn, birth.isoformat(), "汉族",
                       f"{y + 22}-09", f"{y + 25}-09", "是", None, "语文、数学", 4200.5]
            elif set_key == "education":
                yield [name, idn, "普通高中毕业", "南昌一中", f"{y + 15}-09", f"{y + 18}-07"]
                yield [name, idn, "大学本科毕业", "江西师范大学", f"{y + 18}-09", f"{y + 22}-07"]
            elif set_key == "training":
                yield [name, idn, "省级", 2020, "国培计划", 72]

    emit_excel_template(cat, "primary", write_only=True, rows=rows).save(path)
    return n * 4


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(path: str, url: str, out: Any) -> None:
    import python_calamine as pc
    import psycopg

    started = time.perf_counter()
    wb = pc.CalamineWorkbook.from_path(path)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    rows = 0
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS floor_rows (sheet text, row_no int, cells jsonb)")
        with conn.cursor() as cur, cur.copy("COPY floor_rows (sheet, row_no, cells) FROM STDIN") as copy:
            for title in SHEETS:
                it = iter(wb.get_sheet_by_name(title).iter_rows())
                next(it)
                for i, cells in enumerate(it, start=2):
                    copy.write_row((title, i, json.dumps([c if not isinstance(c, (dt.date, dt.datetime)) else c.isoformat()
                                                          for c in cells], ensure_ascii=False)))
                    rows += 1
        conn.execute("DROP TABLE floor_rows")
    out.put({"rows": rows, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()})


def _import(path: str, url: str, repo: str, out: Any) -> None:
    from web.db.base import make_engine, make_sessionmaker
    from web.excel.limits import Limits
    from web.excel.service import import_workbook

    cat = _catalogue(Path(repo))
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    outcome = import_workbook(sessions, cat, Path(path), SCHOOL, limits=Limits(max_rows=1_000_000))
    seconds = time.perf_counter() - started
    r = outcome.result
    out.put({"rows": r.rows, "imported": r.imported, "errors": r.errors, "seconds": seconds, "peak_mb": _peak_mb(),
             "first_errors": [p.message_en for p in r.problems[:3]]})
    engine.dispose()


def _child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    result = q.get()
    p.join()
    return result


def _database(admin_url: str) -> tuple[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from web.db.migrate import upgrade

    name = f"tmis_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def _school(url: str) -> None:
    from sqlalchemy import delete
    from web.db.base import make_engine, make_sessionmaker
    from web.db.models import Record, Teacher, Unit, UnitClosure

    engine = make_engine(url)
    with make_sessionmaker(engine)() as db, db.begin():
        db.execute(delete(Record))
        db.execute(delete(Teacher))
        if db.query(Unit).filter_by(code=SCHOOL).first() is None:
            u = Unit(code=SCHOOL, name="基准学校", level="school", school_type="primary")
            db.add(u)
            db.flush()
            db.add(UnitClosure(ancestor_id=u.id, descendant_id=u.id, depth=0))
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--database-url", default=os.environ.get("TMIS_BENCH_DATABASE_URL", DEFAULT_ADMIN),
                    help="A PostgreSQL server; a scratch database is created on it and dropped.")
    ap.add_argument("--repo", type=Path, default=FIXTURE_REPO,
                    help="Definitions to use (default: the Excel tests' fixture catalogue).")
    args = ap.parse_args()
    url, drop = _database(args.database_url)
    try:
        print(f"{'teachers':>9} {'rows':>8} | {'floor rows/s':>12} {'MB':>6} | {'import rows/s':>13} {'MB':>6} | ratio")
        for n in args.teachers:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"bench_{n}.xlsx"
                t0 = time.perf_counter()
                rows = build_workbook(args.repo, n, path)
                built = time.perf_counter() - t0
                _school(url)
                floor = _child(_floor, str(path), url)
                imp = _child(_import, str(path), url, str(args.repo))
                assert floor["rows"] == rows == imp["rows"], (floor["rows"], rows, imp["rows"])
                if imp["errors"]:
                    print(f"  import found {imp['errors']} errors: {imp['first_errors']}", file=sys.stderr)
                ratio = imp["seconds"] / floor["seconds"]
                print(f"{n:>9} {rows:>8} | {rows / floor['seconds']:>12,.0f} {floor['peak_mb']:>6.0f} | "
                      f"{rows / imp['seconds']:>13,.0f} {imp['peak_mb']:>6.0f} | {ratio:4.2f}x"
                      f"   (workbook {path.stat().st_size / 1e6:.1f} MB built in {built:.0f}s; "
                      f"import {imp['seconds']:.1f}s, floor {floor['seconds']:.1f}s; imported {imp['imported']})")
    finally:
        drop()


if __name__ == "__main__":
    main()
