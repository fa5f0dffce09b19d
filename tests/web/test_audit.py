"""The audit log: actions are logged with who/when/where, the chain detects tampering."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import delete, func, select, update

from tests.web.conftest import four_items
from web import audit
from web.db.models import AuditEntry, AuditHead


def _last(db, action):
    return db.scalar(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc()))


def test_account_actions_are_logged_with_who_and_where(as_user, db):
    admin = as_user("system_admin@360103")
    r = admin.post("/api/v1/accounts", json={"username": "audit-viewer-1", "real_name": "周九",
                                             "unit_code": "360103", "roles": ["info_viewer"]})
    assert r.status_code == 201
    e = _last(db, "account.create")
    assert e.actor_name == "system_admin@360103" and e.ip and e.target_id == str(r.json()["id"])
    assert e.detail["roles"] == ["info_viewer"]
    assert "initial_password" not in str(e.detail) and r.json()["initial_password"] not in str(e.detail)


def test_failed_logins_and_exports_are_logged(as_user, anon, db):
    anon.post("/api/v1/auth/login", json={"username": "info_viewer@36", "password": "Nope@1234"})
    assert _last(db, "auth.login_failed").actor_name == "info_viewer@36"
    as_user("system_admin@3601020001").get("/api/v1/teacher-accounts/export?unit=3601020001")
    assert _last(db, "account.export").target_id == "3601020001"


def test_record_change_helper_keeps_before_and_after(db):
    e = audit.record(db, "record.update", target_type="record", target_id=1,
                     detail={"before": {"name": "甲"}, "after": {"name": "乙"}}, actor_name="test")
    db.flush()
    assert e.detail == {"before": {"name": "甲"}, "after": {"name": "乙"}}
    db.rollback()


def test_chain_verifies_and_detects_a_changed_entry(ctx, as_user):
    as_user("info_viewer@3601")  # at least a login entry exists
    with ctx.sessions() as db:
        assert audit.verify(db).ok
        e = db.scalar(select(AuditEntry).order_by(AuditEntry.seq).limit(1).offset(2))
        original = dict(e.detail)
        db.execute(update(AuditEntry).where(AuditEntry.seq == e.seq).values(detail={**original, "x": 1}))
        db.commit()
        result = audit.verify(db)
        assert not result.ok and [p[0] for p in result.problems] == [e.seq]
        db.execute(update(AuditEntry).where(AuditEntry.seq == e.seq).values(detail=original))
        db.commit()
        assert audit.verify(db).ok


def test_chain_detects_a_deleted_entry_and_a_deleted_tail(ctx, as_user):
    as_user("info_viewer@3602")
    with ctx.sessions() as db:
        middle = db.scalar(select(AuditEntry).order_by(AuditEntry.seq).limit(1).offset(1))
        saved = {c.name: getattr(middle, c.name) for c in AuditEntry.__table__.columns}
        db.execute(delete(AuditEntry).where(AuditEntry.seq == middle.seq))
        db.commit()
        assert not audit.verify(db).ok
        db.add(AuditEntry(**saved))
        db.commit()
        assert audit.verify(db).ok
        last = db.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()))
        saved = {c.name: getattr(last, c.name) for c in AuditEntry.__table__.columns}
        db.execute(delete(AuditEntry).where(AuditEntry.seq == last.seq))
        db.commit()
        result = audit.verify(db)
        assert not result.ok and "末尾" in result.problems[-1][1]
        db.add(AuditEntry(**saved))
        db.commit()
        assert audit.verify(db).ok


def test_cli_verify_exit_codes(ctx, settings, as_user):
    as_user("info_viewer@360202")
    cmd = [sys.executable, "-m", "web.cli", "audit", "verify", "--database-url", settings.database_url]
    ok = subprocess.run(cmd, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "审计日志完整" in ok.stdout
    with ctx.sessions() as db:
        e = db.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()))
        seq, ip = e.seq, e.ip  # the UPDATE below changes the loaded entry too
        db.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(ip="10.6.6.6"))
        db.commit()
        bad = subprocess.run(cmd, capture_output=True, text=True)
        db.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(ip=ip))
        db.commit()
    assert bad.returncode == 1 and "篡改" in bad.stderr


def test_concurrent_appends_keep_one_chain_on_the_test_database(ctx, world):
    """Writers that have only read so far when they commit (a refused sign-in: nothing but its
    audit entry) used to read the same head on SQLite and collide on seq (a 500)."""
    from tests.web.conftest import run_together

    def work(i: int) -> None:
        for j in range(10):
            with ctx.sessions() as db:
                db.scalar(select(func.count()).select_from(AuditHead))  # a read first, as a request does
                audit.record(db, "test.concurrent", actor_name=f"worker{i}", detail={"j": j})
                db.commit()

    assert run_together(8, work) == []
    with ctx.sessions() as db:
        assert audit.verify(db).ok

