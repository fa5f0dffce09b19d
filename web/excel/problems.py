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
    hint_zh: str = ""        # how to put it right, where the catalogue says (a rule's message says it itself)
    hint_en: str = ""

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def hint(self, lang: str = "zh") -> str:
        return self.hint_en if lang == "en" else self.hint_zh

    def where(self, lang: str = "zh") -> str:
        """The sheet, row and column, as far as known ("" for a problem of the whole file)."""
        en = lang == "en"
        parts = []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'" if en else f"工作表「{self.sheet}」")
        if self.row:
            parts.append(f"row {self.row}" if en else f"第【{self.row}】行")
        if self.column:
            header = (f" ({self.header})" if en else f"（{self.header}）") if self.header else ""
            parts.append(f"column {self.column}{header}" if en else f"第【{self.column}】列{header}")
        return ", ".join(parts) if en else ",".join(parts)

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "rule": self.rule, "severity": self.severity, "message": self.message(lang), "hint": self.hint(lang)}

    def as_stored(self) -> dict[str, Any]:
        """Both languages, for a job's result (read later in the reader's language: ``localised``)."""
        return {**self.as_json("zh"), "message_en": self.message_en, "hint_en": self.hint_en}


def localised(stored: dict[str, Any], lang: str) -> dict[str, Any]:
    """A problem kept by ``as_stored`` as ``as_json(lang)`` gives it."""
    out = {k: v for k, v in stored.items() if k not in ("message_en", "hint_en")}
    if lang == "en":
        out["message"] = stored.get("message_en") or stored.get("message", "")
        out["hint"] = stored.get("hint_en") or stored.get("hint", "")
    return out


def problem(code: str, args: dict[str, Any], *, sheet: str | None = None, row: int | None = None,
            column: str | None = None, header: str | None = None, severity: str = "error") -> ImportProblem:
    return ImportProblem(sheet, row, column, header, code, E.render(code, args, "zh"), E.render(code, args, "en"),
                         severity, *catalogue_hint(code, args))


def catalogue_hint(code: str, args: dict[str, Any]) -> tuple[str, str]:
    """The catalogue's fix for ``code`` in both languages (none for a rule's id)."""
    if code not in E.CATALOGUE:
        return "", ""
    return E.render_hint(code, args, "zh"), E.render_hint(code, args, "en")


class BadFile(Exception):
    """The file cannot be imported at all; nothing was read into the database."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems
