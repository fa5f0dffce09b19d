"""Three PostgreSQL 15 clusters on this machine standing in for 江西 (36), 甘肃 (62) and the national tier.

    python scripts/tier_clusters.py up      # create (if missing) and start; prints "<tier> <port>" per line
    python scripts/tier_clusters.py status  # the same lines for the clusters that exist
    python scripts/tier_clusters.py down    # stop and remove them (pg_dropcluster --stop)

Each cluster is made with Debian's ``pg_createcluster`` on a free port, with ``wal_level=logical`` (a
province publishes its approved files, the national tier publishes the formal identifiers back), small
memory settings, listening on 127.0.0.1 only, trust authentication for 127.0.0.1 and the local socket.
PostgreSQL runs as the ``postgres`` user; this script runs as root (or postgres).

Why three and not two beside the machine's main cluster: every one of the three databases publishes
something, which needs ``wal_level=logical``, and the main cluster (5432) runs with ``replica`` and is
shared by everything else on the machine: restarting it to change that would disturb them.

Idempotent and safe after a run that died half-way: ``up`` reuses a cluster that exists (rewrites its
settings, starts it if stopped), ``down`` removes whatever is left, and a cluster whose data directory is
gone but whose configuration remains is dropped and made again.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

VERSION = "15"
TIERS = ("36", "62", "national")
PREFIX = os.environ.get("TMIS_TIER_CLUSTER_PREFIX", "tmis_tier_")  # another prefix: a second set beside the first
CONF_ROOT = Path("/etc/postgresql") / VERSION

SETTINGS = {
    "wal_level": "logical",
    "max_replication_slots": "20",
    "max_wal_senders": "20",
    "max_logical_replication_workers": "8",
    "max_worker_processes": "16",
    "listen_addresses": "'127.0.0.1'",
    "shared_buffers": "32MB",
    "fsync": "off",  # test clusters: speed over durability (a crash loses them anyway)
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_sender_timeout": "10s",
    "wal_receiver_timeout": "10s",
    "wal_retrieve_retry_interval": "1s",  # a subscription reconnects soon after its province is back
    "ssl": "off",
}
HBA = """# written by scripts/tier_clusters.py: test clusters, trust on the local socket and 127.0.0.1 only
local   all             all                                     trust
local   replication     all                                     trust
host    all             all             127.0.0.1/32            trust
host    replication     all             127.0.0.1/32            trust
"""


def cluster_name(tier: str) -> str:
    return PREFIX + tier


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def _clusters() -> dict[str, tuple[int, str]]:
    """name -> (port, status) of the version-15 clusters pg_lsclusters knows."""
    out = _run("pg_lsclusters", "--no-header", check=False).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == VERSION:
            found[parts[1]] = (int(parts[2]), parts[3])
    return found


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port(taken: set[int]) -> int:
    for port in range(55432, 56432):
        if port not in taken and _port_free(port):
            return port
    raise RuntimeError("no free port in 55432–56431")


def _configure(name: str, port: int) -> bool:
    """Write the settings; whether anything changed (a running cluster then restarts)."""
    conf = CONF_ROOT / name
    lines = [f"port = {port}"] + [f"{k} = {v}" for k, v in SETTINGS.items()]
    (conf / "conf.d").mkdir(parents=True, exist_ok=True)
    changed = False
    for path, text in ((conf / "conf.d" / "tmis_tier.conf", "\n".join(lines) + "\n"), (conf / "pg_hba.conf", HBA)):
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed = True
    return changed


def _wait_ready(port: int, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if _run("pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port), check=False).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on port {port} did not start within {timeout:.0f} s")


def up() -> dict[str, int]:
    """Create what is missing, start what is stopped; tier -> port."""
    ports: dict[str, int] = {}
    for tier in TIERS:
        name = cluster_name(tier)
        known = _clusters()
        if name in known and not (Path("/var/lib/postgresql") / VERSION / name / "PG_VERSION").exists():
            _run("pg_dropcluster", "--stop", VERSION, name, check=False)  # half-made by a run that died
            known.pop(name)
        if name not in known:
            port = _free_port({p for p, _ in known.values()})
            _run("pg_createcluster", "-p", str(port), VERSION, name, "--", "--auth=trust", "--no-sync")
        else:
            port = known[name][0]
            if known[name][1] != "online" and not _port_free(port):  # someone took its port meanwhile
                port = _free_port({p for p, _ in known.values()})
        changed = _configure(name, port)
        status = _clusters().get(name, (port, "down"))[1]
        if status == "online":
            if changed:
                _run("pg_ctlcluster", VERSION, name, "restart", "-m", "fast")
        else:
            _run("pg_ctlcluster", VERSION, name, "start")
        _wait_ready(port)
        ports[tier] = port
    return ports


def status() -> dict[str, tuple[int, str]]:
    known = _clusters()
    return {t: known[cluster_name(t)] for t in TIERS if cluster_name(t) in known}


def stop(tier: str) -> None:
    """Stop one cluster (a province going offline)."""
    _run("pg_ctlcluster", VERSION, cluster_name(tier), "stop", "-m", "fast")


def start(tier: str) -> None:
    name = cluster_name(tier)
    _run("pg_ctlcluster", VERSION, name, "start")
    _wait_ready(_clusters()[name][0])


def down() -> None:
    for tier in TIERS:
        name = cluster_name(tier)
        if name in _clusters() or (CONF_ROOT / name).exists():
            _run("pg_dropcluster", "--stop", VERSION, name, check=False)


def url(port: int, database: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "status"
    if cmd == "up":
        for tier, port in up().items():
            print(tier, port)
    elif cmd == "status":
        for tier, (port, state) in status().items():
            print(tier, port, state)
    elif cmd == "down":
        down()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
