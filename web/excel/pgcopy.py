"""Rows in PostgreSQL's binary COPY format, for the columns an import writes.

Why binary: PostgreSQL then parses no numbers, dates or timestamps (text COPY spent a tenth of
the database's time of a large import on them), and a JSON document goes as it is, with no
escaping. Each field is its length (4 bytes, -1 for NULL) and its bytes; a row starts with its
number of fields; ``HEADER`` and ``TRAILER`` frame one COPY.
"""

from __future__ import annotations

import datetime as dt
import struct

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
NULL = struct.pack(">i", -1)
JSONB_VERSION = b"\x01"

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
EPOCH_DAY = dt.date(2000, 1, 1).toordinal()  # a date field is an integer: its days since then
INTEGER = struct.Struct(">ii")   # length 4, an integer (or a date)
_LONG = struct.Struct(">iq")     # length 8, a 64-bit integer
LENGTH = struct.Struct(">i")     # a field's length, before its bytes

# several fields in one pack, for the hot loops of the COPYs:
ROW_AND_INTEGER = struct.Struct(">hii")      # a row's field count, an integer field (4, value)
# a row's field count, two integer fields (4, value) and a jsonb field's length and version
ROW_INTEGERS_JSONB = struct.Struct(">hiiiiib")


def integer(value: int | None) -> bytes:
    return NULL if value is None else INTEGER.pack(4, value)


def text(value: str | None) -> bytes:
    if value is None:
        return NULL
    data = value.encode()
    return LENGTH.pack(len(data)) + data


def timestamptz(value: dt.datetime) -> bytes:
    """Microseconds since 2000-01-01 UTC (``value`` must carry its time zone)."""
    delta = value - _EPOCH
    return _LONG.pack(8, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)
