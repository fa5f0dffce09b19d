"""Excel import speed and memory against a floor measured in the same run.

    .venv/bin/python benchmarks/import.py                    # 10,000 and 100,000 teachers
    .venv/bin/python benchmarks/import.py --teachers 2000    # a quick run
    .venv/bin/python benchmarks/import.py --workbooks /tmp/wb   # keep the built workbooks for the next run
    .venv/bin/python benchmarks/import.py --shared-strings      # also each workbook as Excel saves it
    .venv/bin/python benchmarks/import.py --repeat 5            # five floor/import pairs each (default 3)

For each size: builds a workbook (the generated template, 基本信息 plus two repeating sets:
two 学习经历 and one 国内培训 record per teacher), then, each in a fresh child process so peak
memory is its own:
- floor: python-calamine reads the same three sheets and PostgreSQL COPY writes the same rows
  (one row per spreadsheet row, its cells as JSONB);
- import: ``web.excel.service.import_workbook`` into an empty school (all checks, all rules,
  teachers and records written, one transaction).
With ``--shared-strings``, each workbook is also measured as Excel saves it (its texts in the
shared strings table, as in an upload saved by Excel or WPS; the template writer keeps them in
the cells). Each measurement starts from a checkpointed server (CHECKPOINT, when allowed).
Floor and import are measured in turn ``--repeat`` times (a shared host's speed drifts by a
fifth from minute to minute; two runs moments apart drift together). Prints rows/s (medians),
peak memory (the highest) and the ratio import/floor (the median of the pairs' ratios, each
ratio listed). Targets (issue 6): ratio ≤ 2 (aim 1.5), peak < 500 MB at 100,000 teachers.
Needs PostgreSQL: $TMIS_BENCH_DATABASE_URL or the local server (a scratch database is created
and dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import re
import resource
import _stdlib_first  # noqa: F401,I001  (benchmarks/statistics.py would hide the standard library's)
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._scratch import scratch_database  # noqa: E402

DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHOOL = "3601029999"
SHEETS = ("基本信息", "学习经历", "国内培训")

from engine.catalogue import repo_root  # noqa: E402


def _catalogue(repo: Path) -> Any:
    from engine.catalogue import build_catalogues

    return build_catalogues(repo, ["36"])["36"]


def _people(n: int) -> list[tuple[str, str, dt.date, str]]:
    from engine import idnumber

    rng = random.Random(n)
    out = []
    for i in range(n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
        seq = i % 1000
        region = f"36{(i // 1000) % 100:02d}{(i // 100000) % 100:02d}"
        out.append((f"教师{i:06d}", idnumber.make(region, birth, seq), birth, "男" if seq % 2 else "女"))
    return out


def _values(name: str, idn: str, birth: dt.date, gender: str) -> dict[str, list[dict[str, Any]]]:
    """One teacher's cells by field key: a complete, valid 基本信息 row (as a school fills the real
    national template), two 学习经历 rows and one 国内培训 row."""
    y = birth.year
    basic = {"name": name, "gender": gender, "staff_number": f"T{y}", "nationality": "中国",
             "id_type": "居民身份证", "id_number": idn, "birth_date": birth.isoformat(), "native_place": "江西南昌",
             "birth_place": "南昌市", "ethnic_group": "汉族", "political_status": "中国共产党党员",
             "marital_status": "已婚", "health_status": "健康或良好", "work_start_month": f"{y + 22}-09",
             "entry_month": f"{y + 25}-09", "staff_source": "应届毕业生", "staff_category": "专任教师",
             "on_establishment": "是", "contract": "聘用合同", "normal_major": "是", "special_ed_trained": "否",
             "special_ed_certificate": "否", "it_ability": "熟练", "free_normal_student": "否",
             "grassroots_service": "否", "special_grade_teacher": "否", "backbone_teacher": "否",
             "psych_teacher": "否", "person_status": "在本单位任职"}
    common = {"@name": name, "@id_number": idn, "edu_country": "中国", "normal_major": "是", "study_mode": "全脱产(离岗)"}
    education = [
        {**common, "edu_level": "普通高中毕业", "institution": "南昌一中", "major": "无", "enrolment_month": f"{y + 15}-09",
         "graduation_month": f"{y + 18}-07", "degree_level": "无"},
        {**common, "edu_level": "大学本科毕业", "institution": "江西师范大学", "major": "汉语言文学",
         "enrolment_month": f"{y + 18}-09", "graduation_month": f"{y + 22}-07", "degree_level": "学士",
         "degree": "文学学士学位", "degree_country": "中国", "degree_institution": "江西师范大学",
         "degree_month": f"{y + 22}-07"}]
    training = [{"@name": name, "@id_number": idn, "training_year": 2020, "training_category": "省级培训",
                 "project_name": "国培计划", "institution_name": "江西师范大学", "training_mode": "脱产培训",
                 "hours": 72}]
    return {"basic": [basic], "education": education, "training": training}


def build_workbook(repo: Path, n: int, path: Path) -> int:
    """A filled primary-school template of the real catalogue with n teachers; returns the number
    of data rows."""
    from engine.emit.excel_template import emit_excel_template, sheet_columns

    cat = _catalogue(repo)
    family = cat.family_of("primary")
    people = _people(n)
    count = 0

    def rows(set_key: str) -> Any:
        nonlocal count
        if set_key not in ("basic", "education", "training"):
            return
        keys = [k for k, _ in sheet_columns(cat.view(set_key, family))]
        for person in people:
            for cells in _values(*person)[set_key]:
                assert set(cells) <= set(keys), set(cells) - set(keys)
                count += 1
                yield [cells.get(k) for k in keys]

    emit_excel_template(cat, "primary", write_only=True, rows=rows).save(path)
    return count


_INLINE = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is><t([^>]*)>(.*?)</t></is></c>', re.S)


def as_excel_saves(src: Path, dst: Path) -> None:
    """The workbook as Excel would save it: every text in the shared strings table, the cells
    pointing at it (the template writer keeps texts in the cells). An upload saved by Excel or
    WPS looks like this."""
    strings: dict[str, int] = {}
    cells = 0

    def shared(m: re.Match[str]) -> str:
        nonlocal cells
        cells += 1
        index = strings.setdefault(f"<t{m.group(3)}>{m.group(4)}</t>", len(strings))  # xml:space kept
        return f'<c {m.group(1)}t="s"{m.group(2)}><v>{index}</v></c>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE.sub(shared, data.decode()).encode()
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"'
                                    b' Id="rIdShared" /></Relationships>')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
            zout.writestr(info.filename, data)
        table = "".join(f"<si>{text}</si>" for text in strings)
        zout.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                      f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{cells}" '
                      f'uniqueCount="{len(strings)}">{table}</sst>')


def _count_rows(path: Path) -> int:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    return sum(wb.get_sheet_by_name(title).height - 1 for title in SHEETS)


def _peak_mb() -> float:
    """This process's peak resident memory. On Linux VmHWM: ru_maxrss survives exec, so a child
    would report the parent's peak if that was higher (after building a workbook, say)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
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


def _import(path: str, url: str, repo: str, profile: str | None, out: Any) -> None:
    from web.db.base import make_engine, make_sessionmaker
    from web.excel.limits import Limits
    from web.excel.service import import_workbook

    cat = _catalogue(Path(repo))
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    outcome = import_workbook(sessions, cat, Path(path), SCHOOL, limits=Limits(max_rows=1_000_000))
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
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



def _checkpoint(url: str) -> None:
    """Start each measurement from a checkpointed server: a checkpoint that PostgreSQL starts by
    itself (every max_wal_size of WAL) would otherwise fall into one run or the other and make
    the written pages cost twice. Needs the right to CHECKPOINT (superuser or pg_checkpoint)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("CHECKPOINT"))
    except DBAPIError as exc:  # not allowed: measure anyway
        print(f"  (no CHECKPOINT before the run: {str(exc.orig).strip()[:80]})", file=sys.stderr)
    finally:
        engine.dispose()


def _school(url: str) -> None:
    """An empty school in a database as a first import finds it. TRUNCATE, not DELETE: the
    previous run's 500,000 deleted rows would stay in the tables and indexes as dead tuples
    until autovacuum came by, so each run would write into tables bloated by the one before
    (and autovacuum would share the CPU with whichever run it fell into). The floor writes to
    a table of its own, created for the run."""
    from sqlalchemy import text
    from web.db.base import make_engine, make_sessionmaker
    from web.db.models import Unit, UnitClosure

    engine = make_engine(url)
    with make_sessionmaker(engine)() as db, db.begin():
        db.execute(text("TRUNCATE records, teachers CASCADE"))
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
    ap.add_argument("--repo", type=Path, default=repo_root(),
                    help="Definitions to use (default: this repository: the real national catalogue, province 36).")
    ap.add_argument("--profile", type=Path, help="Also write a cProfile of the import to this file.")
    ap.add_argument("--shared-strings", action="store_true",
                    help="Also measure each workbook as Excel saves it (texts in the shared strings table).")
    ap.add_argument("--repeat", type=int, default=3,
                    help="Measure floor and import this many times in turn and print the median (default 3; "
                         "peak memory: the highest).")
    ap.add_argument("--workbooks", type=Path,
                    help="Keep the built workbooks in this folder and reuse them in later runs "
                         "(building 100,000 teachers takes over a minute).")
    args = ap.parse_args()
    url, drop = scratch_database(args.database_url)
    try:
        print(f"{'teachers':>9} {'rows':>8} | {'floor rows/s':>12} {'MB':>6} | {'import rows/s':>13} {'MB':>6} | ratio")
        for n in args.teachers:
            with tempfile.TemporaryDirectory() as tmp:
                folder = args.workbooks or Path(tmp)
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"bench_{n}_{_catalogue(args.repo).version[:12]}.xlsx"
                t0 = time.perf_counter()
                rows = _count_rows(path) if path.exists() else build_workbook(args.repo, n, path)
                built = time.perf_counter() - t0
                variants = [("", path)]
                if args.shared_strings:
                    shared = path.with_name(path.stem + "_shared.xlsx")
                    if not shared.exists():
                        as_excel_saves(path, shared)
                    variants.append((" (shared strings)", shared))
                for label, workbook in variants:
                    _measure(url, workbook, n, rows, built, label, args)
    finally:
        drop()


def _measure(url: str, path: Path, n: int, rows: int, built: float, label: str, args: argparse.Namespace) -> None:
    """One line: the floor and the import of one workbook, each from an empty school, ``--repeat``
    times in turn (floor, import, floor, import, ...): the ratio printed is the median of the
    pairs' ratios, each pair measured moments apart, so a slow spell of the host weighs on both."""
    floors: list[dict[str, Any]] = []
    imports: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        _school(url)
        _checkpoint(url)
        floors.append(_child(_floor, str(path), url))
        _checkpoint(url)
        imports.append(_child(_import, str(path), url, str(args.repo),
                              str(args.profile) if args.profile else None))
        assert floors[-1]["rows"] == rows == imports[-1]["rows"], (floors[-1]["rows"], rows, imports[-1]["rows"])
        if imports[-1]["errors"]:
            print(f"  import found {imports[-1]['errors']} errors: {imports[-1]['first_errors']}", file=sys.stderr)
    ratios = sorted(i["seconds"] / f["seconds"] for f, i in zip(floors, imports))
    floor_s = statistics.median(f["seconds"] for f in floors)
    import_s = statistics.median(i["seconds"] for i in imports)
    spread = f" (runs {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""
    print(f"{n:>9} {rows:>8} | {rows / floor_s:>12,.0f} {max(f['peak_mb'] for f in floors):>6.0f} | "
          f"{rows / import_s:>13,.0f} {max(i['peak_mb'] for i in imports):>6.0f} | "
          f"{statistics.median(ratios):4.2f}x{spread}"
          f"   (workbook{label} {path.stat().st_size / 1e6:.1f} MB built in {built:.0f}s; "
          f"import {import_s:.1f}s, floor {floor_s:.1f}s; imported {imports[-1]['imported']})")


if __name__ == "__main__":
    main()
