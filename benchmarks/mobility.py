"""Mobility against baselines measured in the same run.

    .venv/bin/python benchmarks/mobility.py                     # both parts
    .venv/bin/python benchmarks/mobility.py --part transfer     # only the transfer completion
    .venv/bin/python benchmarks/mobility.py --teachers 2000     # a quick status import

1. Completing a transfer moves ownership, never the file: each transfer runs through the real
   transfer API's service (started by the receiving school, approved along 江西's chain); the time
   of the last approval (the completing transition) for a teacher with 300 records is compared
   with one with 3 records, both measured in this run, in turn, ``--repeat`` times each
   (median). Target (issue 15): ratio ≤ 2.
2. A status-change import (modules/status_change/batch.py: the template filled with 退休 for
   ``--teachers`` teachers of one county, every row checked, applied in one transaction) beside
   the Excel import floor of benchmarks/import.py: python-calamine reads the same sheet and
   PostgreSQL COPY writes its rows. ``--imports`` pairs (floor, import) in turn; the median ratio.

Needs PostgreSQL: $TMIS_BENCH_DATABASE_URL or the local server (a scratch database is created and
dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import _stdlib_first  # noqa: F401,I001  (benchmarks/statistics.py would hide the standard library's)
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._scratch import scratch_database  # noqa: E402

DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TREE = [("36", "江西省", "province", None, None), ("3601", "南昌市", "city", "36", None),
        ("3602", "景德镇市", "city", "36", None), ("360102", "东湖区", "county", "3601", None),
        ("360202", "昌江区", "county", "3602", None),
        ("3601020001", "东湖区第一小学", "school", "360102", "primary"),
        ("3602020001", "昌江区第一小学", "school", "360202", "primary")]


def _catalogue() -> Any:
    from engine.catalogue import build_catalogues, repo_root

    return build_catalogues(repo_root(), ["36"])["36"]



def _tree(db: Any) -> dict[str, int]:
    from web.services import units as unit_service

    ids = {}
    for code, name, level, parent, st in TREE:
        unit = unit_service.create_unit_raw(db, code=code, name=name, level=level,
                                            parent=unit_service.by_code(db, parent) if parent else None, school_type=st)
        ids[code] = unit.id
    db.commit()
    return ids


def _people(n: int, seed: int, city: str = "3601") -> list[tuple[str, str, dt.date, str]]:
    """``n`` people with ID numbers of ``city``'s regions (each run of the import its own city, so
    two sets never share a number)."""
    import random

    from engine import idnumber

    rng = random.Random(seed)
    out = []
    for i in range(n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 35))
        region = f"{city}{(seed + i // 1000) % 100:02d}"
        out.append((f"教师{seed}{i:06d}", idnumber.make(region, birth, i % 1000), birth, str(1 + i % 2)))
    return out


def _teachers(db: Any, cat: Any, unit_id: int, people: list[tuple[str, str, dt.date, str]], *,
              extra_records: int = 0, numbered: int = 0) -> list[int]:
    """Teachers written straight into the tables (set-up, not measured): 基本信息, one open
    工作经历 record, and ``extra_records`` 国内培训 records each; numbered as if approved from
    sequence ``numbered`` on (0: no numbers)."""
    from sqlalchemy import insert, select

    from web.db.models import Record, Teacher, Unit

    unit = db.get(Unit, unit_id)
    prefix = unit.code[:6] + unit.code[6:].zfill(8)
    rows = [{"id_type": "1", "id_number": idn, "name": name, "gender": g, "birth_date": b, "unit_id": unit_id,
             "state": "approved", "teacher_number": f"{prefix}{numbered + i:04d}" if numbered else None}
            for i, (name, idn, b, g) in enumerate(people)]
    ids = list(db.scalars(insert(Teacher).returning(Teacher.id, sort_by_parameter_order=True), rows))
    records = []
    for tid, (name, idn, b, g) in zip(ids, people):
        records.append({"teacher_id": tid, "set_key": "basic", "position": 0, "catalogue_version": cat.version,
                        "state": "approved", "version": 1,
                        "document": {"name": name, "gender": g, "birth_date": b.isoformat(), "id_type": "1",
                                     "id_number": idn, "person_status": "100", "entry_month": "2010-09"}})
        records.append({"teacher_id": tid, "set_key": "work", "position": 0, "catalogue_version": cat.version,
                        "state": "approved", "version": 1,
                        "document": {"unit_name": "东湖区第一小学", "start_month": "2010-09", "unit_nature": "23",
                                     "position": "教师"}})
        for k in range(extra_records):
            records.append({"teacher_id": tid, "set_key": "training", "position": k, "catalogue_version": cat.version,
                            "state": "approved", "version": 1,
                            "document": {"training_year": 2000 + k % 24, "project_name": f"培训项目{k}",
                                         "institution_name": "江西师范大学", "hours": 24}})
    for i in range(0, len(records), 5000):
        db.execute(insert(Record), records[i:i + 5000])
    db.commit()
    assert len(ids) == len(db.scalars(select(Teacher.id).where(Teacher.id.in_(ids))).all())
    return ids


# ------------------------------------------------------------------ 1. transfer completion

def _principals(db: Any, units: dict[str, int]) -> dict[str, Any]:
    """An account per acting unit of the transfer chain (信息管理员 at the receiving school,
    信息审核员 elsewhere), as Principals of the real services."""
    from engine.catalogue import repo_root
    from web.db.models import Account, Grant
    from web.principal import Principal
    from web.roles import load_roles

    roles = load_roles(repo_root(), "36")
    out = {}
    for code in units:
        role = "info_manager" if code == "3602020001" else "info_reviewer"
        acc = Account(username=f"{role}@{code}", real_name=role, unit_id=units[code], kind="staff", password_hash="x",
                      must_change_password=False, failed_attempts=0, enabled=True)
        db.add(acc)
        db.flush()
        db.add(Grant(account_id=acc.id, unit_id=units[code], role_key=role))
        out[code] = Principal(account_id=acc.id, username=acc.username, real_name=role, kind="staff",
                              unit_id=units[code], teacher_id=None, grants=((units[code], role),), roles=roles)
    db.commit()
    return out


def bench_transfer(url: str, repeat: int, sizes: tuple[int, int]) -> None:
    """Each transfer runs through the real case service (modules/transfer, web/cases): started by
    the receiving school, approved along 江西's chain (receiving county, city, province, sending
    school, sending county); the time measured is the last approval, the transition that
    completes the transfer (case state, log, audit and web.people.moves.transfer in one
    transaction)."""
    from sqlalchemy import func, select

    from modules.transfer import service as transfer
    from web.cases import service as cases
    from web.db.base import make_engine, make_sessionmaker
    from web.db.models import Record, Teacher

    cat = _catalogue()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        units = _tree(db)
        who = _principals(db, units)
        # the target school already numbers many teachers: the next free number is looked up
        _teachers(db, cat, units["3602020001"], _people(2000, 7), numbered=1)
        groups = {n: _teachers(db, cat, units["3601020001"], _people(repeat, 100 + n), extra_records=n - 2,
                               numbered=1 + k * repeat) for k, n in enumerate(sizes)}
        counts = {n: db.scalar(select(func.count()).select_from(Record).where(Record.teacher_id == groups[n][0]))
                  for n in sizes}
    times: dict[int, list[float]] = {n: [] for n in sizes}
    chains: dict[int, list[float]] = {n: [] for n in sizes}
    for i in range(repeat):
        for n in sizes:  # in turn: a slow spell of the host weighs on both
            began = time.perf_counter()
            with sessions() as db:
                t = db.get(Teacher, groups[n][i])
                case = transfer.start(db, cat, who["3602020001"], t.id_number, t.name, "3602020001", province="36")
                db.commit()
                steps = [s["unit_code"] for s in case.steps]
                cid = case.id
            for code in steps[:-1]:
                with sessions() as db:
                    cases.act(db, cat, who[code], cid, "approve", province="36")
                    db.commit()
            with sessions() as db:
                started = time.perf_counter()
                done = cases.act(db, cat, who[steps[-1]], cid, "approve", province="36")
                db.commit()
                times[n].append(time.perf_counter() - started)
                assert done.state == "completed"
            chains[n].append(time.perf_counter() - began)
    engine.dispose()
    small, large = sizes
    ms = {n: statistics.median(t) * 1000 for n, t in times.items()}
    print(f"transfer completion through the case service (last approval; median of {repeat}):")
    for n in sizes:
        print(f"  {counts[n]:>4} records: {ms[n]:7.1f} ms   (runs {', '.join(f'{t * 1000:.0f}' for t in times[n])}); "
              f"whole chain, start + {len(steps)} approvals: {statistics.median(chains[n]) * 1000:.0f} ms")
    ratio = ms[large] / ms[small]
    print(f"  ratio {counts[large]} / {counts[small]} records: {ratio:.2f}x   (target ≤ 2: nothing is copied)")


# ------------------------------------------------------------------ 2. status-change import

def _status_workbook(cat: Any, people: list[tuple[str, str, dt.date, str]], path: Path) -> None:
    import openpyxl

    from modules.status_change import batch

    path.write_bytes(batch.template_bytes(cat))
    wb = openpyxl.load_workbook(path)
    ws = wb[batch.SHEET]
    today = dt.date.today().isoformat()
    for name, idn, _b, _g in people:
        ws.append([idn, name, "退休", None, today, "到龄退休"])
    wb.save(path)


def _floor(path: Path, url: str) -> float:
    import psycopg
    import python_calamine as pc

    from modules.status_change import batch

    started = time.perf_counter()
    wb = pc.CalamineWorkbook.from_path(str(path))
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS floor_rows (sheet text, row_no int, cells jsonb)")
        with conn.cursor() as cur, cur.copy("COPY floor_rows (sheet, row_no, cells) FROM STDIN") as copy:
            it = iter(wb.get_sheet_by_name(batch.SHEET).iter_rows())
            next(it)
            for i, cells in enumerate(it, start=2):
                copy.write_row((batch.SHEET, i, json.dumps([c if not isinstance(c, (dt.date, dt.datetime))
                                                            else c.isoformat() for c in cells], ensure_ascii=False)))
        conn.execute("DROP TABLE floor_rows")
    return time.perf_counter() - started


def bench_status_import(url: str, n: int, repeat: int) -> None:
    """``repeat`` pairs in turn (floor, import, floor, import, ...), each import retiring ``n``
    teachers of its own (a teacher retires once): the ratio printed is the median of the pairs'
    ratios, as benchmarks/import.py does. The import's time is split into reading + checking
    every row (with the row locks) and applying them (the one transaction)."""
    from sqlalchemy import select

    from modules.status_change import batch
    from web.context import AppContext
    from web.db.models import Account, Grant, Unit
    from web.excel.limits import Limits
    from web.services.auth import principal_of
    from web.settings import Settings

    from web import modules

    cat = _catalogue()
    ctx = AppContext.build(Settings.from_env(database_url=url))
    modules.current()  # the module registry (event listeners), built at start as create_app does: not measured
    sessions = ctx.sessions
    with sessions() as db:
        units = {u.code: u.id for u in db.scalars(select(Unit))} or _tree(db)
        account = Account(username="bench-county", real_name="基准", unit_id=units["360102"], kind="staff",
                          password_hash="x", must_change_password=False, failed_attempts=0, enabled=True)
        db.add(account)
        db.flush()
        db.add(Grant(account_id=account.id, unit_id=units["360102"], role_key="info_manager"))
        db.commit()
        principal = principal_of(db.get(Account, account.id), ctx)
    floors: list[float] = []
    imports: list[float] = []
    applies: list[float] = []
    for k in range(repeat):
        people = _people(n, 900, city=f"36{2 + k:02d}")  # 3602…, 3603…: never the transfer part's 3601…
        with sessions() as db:
            _teachers(db, cat, units["3601020001"], people)  # set-up, not measured
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "退休.xlsx"
            _status_workbook(cat, people, path)
            floors.append(_floor(path, url))
            direct = batch.direct(cat, principal)

            def timed(db: Any, good: Any, known: Any) -> Any:
                began = time.perf_counter()
                try:
                    return direct(db, good, known)
                finally:
                    applies.append(time.perf_counter() - began)

            started = time.perf_counter()
            out = batch.import_sheet(sessions, cat, principal, path, limits=Limits(max_rows=1_000_000), apply=timed)
            imports.append(time.perf_counter() - started)
        assert out.applied == n, [p.message_en for p in out.problems[:3]]
    ctx.engine.dispose()
    ratios = sorted(i / f for f, i in zip(floors, imports))
    floor, seconds, apply = (statistics.median(x) for x in (floors, imports, applies))
    print(f"status-change import of {n:,} teachers (退休), median of {repeat} floor/import pairs in turn:")
    print(f"  floor (calamine + COPY):  {floor:6.2f} s  {n / floor:9,.0f} rows/s   "
          f"(runs {', '.join(f'{f:.2f}' for f in floors)})")
    print(f"  import (check + apply):   {seconds:6.2f} s  {n / seconds:9,.0f} rows/s   "
          f"(runs {', '.join(f'{s:.2f}' for s in imports)})")
    print(f"    of which read + check every row: {seconds - apply:6.2f} s, apply in one transaction: {apply:6.2f} s")
    print(f"  ratio import / floor: {statistics.median(ratios):.1f}x   (pairs {', '.join(f'{r:.1f}' for r in ratios)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["transfer", "status", "all"], default="all")
    ap.add_argument("--teachers", type=int, default=10_000, help="teachers in the status-change import")
    ap.add_argument("--repeat", type=int, default=7, help="transfers measured per size")
    ap.add_argument("--imports", type=int, default=3, help="floor/import pairs of the status-change import")
    ap.add_argument("--database-url", default=os.environ.get("TMIS_BENCH_DATABASE_URL", DEFAULT_ADMIN))
    args = ap.parse_args()
    url, drop = scratch_database(args.database_url)
    try:
        if args.part in ("transfer", "all"):
            bench_transfer(url, args.repeat, (3, 300))
        if args.part in ("status", "all"):
            bench_status_import(url, args.teachers, args.imports)
    finally:
        drop()


if __name__ == "__main__":
    main()
