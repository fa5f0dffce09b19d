"""The one way data-first tests (case folders and the documentation's examples) check records."""

from __future__ import annotations

from typing import Any

from engine.validate import SetValidator, Violation


def violation_key(v: Violation) -> str:
    prefix = f"[{v.index}] " if v.index is not None else ""
    return f"{prefix}{v.field} {v.code}".strip()


def assert_check(validator: SetValidator, check: dict[str, Any]) -> None:
    """``check`` holds ``record`` (one input) or ``records`` (a repeating set's inputs), the
    ``expect``ed violations as "field CODE" ("[i] field CODE" for records), and optionally
    ``coerce: false`` / ``clean: false`` (skip those steps), ``cleaned`` and ``coerced``."""
    if "records" in check:
        records = [validator.clean(validator.coerce(r)[0]) for r in check["records"]]
        found = [v for i, r in enumerate(records) for v in validator.validate(r, records=records, index=i)]
    else:
        raw = check["record"]
        if check.get("coerce", True) and check.get("clean", True):
            record, found = validator.run(raw, file=check.get("file"))
        else:
            record, found = validator.coerce(raw) if check.get("coerce", True) else (dict(raw), [])
            found = found + validator.validate(record, file=check.get("file"))
        if "cleaned" in check:
            assert {k: v for k, v in record.items() if v is not None} == check["cleaned"]
        if "coerced" in check:
            assert validator.coerce(raw)[0] == check["coerced"]
    got = sorted(violation_key(v) for v in found)
    assert got == sorted(check.get("expect", [])), [f"{v.path} {v.code} {v.message_zh}" for v in found]
