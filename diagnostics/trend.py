"""A small server-rendered SVG trend chart of one numeric test over time.

The template draws what this computes (coordinates, labels), so the page needs no
JavaScript and the chart prints.
"""

from decimal import Decimal

WIDTH, HEIGHT = 360, 140
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 26


def trend_chart(
    *, points: list[tuple], low=None, high=None, unit: str = "", decimals: int = 2
) -> dict:
    """``points``: (datetime, Decimal, flag) oldest first. Returns SVG geometry;
    each dot's label shows its value to the test's ``decimals``, as the results
    table does (never the column's four places)."""
    values = [float(v) for _t, v, _f in points]
    bounds = values + [float(b) for b in (low, high) if b is not None]
    top, bottom = max(bounds), min(bounds)
    if top == bottom:
        top, bottom = top + 1, bottom - 1
    margin = (top - bottom) * 0.1
    top, bottom = top + margin, bottom - margin
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + (top - value) / (top - bottom) * plot_h, 1)

    first, last = points[0][0], points[-1][0]
    span = (last - first).total_seconds()
    dots = []
    for when, value, flag in points:
        # Placed by time, so a gap between results shows as a gap.
        share = (when - first).total_seconds() / span if span else 0.5
        x = LEFT + plot_w * share
        dots.append(
            {
                "x": round(x, 1),
                "y": y(float(value)),
                "value": value,
                "label": f"{value:.{decimals}f}",
                "when": when,
                "flag": flag,
                "abnormal": flag not in ("", "N"),
            }
        )
    band = None
    if low is not None or high is not None:
        band_top = y(float(high)) if high is not None else TOP
        band_bottom = y(float(low)) if low is not None else TOP + plot_h
        band = {"y": band_top, "height": round(band_bottom - band_top, 1)}
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "plot_right": WIDTH - RIGHT,
        "plot_width": plot_w,
        "plot_bottom": TOP + plot_h,
        "polyline": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "band": band,
        "y_top_label": _label(top),
        "y_bottom_label": _label(bottom),
        "y_top": TOP + 4,
        "first": points[0][0],
        "last": points[-1][0],
        "unit": unit,
    }


def _label(value: float) -> str:
    return f"{Decimal(str(round(value, 1))).normalize():f}"
