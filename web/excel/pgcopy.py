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
_EPOCH_DAY = dt.date(2000, 1, 1).toordinal()
_INT = struct.Struct(">ii")      # length 4, an integer
_LONG = struct.Struct(">iq")     # length 8, a 64-bit integer
_LENGTH = struct.Struct(">i")
_COUNT = struct.Struct(">h")

# two fields in one pack, for the hot loop of the records' COPY:
ROW_AND_INTEGER = struct.Struct(">hii")      # a row's field count, an integer field (4, value)
INTEGER_AND_JSONB = struct.Struct(">iiib")   # an integer field (4, value), a jsonb field's length and version


def count(fields: int) -> bytes:
    """A row's start: how many fields follow."""
    return _COUNT.pack(fields)


def integer(value: int | None) -> bytes:
    return NULL if value is None else _INT.pack(4, value)


def text(value: str | None) -> bytes:
    if value is None:
        return NULL
    data = value.encode()
    return _LENGTH.pack(len(data)) + data


def date(value: dt.date) -> bytes:
    return _INT.pack(4, value.toordinal() - _EPOCH_DAY)


def timestamptz(value: dt.datetime) -> bytes:
    """Microseconds since 2000-01-01 UTC (``value`` must carry its time zone)."""
    delta = value - _EPOCH
    return _LONG.pack(8, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)
