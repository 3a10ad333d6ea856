"""The geometry of the report's charts, drawn as inline SVG by templates/reports/charts.html.

Drawn on the server: no script, nothing for the Content-Security-Policy to refuse, and the
numbers are in the page for anyone who cannot see the picture (each chart has a title, a
description and a table beside it). Colours come from classes in app.css.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from mdt.reports.measures import Month, Ratio

WIDTH = 640
STANDARD = 200 / 3  # the 2/3 standard, in percent


def percent_text(ratio: Ratio) -> str:
    return "no data" if ratio.percent is None else f"{ratio.percent:.0f}%"


_BELOW = ' <strong class="nhsuk-tag nhsuk-tag--orange">Below 2/3</strong>'


def ratio_html(ratio: Ratio, standard: bool = False) -> Markup:
    """A ratio as the report's tables show it: "67% (8 of 12)", tagged when below the 2/3
    standard where that applies. A function, not a template macro: a year's report shows a
    hundred of them, and a macro call costs several times as much."""
    if not ratio.out_of:
        return Markup("No data")
    tag = _BELOW if standard and ratio.below_two_thirds else ""
    return Markup(
        f'{percent_text(ratio)} <span class="nhsuk-body-s app-ratio">'
        f"({ratio.count} of {ratio.out_of})</span>{tag}"
    )


@dataclass
class Bar:
    label: str
    text: str
    y: float
    width: float
    below: bool


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    height: float
    label_width: float = 170
    plot_width: float = 330
    bar_height: float = 22

    @property
    def standard_x(self) -> float:
        return self.label_width + self.plot_width * STANDARD / 100

    @property
    def ticks(self) -> list[tuple[float, str]]:
        return [(self.label_width + self.plot_width * p / 100, f"{p}%") for p in (0, 50, 100)]


def bar_chart(chart_id: str, title: str, ratios: dict[str, Ratio]) -> BarChart:
    """One horizontal bar per group, a line at 2/3; bars below the standard stand out."""
    bars, step, top = [], 32, 28
    chart = BarChart(chart_id, title, "", bars, height=top + step * len(ratios) + 8)
    for n, (label, ratio) in enumerate(ratios.items()):
        share = (ratio.percent or 0) / 100
        text = f"{percent_text(ratio)} ({ratio.count} of {ratio.out_of})"
        bars.append(
            Bar(label, text, top + n * step, chart.plot_width * share, ratio.below_two_thirds)
        )
    below = [label for label, ratio in ratios.items() if ratio.below_two_thirds]
    chart.description = (
        "; ".join(f"{label} {percent_text(r)}" for label, r in ratios.items())
        + ". "
        + (f"Below 2/3: {', '.join(below)}." if below else "None below 2/3.")
    )
    return chart


@dataclass
class Point:
    x: float
    y: float
    text: str


@dataclass
class Series:
    name: str
    css: str
    points: list[Point] = field(default_factory=list)
    #: SVG path data; a month without data breaks the line rather than drawing zero.
    path: str = ""


@dataclass
class LineChart:
    id: str
    title: str
    description: str
    series: list[Series]
    months: list[tuple[float, str]]
    #: Under the first month and each January.
    years: list[tuple[float, str]] = field(default_factory=list)
    left: float = 48
    top: float = 16
    plot_width: float = 560
    plot_height: float = 200

    @property
    def height(self) -> float:
        return self.top + self.plot_height + 72

    def y_of(self, percent: float) -> float:
        return self.top + self.plot_height * (1 - percent / 100)

    @property
    def ticks(self) -> list[tuple[float, str]]:
        return [(self.y_of(p), f"{p}%") for p in (0, 25, 50, 75, 100)]

    @property
    def label_every(self) -> int:
        """Label every month up to a year and a half; past that, every few months."""
        return max(1, -(-len(self.months) // 18))

    @property
    def standard_y(self) -> float:
        return self.y_of(STANDARD)

    @property
    def right(self) -> float:
        return self.left + self.plot_width


def trend_chart(chart_id: str, title: str, months: list[Month]) -> LineChart:
    step = 560 / max(len(months), 1)
    chart = LineChart(chart_id, title, "", [], [])
    chart.months = [(chart.left + step * (n + 0.5), m.label[:3]) for n, m in enumerate(months)]
    chart.years = [
        (x, str(m.year))
        for (x, _), m in zip(chart.months, months, strict=True)
        if m.month == 1 or m is months[0]
    ]
    for name, css, attr in (
        ("Core attendance", "attendance", "attendance"),
        ("Preparation on time", "prep", "prep"),
    ):
        series = Series(name, css)
        pen = "M"
        for (x, _label), month in zip(chart.months, months, strict=True):
            ratio: Ratio = getattr(month, attr)
            if ratio.percent is None:
                pen = "M"
                continue
            y = chart.y_of(ratio.percent)
            series.points.append(Point(x, y, f"{month.label}: {percent_text(ratio)}"))
            series.path += f"{pen}{x:.1f},{y:.1f} "
            pen = "L"
        chart.series.append(series)
    chart.description = _trend_description(months)
    return chart


def _trend_description(months: list[Month]) -> str:
    parts = []
    for name, attr in (("core attendance", "attendance"), ("preparation on time", "prep")):
        values = [getattr(m, attr).percent for m in months if getattr(m, attr).percent is not None]
        if values:
            parts.append(f"{name} ranged from {min(values):.0f}% to {max(values):.0f}%")
        else:
            parts.append(f"no {name} recorded")
    return f"By month, {months[0].label} to {months[-1].label}: " + "; ".join(parts) + "."
