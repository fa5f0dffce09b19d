"""Bounds on what an import accepts and keeps; each one is configurable through the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


class BadLimit(ValueError):
    """A ``TMIS_IMPORT_*`` variable that is not a whole number ≥ 0. Carries the message in both
    languages (``zh``, ``en``) so the CLI and the web's start-up can show it as it is; a
    ``ValueError`` still, for callers that caught the bare one ``int()`` used to raise."""

    def __init__(self, name: str, raw: str, default: int, what_zh: str, what_en: str) -> None:
        self.name, self.raw = name, raw
        self.zh = (f"环境变量 {name} 的值「{raw}」无效：应为不小于 0 的整数（{what_zh}）。"
                   f"请改为例如 {name}={default}，或删除该变量以使用默认值 {default}。")
        self.en = (f"environment variable {name} has the invalid value '{raw}': expected a whole number ≥ 0 "
                   f"({what_en}). Set it to e.g. {name}={default}, or unset it to use the default, {default}.")
        super().__init__(f"{self.zh}\n{self.en}")


# name → (field, what it bounds in Chinese, in English); the field's default is the class's
_VARIABLES: dict[str, tuple[str, str, str]] = {
    "TMIS_IMPORT_MAX_MB": ("max_file_mb", "上传文件的最大 MB 数", "the largest upload, in MB"),
    "TMIS_IMPORT_MAX_UNCOMPRESSED_MB": ("max_uncompressed_mb", "解压后的最大 MB 数",
                                        "the largest size once unzipped, in MB"),
    "TMIS_IMPORT_MAX_RATIO": ("max_ratio", "最大压缩比", "the highest compression ratio"),
    "TMIS_IMPORT_MAX_ROWS": ("max_rows", "每个工作表的最多数据行数", "the most data rows of a sheet"),
    "TMIS_IMPORT_MAX_COLUMNS": ("max_columns", "每个工作表的最多列数", "the most columns of a sheet"),
    "TMIS_IMPORT_MAX_ERRORS": ("max_errors", "报告中保留的最多错误数", "the most errors kept for the report"),
    "TMIS_IMPORT_BACKGROUND_ROWS": ("background_rows", "超过此行数时在后台导入",
                                    "rows beyond which the web imports in the background"),
    "TMIS_IMPORT_ACCOUNTS_BACKGROUND_ROWS": ("account_background_rows", "教师用户导入超过此行数时在后台进行",
                                             "rows beyond which a teacher-account import runs in the background"),
    "TMIS_IMPORT_PREFETCH_MB": ("prefetch_mb", "预读工作表的最大 MB 数", "the largest sheet read ahead, in MB"),
    "TMIS_IMPORT_KEEP_DAYS": ("keep_days", "错误报告保留的天数", "days an error report is kept"),
}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    # digits only: int() would also take "-5", "+5" and "1_000", and a negative bound refuses everything
    if not text.isascii() or not text.isdigit():
        _, what_zh, what_en = _VARIABLES.get(name, ("", name, name))
        raise BadLimit(name, raw, default, what_zh, what_en)
    return int(text)


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
    # TMIS_IMPORT_ACCOUNTS_BACKGROUND_ROWS: a teacher-account import of more rows runs as a background
    # job with a progress bar (each account hashes a password: about a quarter of a second)
    account_background_rows: int = 20
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
        """The limits set in the environment (the defaults above for those unset). Raises
        ``BadLimit`` (both languages) for a value that is not a whole number ≥ 0."""
        return cls(**{field: _int(name, getattr(cls, field)) for name, (field, _, _) in _VARIABLES.items()})
