"""教师队伍分析报告 (issue 16; 暂行办法 art. 28–29): per unit and year, a generated printable document
(HTML, and PDF) with the standard tables, a chart of each (static SVG: the same picture on screen,
on paper and in the PDF) and short generated text from the snapshots ("在职教师 1,234 人，比上年
增加 2.1%…").

The year's figures are those of its last snapshot (snapshots.py); for the current year without
one, the current approved data. The comparison is with the previous year's last snapshot, when
there is one. Every figure is ``service.compute`` (scope: stats.read at the unit or above).

PDF: WeasyPrint (pango) with the Debian fonts-noto-cjk fonts. When either is missing (a fresh
``make run`` machine), ``pdf_available()`` says why and the HTML page shows it instead of the
link; the PDF address answers 503 W516 with that reason, never a server error.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from modules.statistics import service as stats
from modules.statistics import snapshots as S
from modules.statistics import svgcharts
from web.errors import Refusal, _e
from web.principal import Principal

HERE = Path(__file__).resolve().parent
CSS = HERE / "static" / "report.css"
TABLES = ("by_school_type", "gender", "age_structure", "education", "title_level", "subject", "urban_rural",
          "ethnicity", "political_status", "teaching_years", "post_category", "on_establishment")

W_YEAR = _e("W514", 422, "年份「{value}」无效", "The year '{value}' is not valid",
            "写成四位年份，{low} 至 {high} 之间。", "Write a four-digit year from {low} to {high}.")
W_NO_DATA = _e("W515", 404, "没有 {year} 年的统计快照", "No statistics snapshot of {year}",
               "有快照的年份：{years}。快照在每年 3 月底、9 月底自动生成，省级单位也可手动生成。",
               "Years with snapshots: {years}. Snapshots are taken at the end of March and September, or by the province.")
W_NO_PDF = _e("W516", 503, "PDF 暂不可用：{reason}", "The PDF is not available: {reason_en}",
              "请使用网页版（可直接打印），或请系统管理员安装 {fix}。",
              "Use the web page (it prints), or ask the system administrator to install {fix}.")


# ------------------------------------------------------------------ the PDF renderer

@lru_cache(maxsize=1)
def pdf_available() -> tuple[bool, str, str, str]:
    """(available, reason zh, reason en, what to install)."""
    try:
        import weasyprint  # noqa: F401  (needs pango at import)
    except (ImportError, OSError) as exc:
        return False, f"未安装 PDF 生成组件（{type(exc).__name__}）", f"the PDF renderer is missing ({type(exc).__name__})", \
            "weasyprint 及 pango（apt-get install libpango-1.0-0 libpangoft2-1.0-0）"
    if shutil.which("fc-list"):
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
        if not found.strip():
            return False, "服务器没有中文字体", "the server has no Chinese font", "fonts-noto-cjk（apt-get install fonts-noto-cjk）"
    return True, "", "", ""


def to_pdf(html: str) -> bytes:
    ok, why, why_en, fix = pdf_available()
    if not ok:
        raise Refusal(W_NO_PDF, reason=why, reason_en=why_en, fix=fix)
    from weasyprint import CSS as WCSS, HTML

    return HTML(string=html, base_url=str(HERE)).write_pdf(stylesheets=[WCSS(filename=str(CSS))])


# ------------------------------------------------------------------ the content

def _year(value: Any, today: dt.date) -> int:
    text = "" if value is None else str(value).strip()
    low = 2000
    if not text:
        return today.year
    if not (text.isascii() and text.isdigit() and low <= int(text) <= today.year):
        raise Refusal(W_YEAR, value=text[:10], low=low, high=today.year)
    return int(text)


def _basis(db: Session, year: int, today: dt.date) -> tuple[Any, Any]:
    """(the year's snapshot or None for the current data, the previous year's last snapshot or None)."""
    snaps = S.listing(db)
    this = [s for s in snaps if s.as_of.year == year]
    before = [s for s in snaps if s.as_of.year == year - 1]
    if not this and year != today.year:
        years = sorted({s.as_of.year for s in snaps} | {today.year})
        raise Refusal(W_NO_DATA, year=year, years="、".join(map(str, years)))
    return (this[-1] if this else None), (before[-1] if before else None)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _first_dim(result: dict[str, Any]) -> list[tuple[str, int]]:
    """(label of the first dimension, count) summed over the others, largest first."""
    key = result["dims"][0]["key"] if result["dims"] else None
    totals: dict[str, int] = {}
    for r in result["rows"]:
        label = r["labels"].get(key, "") if key else ""
        totals[label] = totals.get(label, 0) + int(r["count"])
    return sorted(totals.items(), key=lambda kv: -kv[1])


def _tiers(parts: list[tuple[str, int]]) -> list[tuple[list[str], int]]:
    """Groups of equal size, largest first: [(labels, count), …] (a tie is one tier, never "mostly" one of them)."""
    out: list[tuple[list[str], int]] = []
    for label, n in parts:
        if out and out[-1][1] == n:
            out[-1][0].append(label)
        else:
            out.append(([label], n))
    return out


def describe(result: dict[str, Any], lang: str = "zh") -> str:
    """One sentence on a table: its largest groups and their shares (equal groups named together)."""
    total = result["total"]
    parts = _first_dim(result)
    if not total or not parts:
        return "没有在职教师。" if lang != "en" else "No active teachers."
    tiers = _tiers(parts)
    if lang == "en":
        def en(labels: list[str], n: int) -> str:
            share = _pct(n / total)
            return f"{labels[0]} ({share})" if len(labels) == 1 else f"{', '.join(labels)} ({share} each)"
        (top, n), rest = tiers[0], tiers[1:]
        if len(parts) == 1:
            return f"All {top[0]}."
        if len(top) == len(parts):
            return f"Evenly spread over {', '.join(top)} ({_pct(n / total)} each)."
        text = ("Mostly " if len(top) == 1 else "Largest groups: ") + en(top, n)
        return text + (f", then {en(*rest[0])}" if rest else "") + "."

    def zh(labels: list[str], n: int) -> str:
        quoted, share = "".join(f"「{x}」" for x in labels), _pct(n / total)
        return f"{quoted}，占 {share}" if len(labels) == 1 else f"{quoted}，各占 {share}"
    (top, n), rest = tiers[0], tiers[1:]
    quoted, share = "".join(f"「{x}」" for x in top), _pct(n / total)
    if len(parts) == 1:
        return f"全部为{quoted}。"
    if len(top) == len(parts):
        return f"{quoted}人数相同，各占 {share}。"
    text = f"以{quoted}为主，占 {share}" if len(top) == 1 else f"{quoted}人数并列最多，各占 {share}"
    return text + (f"；其次为{zh(*rest[0])}" if rest else "") + "。"


def headline(total: int, before: int | None, lang: str = "zh") -> str:
    """在职教师 12,345 人，比上年增加 2.1%（+254 人）。"""
    if lang == "en":
        if before is None:
            return f"{total:,} active teachers (no snapshot of the year before to compare with)."
        if not before:
            return f"{total:,} active teachers (none the year before)."
        d = total - before
        return f"{total:,} active teachers, {'up' if d >= 0 else 'down'} {_pct(abs(d) / before)} on the year before ({d:+,})."
    if before is None:
        return f"在职教师 {total:,} 人（无上年快照，未作比较）。"
    if not before:
        return f"在职教师 {total:,} 人（上年无在职教师）。"
    d = total - before
    word = "增加" if d > 0 else "减少" if d < 0 else "持平，变化"
    return f"在职教师 {total:,} 人，比上年{word} {_pct(abs(d) / before)}（{d:+,} 人）。"


def build(db: Session, me: Principal, unit_code: str, year: Any = None, *, cat: Any = None,
          lang: str = "zh") -> dict[str, Any]:
    """Everything the report shows, as plain data for its template (HTML and PDF alike)."""
    from web.people import clock

    today = clock.today()
    y = _year(year, today)
    unit = stats.resolve_unit(db, me, unit_code)
    basis, previous = _basis(db, y, today)
    keys = [t.key for t in stats.tables_for(me, cat)]
    chosen = [k for k in TABLES if k in keys] or keys[:8]
    sections = []
    total = None
    for i, key in enumerate(chosen, 1):
        res = stats.compute(db, me, key, unit.code, snapshot=basis.id if basis else None, cat=cat, lang=lang).json(lang)
        total = res["total"] if total is None else total
        sections.append({"key": key, "n": i, "label": res["table"]["label"], "result": res,
                         "text": describe(res, lang),
                         "chart": svgcharts.bars(f"图 {i} {res['table']['label']}" if lang != "en" else
                                                 f"Figure {i}. {res['table']['label']}", _first_dim(res))})
    before_total = None
    if previous is not None and chosen:
        before_total = stats.compute(db, me, chosen[0], unit.code, snapshot=previous.id, cat=cat, lang=lang).total
    points = [(s.as_of.isoformat(), stats.compute(db, me, chosen[0], unit.code, snapshot=s.id, cat=cat).total)
              for s in S.listing(db) if s.as_of.year <= y] if chosen else []
    if basis is None and chosen:
        points.append((today.isoformat(), total or 0))
    trend = svgcharts.lines("在职教师人数变化" if lang != "en" else "Active teachers over time",
                            [p[0] for p in points], [("在职教师" if lang != "en" else "Teachers", [p[1] for p in points])]) \
        if len(points) >= 2 else None
    as_of = basis.as_of.isoformat() if basis else sections[0]["result"]["as_of"][:10] if sections else today.isoformat()
    title = f"{unit.name}{y} 年教师队伍分析报告" if lang != "en" else f"{unit.name}: analysis of the teaching force, {y}"
    return {"title": title, "unit": stats.unit_json(unit), "year": y, "as_of": as_of,
            "basis": S.snapshot_json(basis, lang) if basis else None,
            "previous": S.snapshot_json(previous, lang) if previous else None,
            "headline": headline(total or 0, before_total, lang), "total": total or 0, "before_total": before_total,
            "sections": sections, "trend": trend, "generated": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
            "pdf": dict(zip(("ok", "why", "why_en", "fix"), pdf_available()))}
