"""A bar chart of hours per month, drawn on the server as SVG geometry for a template.

No JavaScript and no CDN: the template draws rectangles from these numbers, and a table
beside the chart carries the same figures for screen readers and print.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import pgettext

from volunteers.selectors import Month

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 36, 6, 12, 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month, short
    value: Decimal
    label_x: float


@dataclass(frozen=True)
class Tick:
    y: float
    value: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    baseline: float
    left: int
    right_edge: int
    total: Decimal


def _nice_top(largest: Decimal) -> int:
    """A round top for the axis: 5, 10, 20, 50, 100, ... at least the largest value."""
    magnitude = 1
    while True:
        for multiple in (5, 10, 20):
            top = multiple * magnitude
            if top >= largest:
                return top
        magnitude *= 10


def month_chart(months: list[Month]) -> Chart:
    largest = max((month.hours for month in months), default=Decimal(0))
    top = _nice_top(largest)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(months), 1)
    bars = []
    for index, month in enumerate(months):
        height = float(month.hours) / top * plot_height
        x = LEFT + index * slot + slot * 0.15
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=formats.date_format(
                    month.month, pgettext("short month on a chart axis, date format", "M")
                ),
                value=month.hours,
                label_x=round(LEFT + index * slot + slot / 2, 1),
            )
        )
    ticks = [
        Tick(y=round(TOP + plot_height - plot_height * float(share), 1), value=top * share)
        for share in (Decimal(0), Decimal("0.5"), Decimal(1))
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        ticks=ticks,
        baseline=TOP + plot_height,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        total=sum((month.hours for month in months), Decimal(0)),
    )
