"""Reading the statistics pages as a user's eyes do: the tables by id, their rows' cells and links
(a small HTML reader of the standard library; the pages are the app's own markup)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from modules.statistics.tests.conftest import DEMO_PASSWORD
from tests.web.conftest import Client


@dataclass
class Row:
    attrs: dict[str, str]
    cells: list[str] = field(default_factory=list)
    measures: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)


@dataclass
class Table:
    attrs: dict[str, str]
    head: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    foot: list[str] = field(default_factory=list)


class PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Table] = {}
        self.scripts: list[dict[str, str]] = []
        self.links: list[str] = []
        self._table: Table | None = None
        self._part = ""
        self._row: Row | None = None
        self._cell: list[str] | None = None
        self._cell_attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.scripts.append(a)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if self._row is not None:
                self._row.links.append(a["href"])
        if tag == "table":
            self._table = Table(a)
            self.tables[a.get("id", f"t{len(self.tables)}")] = self._table
        elif self._table is None:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = tag
        elif tag == "tr":
            self._row = Row(a)
        elif tag in ("td", "th"):
            self._cell, self._cell_attrs = [], a

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._table is None:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            value = "".join(self._cell).strip()
            self._row.cells.append(value)
            if "data-measure" in self._cell_attrs:
                self._row.measures[self._cell_attrs["data-measure"]] = value
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._part == "thead":
                self._table.head = self._row.cells
            elif self._part == "tfoot":
                self._table.foot = self._row.cells
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None


def read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


def clients(app: Any) -> Any:
    cache: dict[str, Client] = {}

    def get(username: str) -> Client:
        if username not in cache:
            cache[username] = Client(app, username, DEMO_PASSWORD)
        return cache[username]

    return get


def shown(key: str, value: Any) -> str:
    """A measure as the page shows it (modules/statistics/charts.py fmt)."""
    if value is None:
        return "—"
    if key == "share":
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
