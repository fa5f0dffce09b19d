"""One thing wrong with an import: where (sheet, row, column letter and header), what (rule), why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import errors as E


@dataclass(frozen=True)
class ImportProblem:
    sheet: str | None
    row: int | None          # the Excel row number (1 = header), None for file or sheet problems
    column: str | None       # column letter
    header: str | None       # the header text of that column
    rule: str                # V… code or the rule id
    message_zh: str
    message_en: str
    severity: str = "error"

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    @property
    def where_zh(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row:
            parts.append(f"第【{self.row}】行")
        if self.column:
            parts.append(f"第【{self.column}】列（{self.header or ''}）")
        return ",".join(parts)

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "rule": self.rule, "severity": self.severity, "message": self.message(lang)}


def problem(code: str, args: dict[str, Any], *, sheet: str | None = None, row: int | None = None,
            column: str | None = None, header: str | None = None, severity: str = "error") -> ImportProblem:
    return ImportProblem(sheet, row, column, header, code, E.render(code, args, "zh"), E.render(code, args, "en"),
                         severity)


class BadFile(Exception):
    """The file cannot be imported at all; nothing was read into the database."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems
