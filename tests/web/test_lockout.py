"""Lockout under parallel attempts (issue 14, finding 3): every attempt is counted atomically
before its password is checked, so a burst of simultaneous sign-ins gets no more wrong-password
checks than the policy allows (``lockout_attempts``, 3 in the test settings) before the lock, no
attempt, right or wrong, gets in once the account is locked, and simultaneous right passwords all
get in (they wait for a place, they are not counted as failures).

The attempts go through the real app over HTTP (one test client per thread, all released at
the same moment); the first two tests run on SQLite and, in the PostgreSQL pass, on PostgreSQL;
the last one drives a live uvicorn server on a PostgreSQL database of its own."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from sqlalchemy import select

from tests.web.conftest import PASSWORD, Client, add_staff, fresh_pg_database, make_settings, run_together
from web.db.models import Account, AuditEntry, Unit
from web.db.migrate import upgrade


def _fresh_account(ctx, tag: str) -> tuple[int, str]:
    """A new staff account (viewer at the province 36) with the test password."""
    with ctx.sessions() as db:
        unit = db.scalar(select(Unit).where(Unit.code == "36"))
        acc = add_staff(db, ctx, f"lockout-{tag}", unit, "info_viewer", "锁定测试")
        db.commit()
        return acc.id, acc.username


def _burst(post: Callable[[str], Any], passwords: list[str]) -> list[tuple[str, int, str]]:
    """Every password at the same moment; (password, status, code) per attempt."""
    out: list[tuple[str, int, str]] = []

    def work(i: int) -> None:
        status, code = post(passwords[i])
        out.append((passwords[i], status, code))

    assert run_together(len(passwords), work) == []
    return out


def _asgi_post(app, username: str) -> Callable[[str], tuple[int, str]]:
    def post(password: str) -> tuple[int, str]:
        r = Client(app).post("/api/v1/auth/login", json={"username": username, "password": password})
        return r.status_code, r.json().get("code", "")
    return post


def _password_checks(ctx, account_id: int) -> list[dict]:
    """Audit details of the attempts whose password was checked and found wrong."""
    with ctx.sessions() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed",
                                                   AuditEntry.target_id == str(account_id)))
        return [e.detail for e in rows if e.detail.get("reason") == "password"]


def _locked(ctx, account_id: int) -> bool:
    with ctx.sessions() as db:
        return db.get(Account, account_id).locked_until is not None


def test_fifty_parallel_wrong_passwords_get_at_most_the_policy_checked(app, ctx, world):
    limit = ctx.settings.lockout_attempts
    account_id, username = _fresh_account(ctx, "fifty")
    post = _asgi_post(app, username)
    results = _burst(post, ["Wrong@pass1"] * 50)
    assert {status for _, status, _ in results} <= {401, 403, 429}
    checked = _password_checks(ctx, account_id)
    assert len(checked) <= limit, f"{len(checked)} wrong passwords were checked, the policy allows {limit}"
    assert _locked(ctx, account_id)
    assert post(PASSWORD) == (403, "W102")  # the right password, after the burst: still locked


def test_right_password_inside_a_burst_gets_in_only_within_the_policy(app, ctx, world):
    """30 wrong and 1 right at the same moment. The right one may get in only when it was checked
    as one of the first ``limit`` attempts and accepted before the policy was exceeded; every
    password check, wrong or right, belongs to an attempt the policy allows."""
    limit = ctx.settings.lockout_attempts
    account_id, username = _fresh_account(ctx, "thirty-one")
    results = _burst(_asgi_post(app, username), ["Wrong@pass1"] * 30 + [PASSWORD])
    wrong = [(s, c) for p, s, c in results if p != PASSWORD]
    assert all(s in (401, 403, 429) and c in ("W101", "W102", "W113") for s, c in wrong)
    checked = _password_checks(ctx, account_id)
    assert len(checked) <= 2 * limit - 1, f"{len(checked)} wrong passwords were checked"
    assert all(d.get("attempt", limit + 1) <= limit for d in checked), checked
    (right,) = [(s, c) for p, s, c in results if p == PASSWORD]
    if right[0] == 200:
        # it was one of the first attempts; a success starts a new run, which the policy bounds again
        with ctx.sessions() as db:
            login = db.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login",
                                                       AuditEntry.target_id == str(account_id)))
        assert login.detail["attempt"] <= limit
        assert len(checked) <= 2 * limit - 1
    else:
        assert right == (403, "W102")
        assert len(checked) <= limit, f"{len(checked)} wrong passwords were checked, the policy allows {limit}"
        assert _locked(ctx, account_id)


def test_simultaneous_right_passwords_all_get_in(app, ctx, world):
    account_id, username = _fresh_account(ctx, "twelve-right")
    results = _burst(_asgi_post(app, username), [PASSWORD] * 12)
    assert [s for _, s, _ in results] == [200] * 12
    assert not _locked(ctx, account_id)


@pytest.mark.postgres
def test_parallel_wrong_passwords_on_a_live_server_with_postgresql(pg_admin_url):
    """The same bound through uvicorn and PostgreSQL (row locks, READ COMMITTED), 40 attempts."""
    import httpx

    from web.app import create_app
    from web.forms.liveserver import serve
    from web.services import units as unit_service

    url, drop = fresh_pg_database(pg_admin_url)
    upgrade(url)
    app = create_app(make_settings(url, lockout_attempts=5))
    ctx = app.state.ctx
    try:
        with ctx.sessions() as db:
            unit_service.create_unit_raw(db, code="36", name="江西省", level="province", parent=None)
            db.commit()
        account_id, username = _fresh_account(ctx, "live")
        with serve(app) as base:
            def post(password: str) -> tuple[int, str]:
                with httpx.Client(base_url=base, timeout=30) as client:
                    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
                    return r.status_code, r.json().get("code", "")
            results = _burst(post, ["Wrong@pass1"] * 40)
            assert {status for _, status, _ in results} <= {401, 403, 429}
            assert len(_password_checks(ctx, account_id)) <= 5
            assert post(PASSWORD) == (403, "W102")
    finally:
        ctx.engine.dispose()
        drop()
