"""Bounds on what an import accepts and keeps; each one is configurable through the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Limits:
    # TMIS_IMPORT_MAX_MB: the uploaded file itself
    max_file_mb: int = 100
    # TMIS_IMPORT_MAX_UNCOMPRESSED_MB: all parts of the xlsx (a zip) once expanded
    max_uncompressed_mb: int = 2048
    # TMIS_IMPORT_MAX_RATIO: expanded / compressed size of any part; zip bombs reach 1000+
    max_ratio: int = 200
    # TMIS_IMPORT_MAX_ROWS: data rows of one sheet
    max_rows: int = 200_000
    # TMIS_IMPORT_MAX_COLUMNS: columns of one sheet
    max_columns: int = 300
    # TMIS_IMPORT_MAX_ERRORS: errors kept for the report (the count goes on beyond)
    max_errors: int = 20_000
    # TMIS_IMPORT_BACKGROUND_ROWS: the web runs files with more rows than this as a background job
    background_rows: int = 2_000
    # TMIS_IMPORT_PREFETCH_MB: a sheet whose XML is at most this large is parsed while the one
    # before it is checked (two sheets in memory at once); larger ones wait their turn. Small
    # sheets are read while 基本信息 is parsed only when the shared strings (parsed once more
    # for that) are at most this large too
    prefetch_mb: int = 40
    # TMIS_IMPORT_KEEP_DAYS: an import's error report (a copy of the uploaded workbook: personal
    # data) is deleted this many days after its job ended; so is anything else left in
    # $TMIS_IMPORT_DIR that long (the upload of a process that stopped mid-import)
    keep_days: int = 7

    @classmethod
    def from_env(cls) -> "Limits":
        return cls(
            max_file_mb=_int("TMIS_IMPORT_MAX_MB", cls.max_file_mb),
            max_uncompressed_mb=_int("TMIS_IMPORT_MAX_UNCOMPRESSED_MB", cls.max_uncompressed_mb),
            max_ratio=_int("TMIS_IMPORT_MAX_RATIO", cls.max_ratio),
            max_rows=_int("TMIS_IMPORT_MAX_ROWS", cls.max_rows),
            max_columns=_int("TMIS_IMPORT_MAX_COLUMNS", cls.max_columns),
            max_errors=_int("TMIS_IMPORT_MAX_ERRORS", cls.max_errors),
            background_rows=_int("TMIS_IMPORT_BACKGROUND_ROWS", cls.background_rows),
            prefetch_mb=_int("TMIS_IMPORT_PREFETCH_MB", cls.prefetch_mb),
            keep_days=_int("TMIS_IMPORT_KEEP_DAYS", cls.keep_days),
        )
