"""``tmis impact`` speed against a plain scan of the same records, measured in the same run.

    .venv/bin/python benchmarks/impact.py                       # 20,000 teachers
    .venv/bin/python benchmarks/impact.py --teachers 200000     # scale by argument
    .venv/bin/python benchmarks/impact.py --repeat 3

A scratch PostgreSQL database gets the demo province (a few teachers, for real documents), then
``--teachers`` more teachers of one school, each with a 基本信息 record cloned from a demo record
(names vary). The change assessed is one new province rule on 基本信息 (``length(record.name) <= 2``).
The rule is tests/web/data/impact_rule.yaml, the file the impact tests use.
Measured in turn, ``--repeat`` times (medians):
- floor: a plain scan of the set's records — whole documents, in file order, through the same
  server-side cursor, read to the end with no validation (``web.services.impact._rows``);
- impact: ``web.services.impact.impact``, the report itself: only the changed rule is evaluated, and
  since it reads nothing but ``record.name`` only that field is fetched, in no particular order.
Prints records/s, the ratio impact/floor and, for both, the time 1.5 million teachers take: measured
when ``--teachers 1500000``, else extrapolated at the measured rate (issue 18 asks for a single-rule
change reported within 60 s at 1.5 million). The database holds 基本信息 records only (and the demo's
few teachers' files). Needs PostgreSQL: $TMIS_BENCH_DATABASE_URL or the local server (the scratch
database is dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import shutil
import _stdlib_first  # noqa: F401,I001  (benchmarks/statistics.py would hide the standard library's)
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._scratch import scratch_database  # noqa: E402

from sqlalchemy import create_engine, select, text  # noqa: E402

DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RULE = (ROOT / "tests" / "web" / "data" / "impact_rule.yaml").read_text(encoding="utf-8")  # shared with the tests
NAMES = ["张伟", "王芳", "李小明", "欧阳建国", "刘洋", "陈静怡"]



def _fill(url: str, teachers: int) -> None:
    from web.db.migrate import upgrade
    from web.demo import build_demo
    from web.settings import Settings

    upgrade(url)
    build_demo(Settings.from_env(database_url=url), password="Bench@2024x", teachers=36, seed=7)
    engine = create_engine(url)
    with engine.begin() as conn:
        doc, version, unit = conn.execute(text(
            "SELECT r.document, r.catalogue_version, t.unit_id FROM records r JOIN teachers t ON t.id = r.teacher_id "
            "WHERE r.set_key = 'basic' ORDER BY r.id LIMIT 1")).one()
        conn.execute(text(
            "INSERT INTO teachers (id_type, id_number, name, gender, birth_date, unit_id, state, created_at, updated_at) "
            "SELECT '1', 'B' || lpad(g::text, 17, '0'), (CAST(:names AS text[]))[1 + g % :k], '1', date '1975-01-01' + (g % 9000), "
            ":unit, 'unsubmitted', now(), now() FROM generate_series(1, :n) g"),
            {"names": NAMES, "k": len(NAMES), "unit": unit, "n": teachers})
        conn.execute(text(
            "INSERT INTO records (teacher_id, set_key, position, document, catalogue_version, version, state, "
            "created_at, updated_at) SELECT t.id, 'basic', 0, CAST(:doc AS jsonb) || jsonb_build_object('name', t.name), "
            ":version, 1, 'draft', now(), now() FROM teachers t WHERE t.id_number LIKE 'B%'"),
            {"doc": __import__("json").dumps(doc, ensure_ascii=False), "version": version})
        conn.execute(text("ANALYZE"))
    engine.dispose()


def _catalogues() -> tuple[object, object]:
    from engine.catalogue import check_repo, repo_root

    old = check_repo(repo_root(), ["36"])[0]["36"]
    tmp = Path(tempfile.mkdtemp())
    for top in ("schemas", "rules", "provinces", "modules"):
        if (repo_root() / top).is_dir():
            shutil.copytree(repo_root() / top, tmp / top)
    (tmp / "provinces" / "36" / "rules").mkdir(exist_ok=True)
    (tmp / "provinces" / "36" / "rules" / "jx_short_name.yaml").write_text(RULE, encoding="utf-8")
    new = check_repo(tmp, ["36"])[0]["36"]
    shutil.rmtree(tmp)
    return old, new


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teachers", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from web.db.base import make_engine, make_sessionmaker
    from web.services.impact import _rows, impact

    url, drop = scratch_database(os.environ.get("TMIS_BENCH_DATABASE_URL", DEFAULT_ADMIN), prefix="tmis_bench_impact", migrate=False)
    try:
        t = time.perf_counter()
        _fill(url, args.teachers)
        print(f"filled {args.teachers} teachers in {time.perf_counter() - t:.1f} s")
        old, new = _catalogues()
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        floors, runs, ratios = [], [], []
        for _ in range(args.repeat):
            with sessions() as db:
                t = time.perf_counter()
                n = sum(1 for _ in _rows(db, ["basic"], None, 5000))
                floors.append(time.perf_counter() - t)
            with sessions() as db:
                t = time.perf_counter()
                report = impact(db, old, new)
                runs.append(time.perf_counter() - t)
            ratios.append(runs[-1] / floors[-1])
        floor, run = statistics.median(floors), statistics.median(runs)
        print(f"records: {n}; newly invalid: {report.became_invalid}")
        print(f"floor (plain scan): {floor:.2f} s, {n / floor:,.0f} records/s")
        print(f"impact:             {run:.2f} s, {n / run:,.0f} records/s")
        print(f"ratio impact/floor: {statistics.median(ratios):.1f} (each: {', '.join(f'{r:.1f}' for r in ratios)})")
        how = "measured" if n >= 1_500_000 else "extrapolated"
        print(f"1,500,000 teachers' 基本信息 ({how}): impact {1_500_000 / (n / run):,.0f} s, "
              f"plain scan {1_500_000 / (n / floor):,.0f} s (issue 18: within 60 s)")
        engine.dispose()
    finally:
        drop()  # type: ignore[operator]
    return 0


if __name__ == "__main__":
    sys.exit(main())
