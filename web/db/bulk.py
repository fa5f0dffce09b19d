"""Many rows into one table in the caller's transaction, with no ORM bookkeeping: one executemany,
or on PostgreSQL, from ``COPY_FROM`` rows on, a COPY on the session's own connection (as
web/audit.py seals a bulk action's entries). A confirmation's thousands of ledger entries and
国内培训 records go this way (benchmarks/credits.py: an executemany of 9,000 rows spent most of its
time framing and sending one statement per row)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from sqlalchemy import JSON, DateTime, Table, TypeDecorator
from sqlalchemy.orm import Session

COPY_FROM = 100


def insert_many(db: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``rows`` (dicts with the same keys: the columns written; the others take their server
    defaults) into ``table``. Python-side column defaults are not applied on the COPY path: give
    every value the table needs. Rows may share one JSON document object: it is encoded once."""
    if not rows:
        return
    if len(rows) < COPY_FROM or db.get_bind().dialect.name != "postgresql":
        db.execute(table.insert(), list(rows))
        return
    cols = list(rows[0])
    docs = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, JSON)]
    stamps = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, (DateTime, TypeDecorator))
              and not isinstance(table.c[c].type, JSON)]
    encoded: dict[int, str] = {}  # id(document) -> its JSON (the documents stay alive in rows meanwhile)
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
        for r in rows:
            values = [r[c] for c in cols]
            for i in docs:
                doc = values[i]
                if doc is not None:
                    key = id(doc)
                    if key not in encoded:
                        encoded[key] = json.dumps(doc, ensure_ascii=False)
                    values[i] = encoded[key]
            for i in stamps:  # as UTCDateTime binds: a naive time is UTC
                v = values[i]
                if isinstance(v, datetime) and v.tzinfo is None:
                    values[i] = v.replace(tzinfo=timezone.utc)
            copy.write_row(values)
