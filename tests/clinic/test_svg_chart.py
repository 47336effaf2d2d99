"""clinic.svg_chart: the geometry of the bar and time charts, and the one template
that draws them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.template.loader import render_to_string

from clinic.svg_chart import Point, Row, Series, bar_chart, time_chart

TEMPLATE = "clinic/partials/_svg_chart.html"


def _bars(chart):
    return {rect.title.split(" · ")[0]: rect for rect in chart.rects if rect.title}


def test_the_largest_value_fills_the_bar_width_and_zero_draws_no_bar():
    chart = bar_chart(
        rows=[Row("full", (40,)), Row("half", (20,)), Row("none", (0,))],
        series=[Series("visits")],
        bar_width=300,
    )
    bars = _bars(chart)
    assert bars["full"].width == 300
    assert bars["half"].width == 150
    assert "none" not in bars
    assert [t.text for t in chart.texts] == ["full", "40", "half", "20", "none", "0"]


def test_a_series_top_fills_the_width_and_values_above_it_are_clipped():
    chart = bar_chart(
        rows=[("over", (200, 100)), ("under", (75, None))],
        series=[
            Series("use", top=150, value_format="{}%"),
            Series("no-show", "chart-alert", top=100, value_format="{}%"),
        ],
        bar_width=300,
    )
    by_title = {rect.title: rect for rect in chart.rects}
    assert by_title["over · use: 200%"].width == 300
    assert by_title["over · no-show: 100%"].width == 300
    assert by_title["under · use: 75%"].width == 150
    assert not any(r.title.startswith("under · no-show") for r in chart.rects)
    # The legend names both series; the note says "—" for a missing value.
    assert {"use", "no-show", "75% · —"} <= {t.text for t in chart.texts}


def test_a_tiny_value_stays_visible_and_a_highlighted_row_is_drawn_in_alert():
    chart = bar_chart(
        rows=[Row("big", (10_000,)), Row("STAT", (1,), highlight=True)],
        series=[Series("minutes")],
    )
    bars = _bars(chart)
    assert bars["STAT"].width == 1
    assert (bars["big"].css_class, bars["STAT"].css_class) == (
        "chart-primary",
        "chart-alert",
    )


def test_an_empty_chart_draws_no_bar():
    chart = bar_chart(rows=[], series=[Series("x")])
    assert chart.is_empty and chart.height > 0


def test_labels_and_titles_are_escaped_when_drawn():
    hostile = '<script>alert("x")</script>'
    chart = bar_chart(rows=[Row(hostile, (3,))], series=[Series("n")])
    html = render_to_string(
        TEMPLATE, {"chart": chart, "title": "<b>t</b>", "html_id": "c"}
    )
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and 'aria-label="&lt;b&gt;t&lt;/b&gt;"' in html
    assert 'id="c"' in html and html.count("<rect ") == 1


def test_a_long_label_is_shortened_and_keeps_the_whole_text_as_its_title():
    label = "A very long provider name, MD, PhD, FACP, FRCP"
    chart = bar_chart(rows=[Row(label, (1,))], series=[Series("n")])
    [text] = [t for t in chart.texts if t.title == label]
    assert text.text == label[:31] + "…"


def test_time_chart_places_points_by_time_and_draws_the_band():
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    points = [
        Point(start, Decimal("10")),
        Point(start + timedelta(days=1), Decimal("20"), flagged=True, note="H"),
        Point(start + timedelta(days=4), Decimal("15")),
    ]
    chart = time_chart(points=points, band=(12, 18), band_title="Reference range")
    xs = [dot.cx for dot in chart.circles]
    # One day then three: the gaps keep their proportion.
    assert round((xs[2] - xs[1]) / (xs[1] - xs[0]), 1) == 3.0
    assert [d.css_class for d in chart.circles] == [
        "chart-primary",
        "chart-alert",
        "chart-primary",
    ]
    [band] = chart.rects
    assert band.title == "Reference range" and band.css_class == "chart-band"
    # Higher values are higher up: smaller y.
    assert chart.circles[1].cy < chart.circles[2].cy < chart.circles[0].cy
    assert band.y < chart.circles[2].cy < band.y + band.height
    assert chart.polyline.count(",") == 3
    html = render_to_string(TEMPLATE, {"chart": chart, "title": "Trend"})
    assert "<polyline" in html and "<title>2026-01-02: 20 H</title>" in html
