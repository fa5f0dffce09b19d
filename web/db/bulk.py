"""Many rows into one table in the caller's transaction, with no ORM bookkeeping: one executemany,
or on PostgreSQL, from ``COPY_FROM`` rows on, a COPY on the session's own connection (as
web/audit.py seals a bulk action's entries). A confirmation's thousands of ledger entries and
国内培训 records go this way (benchmarks/credits.py: an executemany of 9,000 rows spent most of its
time framing and sending one statement per row)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

COPY_FROM = 100


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _stamp(value: Any) -> Any:  # as UTCDateTime binds: a naive time is UTC
    return value.replace(tzinfo=timezone.utc) if isinstance(value, datetime) and value.tzinfo is None else value


def insert_many(db: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``rows`` (dicts with the same keys: the columns written; the others take their server
    defaults) into ``table``. Python-side column defaults are not applied on the COPY path: give
    every value the table needs."""
    if not rows:
        return
    if len(rows) < COPY_FROM or db.get_bind().dialect.name != "postgresql":
        db.execute(table.insert(), list(rows))
        return
    cols = list(rows[0])
    convert = [_json if isinstance(table.c[c].type, JSON) else _stamp for c in cols]
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([f(r[c]) for f, c in zip(convert, cols)])
