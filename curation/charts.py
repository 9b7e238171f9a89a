"""Bar charts laid out on the server, for templates to draw as inline SVG: no chart library, no JavaScript.

A chart carries its numbers as a table too, which the template renders visually hidden for screen readers.
"""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 32
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# The gap between bars, as a share of each bar's slot.
GAP = 0.25


@dataclass(frozen=True)
class Series:
    key: str  # names the CSS class that colours it: eg-series-<key>
    label: str
    values: list[int]


@dataclass(frozen=True)
class Segment:
    series: Series
    value: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    centre: float
    show_label: bool
    segments: list[Segment]
    total: int


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class BarChart:
    key: str  # unique on the page: the ids of the chart's title and description derive from it
    title: str
    description: str
    series: list[Series]
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1


def bar_chart(
    *, key: str, title: str, description: str, categories: list[str], series: list[Series], label_every: int = 1
) -> BarChart:
    """Bars for `categories`, one segment per series stacked from the bottom; every `label_every`-th bar labelled."""
    totals = [sum(one.values[index] for one in series) for index in range(len(categories))]
    step = _tick_step(max(totals, default=0))
    top = step * max(math.ceil(max(totals, default=0) / step), 1)
    scale = PLOT_HEIGHT / top
    slot = PLOT_WIDTH / max(len(categories), 1)
    bars = []
    for index, label in enumerate(categories):
        baseline = HEIGHT - BOTTOM
        segments = []
        for one in series:
            height = one.values[index] * scale
            baseline -= height
            segments.append(Segment(series=one, value=one.values[index], y=round(baseline, 1), height=round(height, 1)))
        x = LEFT + index * slot + slot * GAP / 2
        bars.append(Bar(
            label=label, x=round(x, 1), width=round(slot * (1 - GAP), 1), centre=round(LEFT + (index + 0.5) * slot, 1),
            show_label=index % label_every == 0, segments=segments, total=totals[index],
        ))
    ticks = [Tick(value=value, y=round(HEIGHT - BOTTOM - value * scale, 1)) for value in range(0, top + 1, step)]
    return BarChart(key=key, title=title, description=description, series=series, bars=bars, ticks=ticks)


def _tick_step(maximum: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` gridlines up to `maximum`."""
    raw = max(maximum / ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= raw)
