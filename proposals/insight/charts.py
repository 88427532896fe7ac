"""Charts of the dashboards and the monthly report, drawn on the server as SVG geometry.

Why SVG from the server and not a JavaScript chart library: the pages must show their
figures without JavaScript, the monthly report is printed (vector SVG prints sharp on A4,
a canvas does not), the content security policy stays strict, and the volunteers' ledger
already draws its chart this way. Every chart has a table with the same figures beside it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import pgettext

# Okabe–Ito: told apart by people with colour-vision deficiencies too.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#8C7A00",
    "#000000",
    "#999999",
    "#6A3D9A",
)
STATUS_COLOURS = {
    "submitted": "#999999",
    "accepted": "#56B4E9",
    "in_progress": "#E69F00",
    "done": "#009E73",
    "declined": "#D55E00",
    "referred": "#CC79A7",
    "withdrawn": "#DDDDDD",
}
BAR_COLOUR = "#0072B2"


def nice_top(largest: float) -> float:
    """A round top for an axis: 1, 2, 5, 10, 20, 50, ... at least the largest value."""
    magnitude = 1.0
    while magnitude * 10 < largest:
        magnitude *= 10
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= largest:
            return multiple * magnitude
    return 10 * magnitude


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    text: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: float


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    left: int
    right_edge: int
    baseline: float
    segments: list[Segment]
    labels: list[AxisLabel]
    ticks: list[Tick]
    legend: list[LegendItem]


def short_month(month: datetime.date) -> str:
    return formats.date_format(month, pgettext("short month on a chart axis, date format", "M"))


def stacked_columns(breakdown, colours: dict[str, str] | None = None) -> ColumnChart:
    """One column per month, stacked by series (a proposals.insight.analytics.MonthlyBreakdown)."""
    width, height, left, right, top, bottom = 480, 240, 32, 4, 12, 26
    plot_width, plot_height = width - left - right, height - top - bottom
    totals = breakdown.month_totals or (0,) * len(breakdown.months)
    scale_top = nice_top(max(totals, default=0) or 1)
    slot = plot_width / max(len(breakdown.months), 1)
    colour_of = {
        s.key: (colours or {}).get(s.key, PALETTE[index % len(PALETTE)])
        for index, s in enumerate(breakdown.series)
    }
    segments, labels = [], []
    for index, month in enumerate(breakdown.months):
        x = left + index * slot + slot * 0.15
        stacked = 0.0
        for s in breakdown.series:
            count = s.counts[index]
            if not count:
                continue
            segment_height = count / scale_top * plot_height
            stacked += segment_height
            segments.append(
                Segment(
                    x=round(x, 1),
                    y=round(top + plot_height - stacked, 1),
                    width=round(slot * 0.7, 1),
                    height=round(segment_height, 1),
                    colour=colour_of[s.key],
                    title=f"{short_month(month)} · {s.label}: {count}",
                )
            )
        labels.append(AxisLabel(round(left + index * slot + slot / 2, 1), short_month(month)))
    ticks = [
        Tick(round(top + plot_height * (1 - share), 1), round(scale_top * share, 1))
        for share in (0, 0.5, 1)
    ]
    legend = [LegendItem(s.label, colour_of[s.key]) for s in breakdown.series if s.total]
    return ColumnChart(
        width, height, left, width - right, top + plot_height, segments, labels, ticks, legend
    )


@dataclass(frozen=True)
class HorizontalBar:
    y: float
    label: str
    label_y: float
    width: float
    value_text: str
    value_x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_left: int
    bar_height: int
    bars: list[HorizontalBar]
    colour: str


def horizontal_bars(
    rows: list[tuple[str, float, str]], *, top: float | None = None, colour: str = BAR_COLOUR
) -> BarChart:
    """A bar per (label, value, value as shown) row; `top` fixes the scale (100 for shares)."""
    # Narrow, so that the labels stay legible when a phone scales the chart down.
    width, label_width, value_width, row_height, bar_height = 420, 96, 76, 30, 20
    plot_width = width - label_width - value_width
    scale_top = top or nice_top(max((value for _l, value, _t in rows), default=0) or 1)
    bars = []
    for index, (label, value, text) in enumerate(rows):
        bar_width = max(float(value or 0), 0) / scale_top * plot_width
        y = 4 + index * row_height
        bars.append(
            HorizontalBar(
                y=y,
                label=label,
                label_y=y + bar_height / 2,
                width=round(bar_width, 1),
                value_text=text,
                value_x=round(label_width + bar_width + 6, 1),
            )
        )
    return BarChart(width, 8 + len(rows) * row_height, label_width, bar_height, bars, colour)
