"""Records per second for 14 typical rules: the CEL package vs. engine.celfast closures.

    .venv/bin/python benchmarks/cel_eval.py [--records 20000]

The package is used the fastest way measured (design.md): one ``cel.Context`` per record,
reused by all rules, with the domain functions registered on it. celfast closures get
the same variables as a plain dict. Both must give the same answers; the script checks.
A second line-up uses only the rules that call no domain function (no Python callbacks
on the package side). Times are CPU time of this process, so other load on the machine
disturbs them less.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cel  # noqa: E402

from engine import celfast, celfuncs, idnumber  # noqa: E402

RULES = [
    "record.entry_month >= record.work_start_month",
    'record.on_establishment == "1" || record.employment_form in ["1", "2", "3"]',
    "id_valid(record.id_number)",
    "id_birth_date(record.id_number) == record.birth_date",
    "id_gender(record.id_number) == record.gender",
    "age_at(record.birth_date, today) >= 18",
    'record.nationality != "156" || record.ethnic_group != ""',
    "size(record.name) <= 90",
    'record.phone.matches("^1[0-9]{10}$")',
    "ym(record.birth_date) < record.work_start_month",
    'code_under("education_level", record.education, "10") || record.education == "20"',
    "record.work_start_month <= ym(today)",
    'record.codes.all(c, c != "0") || size(record.codes) == 1',
    "year_of(record.work_start_month) - year_of(record.birth_date) >= 16",
]

TABLES = {"education_level": {"10": None, "11": "10", "14": "10", "20": None, "21": "20"}}


def make_records(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        year = rnd.randint(1960, 2000)
        birth = f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        seq = rnd.randint(0, 999)
        rec: dict[str, Any] = {
            "name": rnd.choice(["张三", "李四", "欧阳明月", "王五"]),
            "id_number": idnumber.make("360426", birth, seq),
            "birth_date": birth,
            "gender": "1" if seq % 2 else "2",
            "nationality": "156",
            "ethnic_group": "01",
            "on_establishment": rnd.choice(["0", "1"]),
            "employment_form": rnd.choice(["1", "2", "3", "9"]),
            "work_start_month": f"{year + 22}-{rnd.randint(1, 12):02d}",
            "entry_month": f"{year + rnd.randint(21, 30)}-{rnd.randint(1, 12):02d}",
            "education": rnd.choice(["11", "14", "21"]),
            "phone": "1" + "".join(rnd.choice("0123456789") for _ in range(10)),
            "codes": rnd.choice([["1", "2"], ["0"], ["3"]]),
        }
        for k in range(37):  # the other fields of a ~50-field record
            rec[f"extra_{k}"] = f"value {i} {k}"
        out.append(rec)
    return out


def run_package(
    records: list[dict[str, Any]], fns: dict[str, Any], rules: list[str]
) -> tuple[float, list[Any]]:
    programs = [cel.compile(r) for r in rules]
    results: list[Any] = []
    start = time.process_time()
    for rec in records:
        ctx = cel.Context()
        ctx.add_variable("record", rec)
        ctx.add_variable("today", "2025-06-01")
        for name, fn in fns.items():
            ctx.add_function(name, fn)
        for p in programs:
            try:
                results.append(p.execute(ctx))
            except Exception:
                results.append("error")
    return time.process_time() - start, results


def run_fast(
    records: list[dict[str, Any]], fns: dict[str, Any], rules: list[str]
) -> tuple[float, list[Any]]:
    closures = [celfast.compile_fast(r, fns) for r in rules]
    missing = [r for r, c in zip(rules, closures) if c is None]
    if missing:
        raise SystemExit(f"outside the celfast subset: {missing}")
    results: list[Any] = []
    start = time.process_time()
    for rec in records:
        variables = {"record": rec, "today": "2025-06-01"}
        for c in closures:
            try:
                results.append(c(variables))  # type: ignore[misc]
            except celfast.CelEvalError:
                results.append("error")
    return time.process_time() - start, results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    args = ap.parse_args()
    records = make_records(args.records)
    fns = celfuncs.callables(TABLES)
    plain = [r for r in RULES if not any(name + "(" in r for name in fns)]
    for title, rules, registered in (
        ("all 14 rules (9 domain functions registered)", RULES, fns),
        (f"the {len(plain)} rules without domain functions", plain, {}),
    ):
        t_pkg, r_pkg = run_package(records, registered, rules)
        t_fast, r_fast = run_fast(records, registered, rules)
        if r_pkg != r_fast:
            diffs = sum(a != b for a, b in zip(r_pkg, r_fast))
            raise SystemExit(f"the evaluators disagree on {diffs} rule results")
        n = len(records)
        failures = sum(1 for r in r_pkg if r is not True)
        print(f"{title}, {n} records, {failures} rule failures")
        print(f"  cel package (Context per record): {n / t_pkg:10,.0f} records/s")
        print(f"  celfast closures:                 {n / t_fast:10,.0f} records/s")
        print(f"  ratio:                            {t_pkg / t_fast:10.1f}x")


if __name__ == "__main__":
    main()
