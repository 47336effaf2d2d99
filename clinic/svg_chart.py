"""The one place that turns numbers into SVG chart geometry.

Pages pass data (a label and values per row, or dated points) and get back a
``Chart``: lists of shapes with their coordinates, which the one template
``clinic/partials/_svg_chart.html`` draws (``{% include ... with chart=...
title=... %}``). Every text goes through Django's autoescaping there, colours come
from CSS classes in ``clinic.css`` (the Content-Security-Policy forbids inline
styles), and the page needs no JavaScript and prints.

Two kinds:

* ``bar_chart`` — horizontal bars, one row per label, one bar per series in a row
  (a value equal to the series' top fills the bar width; zero or none draws no bar).
* ``time_chart`` — one line of dated values, placed by time so a gap between
  results shows as a gap, with an optional reference band.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import timezone

Number = int | float | Decimal

LABEL_CHARS = 32
FONT_SIZE = 11


@dataclass(frozen=True)
class Series:
    """One kind of bar: its legend name, its colour (a CSS class in clinic.css),
    the value that fills the whole bar width (default: the largest value of the
    chart) and how a value is written (``"{}"``, ``"{:.0f}%"``, ``"${}"``)."""

    name: str
    css_class: str = "chart-primary"
    top: Number | None = None
    value_format: str = "{}"

    def text(self, value: Number | None) -> str:
        return "—" if value is None else self.value_format.format(value)


@dataclass(frozen=True)
class Row:
    """One row of a bar chart: its label and one value per series (None: no
    data). ``note`` is written right of the bars (default: the values);
    ``highlight`` draws its bars in the alert colour."""

    label: str
    values: tuple[Number | None, ...]
    note: str | None = None
    highlight: bool = False


@dataclass(frozen=True)
class Point:
    """One dated value of a time chart; a ``flagged`` point is drawn in the alert
    colour; ``note`` follows the value in its tooltip (an H/L flag); ``label`` is
    the value as written there (default: up to two decimals)."""

    when: datetime
    value: Number
    flagged: bool = False
    note: str = ""
    label: str = ""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    title: str = ""


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    title: str = ""
    font_size: int = FONT_SIZE


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    css_class: str
    title: str = ""
    r: int = 4


@dataclass
class Chart:
    """What ``clinic/partials/_svg_chart.html`` draws, back to front."""

    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polyline: str = ""
    circles: list[Circle] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.rects or self.circles)


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    *,
    rows: Sequence[Row | tuple[str, tuple]],
    series: Sequence[Series],
    label_width: int = 200,
    bar_width: int = 360,
    note_width: int = 120,
) -> Chart:
    """Horizontal bars: a row per label, a bar per series, a legend when there is
    more than one series. Values are clipped to ``[0, top]``; a value above zero
    is at least one pixel wide so it stays visible. A row is a ``Row`` or a plain
    ``(label, values)`` pair."""
    rows = [row if isinstance(row, Row) else Row(*row) for row in rows]
    largest = max(
        (float(v) for row in rows for v in row.values if v is not None), default=0.0
    )
    tops = [float(s.top) if s.top is not None else largest for s in series]
    bar_height = 16 if len(series) == 1 else 10
    row_height = len(series) * (bar_height + 2) + 4
    legend_height = 20 if len(series) > 1 else 0
    chart = Chart(
        width=label_width + bar_width + note_width,
        height=legend_height + max(len(rows), 1) * row_height + 4,
    )
    if legend_height:
        x = label_width
        for item in series:
            chart.rects.append(Rect(x, 5, 12, 8, item.css_class, item.name))
            chart.texts.append(Text(x + 16, 13, item.name))
            x += 16 + 7 * len(item.name) + 24
    for index, row in enumerate(rows):
        y = legend_height + index * row_height + 2
        middle = y + row_height / 2 + 2
        chart.texts.append(Text(4, middle, _short(row.label), title=row.label))
        texts = []
        for place, (item, top, value) in enumerate(
            zip(series, tops, row.values, strict=True)
        ):
            texts.append(item.text(value))
            amount = min(max(float(value or 0), 0.0), top)
            if amount <= 0 or top <= 0:
                continue
            chart.rects.append(
                Rect(
                    label_width,
                    y + place * (bar_height + 2),
                    max(1, round(amount / top * bar_width)),
                    bar_height,
                    "chart-alert" if row.highlight else item.css_class,
                    f"{row.label} · {item.name}: {texts[-1]}",
                )
            )
        note = " · ".join(texts) if row.note is None else row.note
        chart.texts.append(Text(label_width + bar_width + 6, middle, note))
    return chart


def time_chart(
    *,
    points: Sequence[Point],
    band: tuple[Number | None, Number | None] | None = None,
    band_title: str = "",
    width: int = 360,
    height: int = 140,
) -> Chart:
    """A line through dated values (oldest first), with the y axis labelled at its
    ends and the first and last day under the x axis; ``band`` is a (low, high)
    reference range, either end open."""
    left, right, top_margin, bottom_margin = 44, 12, 12, 26
    plot_w, plot_h = width - left - right, height - top_margin - bottom_margin
    plot_bottom = top_margin + plot_h
    low, high = band or (None, None)
    bounds = [float(p.value) for p in points] + [
        float(b) for b in (low, high) if b is not None
    ]
    top, bottom = max(bounds), min(bounds)
    if top == bottom:
        top, bottom = top + 1, bottom - 1
    margin = (top - bottom) * 0.1
    top, bottom = top + margin, bottom - margin

    def y(value: float) -> float:
        return round(top_margin + (top - value) / (top - bottom) * plot_h, 1)

    chart = Chart(width=width, height=height)
    if low is not None or high is not None:
        band_top = y(float(high)) if high is not None else top_margin
        band_bottom = y(float(low)) if low is not None else plot_bottom
        height_ = round(band_bottom - band_top, 1)
        chart.rects.append(
            Rect(left, band_top, plot_w, height_, "chart-band", band_title)
        )
    chart.lines += [
        Line(left, plot_bottom, width - right, plot_bottom),
        Line(left, 8, left, plot_bottom),
    ]
    first, last = points[0].when, points[-1].when
    span = (last - first).total_seconds()
    coordinates = []
    for point in points:
        share = (point.when - first).total_seconds() / span if span else 0.5
        x, dot_y = round(left + plot_w * share, 1), y(float(point.value))
        coordinates.append(f"{x},{dot_y}")
        written = point.label or floatformat(point.value, "-2")
        title = f"{_day(point.when)}: {written} {point.note}"
        chart.circles.append(
            Circle(
                x,
                dot_y,
                "chart-alert" if point.flagged else "chart-primary",
                title.strip(),
            )
        )
    chart.polyline = " ".join(coordinates)
    chart.texts += [
        Text(2, top_margin + 4, _number(top), font_size=10),
        Text(2, plot_bottom, _number(bottom), font_size=10),
        Text(left, height - 6, _day(first), font_size=10),
        Text(width - right - 62, height - 6, _day(last), font_size=10),
    ]
    return chart


def _day(when: datetime) -> str:
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    return when.strftime("%Y-%m-%d")


def _number(value: float) -> str:
    return f"{Decimal(str(round(value, 1))).normalize():f}"
