"""TMIS_TRUSTED_PROXIES: behind a trusted reverse proxy the client address (audit log, sign-in
records) comes from X-Forwarded-For; from any other peer that header is ignored.

Real sockets: the app runs under uvicorn on 127.0.0.1, so the socket peer is 127.0.0.1. uvicorn's
own proxy-header handling is switched off here so that only the app's setting decides.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from tests.web.conftest import PASSWORD, make_settings
from web.app import _networks, create_app, forwarded_client
from web.db.models import AuditEntry
from web.forms.liveserver import free_port
from web.settings import Settings


@contextmanager
def _serve(app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _last_login_ip(ctx, username: str) -> str | None:
    with ctx.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.actor_name == username,
                                                   AuditEntry.action.in_(("auth.login", "auth.login_failed")))
                          .order_by(AuditEntry.seq.desc()))
        return entry.ip if entry else None


@pytest.mark.parametrize("trusted,expected_ip", [
    (("127.0.0.1",), "203.0.113.7"),          # the peer is our proxy: the forwarded client counts
    (("127.0.0.0/8", "10.0.0.0/8"), "203.0.113.7"),
    ((), "127.0.0.1"),                          # nothing trusted: the header is ignored
    (("10.0.0.0/8",), "127.0.0.1"),             # the peer is not a trusted proxy: ignored
])
def test_client_address_in_the_audit_log(db_url, world, trusted, expected_ip):
    app = create_app(make_settings(db_url, trusted_proxies=trusted))
    username = "info_viewer@360103"
    with _serve(app) as base:
        # a client-written hop on the left is never believed; the proxy appended 203.0.113.7
        headers = {"x-forwarded-for": "198.51.100.1, 203.0.113.7"}
        r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": "Wrong@pass1"},
                       headers=headers)
        assert r.status_code == 401
        assert _last_login_ip(app.state.ctx, username) == expected_ip
        r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD},
                       headers=headers)
        assert r.status_code == 200
        assert _last_login_ip(app.state.ctx, username) == expected_ip


NETS = _networks(("127.0.0.1", "10.0.0.0/8"))


@pytest.mark.parametrize("peer,header,client", [
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7"),  # two proxies of ours
    ("127.0.0.1", "10.1.2.3", "10.1.2.3"),                                  # only proxies: the first
    ("127.0.0.1", "", None),
    ("127.0.0.1", "not-an-address", None),
    ("192.0.2.9", "203.0.113.7", None),                                    # untrusted peer
    (None, "203.0.113.7", None),
])
def test_forwarded_client_rules(peer, header, client):
    assert forwarded_client(peer, header, NETS) == client


def test_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TMIS_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8 ,")
    assert Settings.from_env().trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    monkeypatch.delenv("TMIS_TRUSTED_PROXIES")
    assert Settings.from_env().trusted_proxies == ()


def test_a_bad_proxy_setting_stops_the_start(db_url):
    with pytest.raises(ValueError, match="TMIS_TRUSTED_PROXIES"):
        create_app(make_settings(db_url, trusted_proxies=("10.0.0.0/33",)))
