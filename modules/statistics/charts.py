"""What the dashboards draw, from the service's answers (``StatResult.json()``, ``CrossTab.json()``):
the chart specifications the page script hands to ECharts (modules/statistics/static/stats.js) and
the rows of the tables shown under each chart. Pure functions of the JSON the API returns, so a page
shows exactly the API's numbers (modules/statistics/tests/test_pages.py compares them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

MAX_SERIES = 12  # a stacked chart shows at most this many series; the rest are summed as 其他


def text(value: Any, lang: str) -> str:
    """A label the service gave as text or as {zh, en}."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("zh") or value.get("en") or "")
    if value is None:
        return ""
    return str(value)


def as_of_text(as_of: Any, lang: str) -> str:
    """"2026-12-03T10:00:00+08:00" → "2026-12-03 10:00" (the data's time, as the service stated it)."""
    if not as_of:
        return "—"
    try:
        when = datetime.fromisoformat(str(as_of))
    except ValueError:
        return str(as_of)
    return when.strftime("%Y-%m-%d %H:%M") if (when.hour or when.minute) else when.strftime("%Y-%m-%d")


def as_of_line(as_of: Any, lang: str) -> str:
    return ("Data as of " if lang == "en" else "数据截至 ") + as_of_text(as_of, lang)


def measure_keys(result: Mapping[str, Any]) -> list[str]:
    return [m["key"] for m in result.get("measures") or [{"key": "count"}]]


def fmt(key: str, value: Any) -> str:
    """A measure as shown (the export writes the numbers themselves)."""
    if value is None:
        return "—"
    if key == "share":
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def table_rows(result: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The rows of a result as the page's table shows them: labels of each dimension, the measures."""
    dims = [d["key"] for d in result.get("dims", [])]
    keys = measure_keys(result)
    out = []
    for row in result.get("rows", []):
        labels = row.get("labels") or {}
        out.append({"dims": row.get("dims", {}),
                    "labels": [text(labels.get(d, (row.get("dims") or {}).get(d, "")), lang) for d in dims],
                    "count": row.get("count", 0),
                    "cells": [(k, row.get(k), fmt(k, row.get(k))) for k in keys]})
    return out


def _first_dim_totals(result: Mapping[str, Any], lang: str) -> tuple[list[str], list[str], dict[str, int]]:
    """(codes in the service's order, their labels, count per code) along the first dimension."""
    dims = [d["key"] for d in result.get("dims", [])]
    codes: list[str] = []
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    if not dims:
        return [], [], {}
    first = dims[0]
    for row in result.get("rows", []):
        code = str((row.get("dims") or {}).get(first, ""))
        if code not in counts:
            codes.append(code)
            labels[code] = text((row.get("labels") or {}).get(first, code), lang)
            counts[code] = 0
        counts[code] += int(row.get("count") or 0)
    return codes, [labels[c] for c in codes], counts


def chart_of(result: Mapping[str, Any], lang: str, *, title: str | None = None) -> dict[str, Any]:
    """A horizontal bar chart (one dimension) or stacked bars (the first dimension by the second;
    a third dimension is summed). Horizontal bars read on a 390 px phone."""
    dims = [d["key"] for d in result.get("dims", [])]
    head = title if title is not None else text((result.get("table") or {}).get("label"), lang)
    spec: dict[str, Any] = {"title": head, "as_of": as_of_line(result.get("as_of"), lang),
                            "value_name": "人数" if lang != "en" else "Teachers"}
    codes, labels, counts = _first_dim_totals(result, lang)
    spec["categories"] = labels
    if len(dims) < 2:
        spec["series"] = [{"name": spec["value_name"], "data": [counts[c] for c in codes]}]
        return spec
    second = dims[1]
    order: list[str] = []
    names: dict[str, str] = {}
    cells: dict[tuple[str, str], int] = {}
    for row in result.get("rows", []):
        d = row.get("dims") or {}
        a, b = str(d.get(dims[0], "")), str(d.get(second, ""))
        if b not in names:
            order.append(b)
            names[b] = text((row.get("labels") or {}).get(second, b), lang)
        cells[(a, b)] = cells.get((a, b), 0) + int(row.get("count") or 0)
    if len(order) > MAX_SERIES:  # the largest series stay, the rest are summed
        size = {b: sum(cells.get((a, b), 0) for a in codes) for b in order}
        keep = sorted(order, key=lambda b: -size[b])[:MAX_SERIES - 1]
        rest = [b for b in order if b not in keep]
        order = [b for b in order if b in keep] + ["\0rest"]
        names["\0rest"] = "Others" if lang == "en" else "其他"
        for a in codes:
            cells[(a, "\0rest")] = sum(cells.get((a, b), 0) for b in rest)
    spec["stacked"] = True
    spec["series"] = [{"name": names[b], "data": [cells.get((a, b), 0) for a in codes]} for b in order]
    return spec


def children_chart(children: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]], lang: str,
                   title: str, links: list[str | None]) -> dict[str, Any]:
    """The units one level down, each a bar of its total (stacked by the table's first dimension);
    a click on a unit's bar opens its dashboard (``links``, in the same order)."""
    children = list(children)
    units = [text(u.get("name"), lang) for u, _ in children]
    first: list[str] = []
    names: dict[str, str] = {}
    per_unit: list[dict[str, int]] = []
    as_of = None
    for _, res in children:
        as_of = as_of or res.get("as_of")
        codes, labels, counts = _first_dim_totals(res, lang)
        for c, lbl in zip(codes, labels):
            if c not in names:
                first.append(c)
                names[c] = lbl
        per_unit.append(counts)
    spec: dict[str, Any] = {"title": title, "as_of": as_of_line(as_of, lang), "categories": units,
                            "links": links, "stacked": True,
                            "value_name": "人数" if lang != "en" else "Teachers"}
    if len(first) > MAX_SERIES or not first:
        spec["series"] = [{"name": spec["value_name"],
                           "data": [int(res.get("total") or 0) for _, res in children]}]
        spec["stacked"] = False
    else:
        spec["series"] = [{"name": names[c], "data": [pu.get(c, 0) for pu in per_unit]} for c in first]
    return spec


def crosstab_chart(ct: Mapping[str, Any], lang: str, title: str) -> dict[str, Any]:
    """Stacked bars of a cross table: one bar per row value, one colour per column value."""
    rows, cols = ct["row_labels"], ct["col_labels"]
    return {"title": title, "as_of": as_of_line(ct.get("as_of"), lang), "categories": rows, "stacked": True,
            "value_name": "人数" if lang != "en" else "Teachers",
            "series": [{"name": c, "data": [ct["cells"][i][j] for i in range(len(rows))]}
                       for j, c in enumerate(cols)][:MAX_SERIES * 2]}


def headline(results: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The dashboard's headline numbers: the head count (every standard table counts the same
    teachers) and, where a table measures it, the average age over all its rows."""
    total = int(results[0].get("total") or 0) if results else 0
    avg_age = None
    for res in results:
        rows = [r for r in res.get("rows", []) if r.get("avg_age") is not None and r.get("count")]
        if rows:
            n = sum(int(r["count"]) for r in rows)
            avg_age = round(sum(float(r["avg_age"]) * int(r["count"]) for r in rows) / n, 1) if n else None
            break
    return {"total": total, "avg_age": avg_age}
