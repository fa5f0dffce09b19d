"""The keyed audit chain (issue 14, finding 10): tampering that verified as intact before — the
tail deleted and the head moved back, an entry edited and every hash recomputed with the
project's own digest — is found; an anchor kept off the machine finds a log cut back even by
someone holding the key; entries from before the key still verify; production refuses to run
without the key. Each test works on a database of its own (the chain is tampered with)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import Iterator

import pytest
from sqlalchemy import delete, select, update

from tests.web.conftest import fresh_database, make_settings
from web import audit
from web.context import AppContext, SettingsError
from web.db.models import AuditEntry, AuditHead
from web.settings import Settings

KEY = "k" * 40


@pytest.fixture()
def fresh(tmp_path) -> Iterator[tuple[str, AppContext]]:
    with fresh_database(tmp_path) as url:
        ctx = AppContext.build(make_settings(url, audit_key=KEY))
        yield url, ctx
        ctx.engine.dispose()


def _write(ctx: AppContext, n: int, tag: str = "x") -> None:
    for i in range(n):
        with ctx.sessions() as db:
            audit.record(db, "test.entry", actor_name="tester", detail={"tag": tag, "i": i})
            db.commit()


def _plain(e: AuditEntry) -> str:
    """The project's own unkeyed digest (what an attacker without the key can compute)."""
    return audit._digest(e)


def _tmis(url: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("TMIS_AUDIT_KEY", "TMIS_ENV")}
    return subprocess.run([sys.executable, "-m", "web.cli", "audit", *args, "--database-url", url],
                          capture_output=True, text=True, env={**base, "TMIS_AUDIT_KEY": KEY, **(env or {})}, timeout=120)


def test_deleting_the_tail_and_moving_the_head_back_is_found(fresh):
    _url, ctx = fresh
    _write(ctx, 5)
    with ctx.sessions() as db:
        assert audit.verify(db).ok
        last = db.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()))
        db.execute(delete(AuditEntry).where(AuditEntry.seq == last.seq))
        db.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=last.seq - 1, hash=last.prev_hash))
        db.commit()
        result = audit.verify(db)
    assert not result.ok
    assert any("链头" in zh for _, zh, _ in result.problems)


def test_an_edit_with_every_hash_recomputed_by_the_projects_digest_is_found(fresh):
    _url, ctx = fresh
    _write(ctx, 6)
    with ctx.sessions() as db:
        entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        prev = entries[1].hash
        for e in entries[2:]:  # edit the third entry, then re-chain everything after it
            if e is entries[2]:
                e.detail = {**e.detail, "tag": "forged"}
            e.prev_hash = prev
            e.hash = prev = _plain(e)
        db.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=prev))
        db.commit()
        assert not audit.verify(db).ok
        for e in entries[2:]:  # the same, also claiming the old unkeyed scheme for the rewritten part
            e.scheme = audit.LEGACY
            e.hash = _plain(e)
        db.commit()
        result = audit.verify(db)
    assert not result.ok and {seq for seq, _, _ in result.problems} >= {entries[2].seq}


def test_an_anchor_finds_a_tail_cut_back_even_with_the_key(fresh, tmp_path):
    url, ctx = fresh
    _write(ctx, 4)
    anchor_file = tmp_path / "anchor.json"
    r = _tmis(url, "anchor", "--out", str(anchor_file))
    assert r.returncode == 0, r.stderr
    body = json.loads(anchor_file.read_text())
    assert body["seq"] == 4 and body["key_id"] and "k" * 10 not in anchor_file.read_text()
    assert _tmis(url, "verify", "--anchor", str(anchor_file)).returncode == 0
    _write(ctx, 2, "later")  # the log grows after the anchor: still fine
    ok = _tmis(url, "verify", "--anchor", str(anchor_file))
    assert ok.returncode == 0 and "与锚点 #4 相符" in ok.stdout
    # someone with the key removes entries 3..6 and re-seals the head properly
    sealer = audit.sealer_for(ctx.settings)
    with ctx.sessions() as db:
        keep = db.get(AuditEntry, 2)
        db.execute(delete(AuditEntry).where(AuditEntry.seq > 2))
        db.execute(update(AuditHead).where(AuditHead.id == 1).values(
            seq=2, hash=keep.hash, mac=sealer.head_mac(2, keep.hash)))
        db.commit()
        assert audit.verify(db).ok  # without the anchor nothing shows
    bad = _tmis(url, "verify", "--anchor", str(anchor_file))
    assert bad.returncode == 1 and "末尾被删除" in bad.stderr
    # a forged anchor (edited seq) is refused as such
    forged = {**body, "seq": 1}
    anchor_file.write_text(json.dumps(forged))
    r = _tmis(url, "verify", "--anchor", str(anchor_file))
    assert r.returncode == 1 and "签名与本密钥不符" in r.stderr
    anchor_file.write_text("not json")
    r = _tmis(url, "verify", "--anchor", str(anchor_file))
    assert r.returncode == 2 and "锚点文件无法读取" in r.stderr


def test_entries_from_before_the_key_still_verify(fresh):
    """A database upgraded by hb01: its entries are unkeyed (scheme sha256); new ones are keyed
    and chain on; the old part cannot be rewritten without breaking the first keyed entry."""
    _url, ctx = fresh
    with ctx.sessions() as db:  # three entries as the previous version wrote them
        prev = audit.GENESIS
        for seq in range(1, 4):
            e = AuditEntry(seq=seq, at=audit.utcnow(), actor_name="old", action="old.entry", detail={"n": seq},
                           prev_hash=prev, scheme=audit.LEGACY, hash="")
            e.hash = prev = _plain(e)
            db.add(e)
        db.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=3, hash=prev, mac=None))
        db.commit()
    _write(ctx, 2, "new")
    with ctx.sessions() as db:
        result = audit.verify(db)
        assert result.ok and (result.unkeyed, result.keyed) == (3, 2), result.problems
        old = db.get(AuditEntry, 2)
        old.detail = {"n": 99}
        old.hash = _plain(old)
        third = db.get(AuditEntry, 3)
        third.prev_hash = old.hash
        third.hash = _plain(third)  # the unkeyed part re-chained: the first keyed entry breaks
        db.commit()
        assert {seq for seq, _, _ in audit.verify(db).problems} == {4}


def test_another_key_is_told_apart(fresh):
    url, ctx = fresh
    _write(ctx, 2)
    r = _tmis(url, "verify", env={"TMIS_AUDIT_KEY": "another key of at least thirty-two characters"})
    assert r.returncode == 1 and "另一个密钥" in r.stderr


def test_development_without_a_key_says_so_and_production_refuses(fresh, tmp_path):
    url, _ctx = fresh
    r = _tmis(url, "verify", env={"TMIS_AUDIT_KEY": ""})
    assert "开发密钥" in r.stderr
    r = _tmis(url, "verify", env={"TMIS_AUDIT_KEY": "", "TMIS_ENV": "production"})
    assert r.returncode == 2 and "TMIS_AUDIT_KEY" in r.stderr
    with pytest.raises(SettingsError, match="TMIS_AUDIT_KEY"):
        AppContext.build(Settings(database_url=url, environment="production", secret_key="s" * 40))
    short = Settings(database_url=url, environment="production", secret_key="s" * 40, audit_key="short")
    assert any("TMIS_AUDIT_KEY" in en for _, en in short.problems())


def test_the_key_never_reaches_the_database(fresh):
    _url, ctx = fresh
    _write(ctx, 1)
    with ctx.sessions() as db:
        e = db.get(AuditEntry, 1)
        head = db.get(AuditHead, 1)
        stored = json.dumps([e.hash, e.scheme, e.detail, head.hash, head.mac])
    assert KEY not in stored and hashlib.sha256(KEY.encode()).hexdigest() not in stored
