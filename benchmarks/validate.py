"""Validation speed: the engine's full validation of 基本信息 records (structure and every national
rule) beside jsonschema and fastjsonschema checking the same records against the emitted JSON
Schema (structure only), all in the same run.

    .venv/bin/python benchmarks/validate.py [--records 100000] [--province 36]

Targets (issue 2): full validation no slower than jsonschema's structure-only check; aim for half
of fastjsonschema's rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fastjsonschema  # noqa: E402
import jsonschema  # noqa: E402
from faker import Faker  # noqa: E402

from engine.catalogue import build_catalogues, repo_root  # noqa: E402
from engine.validate import FieldView, SetValidator  # noqa: E402


def synthetic_value(f: FieldView, rng: random.Random, fake: Faker) -> Any:
    s = f.spec
    if s.type == "text":
        n = min(s.max_length or 12, 12)
        return fake.name()[:n] if s.pattern is None else None
    if s.type in ("code", "codes") and f.codes is not None:
        options = f.codes.options()
        pick = rng.choice(options) if options else None
        return pick if s.type == "code" else ([pick] if pick else [])
    if s.type == "integer":
        return rng.randint(int(s.min or 0), int(min(s.max or 100, 100)))
    if s.type == "decimal":
        return round(rng.uniform(0, 9000), 2)
    if s.type == "date":
        return fake.date_between(dt.date(1960, 1, 1), dt.date(2000, 12, 31)).isoformat()
    if s.type == "year_month":
        return f"{rng.randint(1985, 2024)}-{rng.randint(1, 12):02d}"
    if s.type == "year":
        return rng.randint(2000, 2024)
    if s.type == "boolean":
        return rng.random() < 0.5
    return None


def make_records(validator: SetValidator, n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    out = []
    for _ in range(n):
        record = {f.key: synthetic_value(f, rng, fake) for f in validator.view.fields
                  if f.spec.type not in ("derived", "photo", "attachment")}
        ssn = fake.ssn()
        record.update(id_type="1", id_number=ssn, nationality="156",
                      birth_date=f"{ssn[6:10]}-{ssn[10:12]}-{ssn[12:14]}",
                      gender="1" if int(ssn[16]) % 2 else "2")
        record["work_start_month"] = f"{int(ssn[6:10]) + 22}-09"
        record["entry_month"] = f"{int(ssn[6:10]) + 25}-09"
        out.append(validator.clean(record))
    return out


def rate(label: str, fn, records: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    errors = 0
    for r in records:
        errors += fn(r)
    seconds = time.perf_counter() - start
    per_s = len(records) / seconds
    print(f"  {label:<44} {per_s:>10,.0f} records/s  ({seconds:6.2f} s, {errors} records with findings)")
    return per_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--province", default="36")
    args = parser.parse_args()

    cat = build_catalogues(repo_root(), [args.province])[args.province]
    validator = cat.validator("basic", "primary_secondary")
    print(f"building {args.records:,} synthetic 基本信息 records (faker zh_CN) …")
    records = make_records(validator, args.records)
    rules = len(validator.view.rules)
    fast_rules = sum(1 for r in validator.view.rules if r.check.fast is not None)
    print(f"基本信息: {len(validator.view.fields)} fields, {rules} national rules "
          f"({fast_rules} compiled to Python, {rules - fast_rules} on the Rust evaluator)\n")

    schema = cat.json_schema("basic", "primary_secondary")
    draft = jsonschema.Draft202012Validator(schema)
    fast = fastjsonschema.compile(schema)

    def fast_ok(r: dict[str, Any]) -> int:
        try:
            fast(r)
            return 0
        except fastjsonschema.JsonSchemaException:
            return 1

    engine_rate = rate("engine: structure + every rule", lambda r: int(bool(validator.validate(r))), records)
    js_rate = rate("jsonschema: structure only", lambda r: int(not draft.is_valid(r)), records)
    fjs_rate = rate("fastjsonschema: structure only", fast_ok, records)
    print()
    print(f"engine / jsonschema      = {engine_rate / js_rate:5.2f}×  (target ≥ 1.0)")
    print(f"engine / fastjsonschema  = {engine_rate / fjs_rate:5.2f}×  (aim ≥ 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
