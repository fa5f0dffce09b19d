"""Fuzz the JSON API with schemathesis against its own OpenAPI document and print the counts.

    .venv/bin/python benchmarks/fuzz.py [--examples 60] [--seconds 900] [--database URL]

A fresh SQLite database (or the empty database at --database), the real app, an information manager
and a teacher (web/fuzzing.py). The suite runs a small version of this (tests/web/test_fuzz.py);
this is the larger run. Exit status 1 when there was a server error or a schema violation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60, help="generated requests per operation and account")
    parser.add_argument("--seconds", type=float, default=900, help="time budget of the whole run")
    parser.add_argument("--database", help="an empty database URL (default: a new SQLite file)")
    parser.add_argument("--show", type=int, default=20, help="failures to print")
    args = parser.parse_args()

    from web.app import create_app
    from web.db.migrate import upgrade
    from web.fuzzing import run
    from web.settings import Settings

    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='tmis-fuzz-')}/fuzz.sqlite3"
    upgrade(url)
    app = create_app(Settings(database_url=url, secret_key="fuzz", argon2_time_cost=1, argon2_memory_kib=1024))
    out = run(app, examples=args.examples, seconds=args.seconds, seed=None)
    print(out.summary())
    for line in (out.server_errors + out.violations)[:args.show]:
        print(" ", line)
    return 1 if out.server_errors or out.violations else 0


if __name__ == "__main__":
    sys.exit(main())
