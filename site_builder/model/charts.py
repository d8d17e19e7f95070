"""Geometry of the static SVG bar charts: numbers in, rectangles out; the theme draws them."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 28, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal


@dataclass(frozen=True)
class Chart:
    """A bar chart of one series; `baseline` is the y of the zero line."""

    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]


def bar_chart(points: Sequence[tuple[str, Decimal]]) -> Chart | None:
    """Bars for (label, value) points, scaled to the largest value; None when nothing to draw."""
    if not points:
        return None
    top = max((v for _, v in points), default=Decimal(0))
    if top <= 0:
        return None
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(points)
    bar_w = min(72.0, slot * 0.6)
    bars = []
    for i, (label, value) in enumerate(points):
        h = float(max(value, Decimal(0)) / top) * plot_h
        x = LEFT + slot * i + (slot - bar_w) / 2
        bars.append(Bar(round(x, 1), round(TOP + plot_h - h, 1), round(bar_w, 1), round(h, 1), label, value))
    return Chart(WIDTH, HEIGHT, TOP + plot_h, tuple(bars))
