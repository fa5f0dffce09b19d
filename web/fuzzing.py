"""Fuzz the JSON API against its own OpenAPI document with schemathesis (issue 14, "what must show").

``run(url, ...)`` builds a world of its own in the database at ``url`` (a province chain down to a
school, an information manager of the school, a teacher with a file and an account), signs both
in (bearer tokens), then sends every documented operation ``examples`` generated requests per
account, within ``seconds``, and checks each answer: no server error, a documented status, a
documented content type, a body that matches its documented schema. Nothing is mocked: the real
app, real database, real HTTP through the ASGI interface.

The teacher goes first: the manager may delete the teacher's file (and with it the account
and its session) as a schemathesis example would. Used by tests/web/test_fuzz.py (a small run, in CI) and benchmarks/fuzz.py (a larger one that
prints its counts). Sign-out and password change are left out (they would end the fuzzer's own
session).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SKIP = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password")}
PASSWORD = "Fuzz@2024ok"


@dataclass
class Outcome:
    calls: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    operations: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (f"{self.operations} operations, {self.calls} calls in {self.seconds:.0f} s; "
                f"server errors: {len(self.server_errors)}; schema violations: {len(self.violations)}; "
                f"statuses: {codes}")


def _world(app: Any) -> dict[str, str]:
    """A small world of its own; returns role → bearer token."""
    from litestar.testing import TestClient

    from engine import idnumber
    from web.db.models import Account, Grant
    from web.services import teachers as teacher_service
    from web.services import units as unit_service

    ctx = app.state.ctx
    pw = ctx.hasher.hash(PASSWORD)
    idn = idnumber.make("360102", __import__("datetime").date(1988, 6, 1), 123)
    with ctx.sessions() as db:
        parent = None
        for code, name, level, st in (("36", "江西省", "province", None), ("3601", "南昌市", "city", None),
                                      ("360102", "东湖区", "county", None),
                                      ("3601020001", "东湖区第一小学", "school", "primary")):
            parent = unit_service.by_code(db, code) or unit_service.create_unit_raw(
                db, code=code, name=name, level=level, parent=parent, school_type=st)
        school = parent
        manager = Account(username="fuzz-manager", real_name="模糊测试", unit_id=school.id, kind="staff",
                          password_hash=pw, must_change_password=False, failed_attempts=0, enabled=True)
        db.add(manager)
        db.flush()
        db.add(Grant(account_id=manager.id, unit_id=school.id, role_key="info_manager"))
        items = teacher_service.FourItems.parse("模糊教师", "1", idnumber.birth_date(idn), idn)
        teacher = teacher_service.create_raw(db, school, items, catalogue_version="fuzz")
        acc = Account(username=idn, real_name="模糊教师", unit_id=school.id, kind="teacher", teacher_id=teacher.id,
                      password_hash=pw, must_change_password=False, failed_attempts=0, enabled=True)
        db.add(acc)
        db.flush()
        db.add(Grant(account_id=acc.id, unit_id=school.id, role_key="teacher"))
        db.commit()
    tokens = {}
    with TestClient(app) as http:
        for role, username in (("manager", "fuzz-manager"), ("teacher", idn)):
            r = http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            tokens[role] = r.json()["token"]
    return tokens


def run(app: Any, *, examples: int, seconds: float, roles: tuple[str, ...] = ("teacher", "manager"),
        seed: int | None = 0) -> Outcome:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, seed as fixed_seed, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    tokens = _world(app)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    out = Outcome()
    started = time.monotonic()
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if (op.method.upper(), op.path) not in SKIP]
    out.operations = len(operations)
    per_call_budget = seconds / max(1, len(operations) * len(roles))
    for role in roles:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        for op in operations:
            deadline = time.monotonic() + per_call_budget

            @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy())
            def probe(case: Any) -> None:
                if time.monotonic() > deadline:
                    return
                response = case.call(headers=headers)
                out.calls += 1
                out.statuses[response.status_code] += 1
                where = f"[{role}] {case.method} {case.formatted_path}"
                if response.status_code >= 500:
                    out.server_errors.append(f"{where} → {response.status_code} {response.text[:300]}")
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup: the checks that failed
                    text = str(exc).strip().splitlines()
                    if response.status_code < 500:
                        out.violations.append(f"{where} → {response.status_code}: {' | '.join(text[:6])[:400]}")

            if seed is not None:
                probe = fixed_seed(seed)(probe)
            probe()
    out.seconds = time.monotonic() - started
    return out
