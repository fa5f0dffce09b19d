"""Static SVG charts for the printable report (HTML and PDF): no script, no external file, the
same picture in a browser, on paper and in WeasyPrint. Text is escaped; sizes are in px."""

from __future__ import annotations

from html import escape
from typing import Sequence

PALETTE = ("#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00")
FONT = "'Noto Sans CJK SC','Noto Serif CJK SC','Source Han Sans SC',sans-serif"


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def bars(title: str, items: Sequence[tuple[str, float]], *, width: int = 640, bar: int = 18) -> str:
    """A horizontal bar chart: one bar per (label, value), the value written at its end."""
    items = list(items)[:24]
    top, left, gap = 28, 150, 6
    height = top + len(items) * (bar + gap) + 10
    most = max((v for _, v in items), default=0) or 1
    span = width - left - 70
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="{FONT}" font-size="12" role="img" aria-label="{escape(title)}">',
           f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar + gap)
        w = max(1, round(span * value / most)) if value else 0
        out.append(f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end">{escape(label[:14])}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar}" fill="{PALETTE[0]}"/>')
        out.append(f'<text x="{left + w + 4}" y="{y + bar - 5}">{_num(value)}</text>')
    out.append("</svg>")
    return "".join(out)


def lines(title: str, xs: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, width: int = 640,
          height: int = 260) -> str:
    """A line chart over the points ``xs`` (snapshot dates), one line per series, with a legend."""
    series = list(series)[:8]
    left, right, top, bottom = 60, 20, 30, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs]
    most = max(values, default=0) or 1
    n = max(len(xs), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / most

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="{FONT}" font-size="11" role="img" aria-label="{escape(title)}">',
           f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
           f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{_num(most)}</text>',
           f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    for i, label in enumerate(xs):
        out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>')
    for k, (name, vs) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs))
        if len(vs) > 1:
            out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in enumerate(vs):
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}"/>')
        lx = left + (k % 4) * (plot_w / 4)
        ly = height - 22 + (k // 4) * 14
        out.append(f'<rect x="{lx:.1f}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{lx + 14:.1f}" y="{ly + 1}">{escape(name[:12])}</text>')
    out.append("</svg>")
    return "".join(out)
