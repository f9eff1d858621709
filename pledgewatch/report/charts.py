"""Chart geometry for the inline SVG charts: numbers only, the templates draw them.

Computing the rectangles in Python keeps the templates free of arithmetic and lets the report
work with no script at all (the pages forbid scripts in their Content-Security-Policy).
Time axes are filled in, so an empty month or week shows as a gap rather than vanishing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    fill: str = ""


@dataclass(frozen=True)
class Tick:
    pos: float
    text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: float
    plot_top: float
    plot_bottom: float
    plot_right: float
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    show_values: bool
    title: str

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def bar_chart(points: Sequence[tuple[str, int]], *, title: str, width: int = 1160,
              height: int = 260, label_every: int | None = None, show_values: bool = True,
              y_axis: bool = True, fill: str = "") -> BarChart:
    left, right, top, bottom = (44.0 if y_axis else 4.0), 8.0, 16.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _, v in points), default=0))
    slot = plot_w / max(len(points), 1)
    gap = min(slot * 0.2, 4.0)
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top_value
        bars.append(Bar(x=round(left + i * slot + gap / 2, 2), y=round(top + plot_h - h, 2),
                        width=round(max(slot - gap, 1.0), 2), height=round(h, 2),
                        label=label, value=value, fill=fill))
    every = label_every or max(1, math.ceil(len(points) / 12))
    x_ticks = tuple(Tick(pos=round(left + (i + 0.5) * slot, 2), text=label)
                    for i, (label, _) in enumerate(points) if i % every == 0)
    y_ticks = ()
    if y_axis:
        # 1, 2, 5 times a power of ten split into whole, round steps (2 -> 0,1,2; 50 -> by 10).
        leading = top_value // 10 ** math.floor(math.log10(top_value))
        steps = min(top_value, {1: 5, 2: 4, 5: 5}.get(leading, 4))
        if plot_h < 100:  # a sparkline-sized chart: just zero and the top
            steps = 1
        y_ticks = tuple(Tick(pos=round(top + plot_h - plot_h * k / steps, 2),
                             text=f"{top_value * k / steps:g}") for k in range(steps + 1))
    return BarChart(width=width, height=height, plot_left=left, plot_top=top,
                    plot_bottom=top + plot_h, plot_right=width - right, bars=tuple(bars),
                    x_ticks=x_ticks, y_ticks=y_ticks,
                    show_values=show_values and slot >= 18, title=title)


# --- time axes --------------------------------------------------------------------------------
def month_range(months: Sequence[str]) -> list[str]:
    """Every ``YYYY-MM`` from the first to the last given, inclusive."""
    parsed = sorted({(int(m[:4]), int(m[5:7])) for m in months if len(m) >= 7})
    if not parsed:
        return []
    (y, m), end = parsed[0], parsed[-1]
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def fill_months(points: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    counts = dict(points)
    return [(m, counts.get(m, 0)) for m in month_range(list(counts))]


def week_monday(label: str, style: str) -> dt.date | None:
    """The Monday a view's week label stands for.

    SQLite buckets with ``strftime('%Y-W%W')`` (weeks start on Monday, week 00 holds the days
    before the year's first Monday); PostgreSQL with ISO weeks (``IYYY-"W"IW``).
    """
    try:
        year, week = int(label[:4]), int(label.split("W", 1)[1])
        if style == "postgresql":
            return dt.date.fromisocalendar(year, week, 1)
        return dt.datetime.strptime(f"{year}-{week}-1", "%Y-%W-%w").date()
    except (ValueError, IndexError):
        return None


def week_label(monday: dt.date, style: str) -> str:
    if style == "postgresql":
        iso = monday.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return monday.strftime("%Y-W%W")


def weekly_series(weekly: Mapping[str, Mapping[str, int]], style: str
                  ) -> tuple[list[str], dict[str, list[int]]]:
    """One shared, gap-free week axis and every site's counts along it."""
    by_site: dict[str, dict[dt.date, int]] = {}
    for site, weeks in weekly.items():
        counts: dict[dt.date, int] = {}
        for label, n in weeks.items():
            monday = week_monday(label, style)
            if monday is not None:  # week 00 and the previous year's last week are one week
                counts[monday] = counts.get(monday, 0) + n
        by_site[site] = counts
    mondays = sorted({d for counts in by_site.values() for d in counts})
    if not mondays:
        return [], {site: [] for site in weekly}
    axis = []
    day = mondays[0]
    while day <= mondays[-1]:
        axis.append(day)
        day += dt.timedelta(days=7)
    labels = [week_label(d, style) for d in axis]
    return labels, {site: [counts.get(d, 0) for d in axis] for site, counts in by_site.items()}


# --- stacked bars: pledges by area and stage --------------------------------------------------
@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    stage: str
    count: int


@dataclass(frozen=True)
class StackRow:
    label: str
    y: float
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class StackChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: tuple[StackRow, ...]


def stacked_rows(rows: Sequence[tuple[str, Mapping[str, int]]], order: Sequence[str], *,
                 width: int = 1160, label_width: int = 110, bar_height: int = 24
                 ) -> StackChart:
    scale_max = max((sum(c.values()) for _, c in rows), default=0) or 1
    plot_w = width - label_width - 48
    out = []
    for i, (label, counts) in enumerate(rows):
        x = float(label_width)
        segments = []
        for stage in order:
            n = counts.get(stage, 0)
            if n:
                w = plot_w * n / scale_max
                segments.append(Segment(x=round(x, 2), width=round(w, 2), stage=stage, count=n))
                x += w
        out.append(StackRow(label=label, y=8 + i * (bar_height + 10),
                            total=sum(counts.values()), segments=tuple(segments)))
    height = 8 + len(rows) * (bar_height + 10) + 4
    return StackChart(width=width, height=height, label_width=label_width,
                      bar_height=bar_height, rows=tuple(out))
