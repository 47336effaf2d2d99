"""A patient's results of one numeric test as a time chart with its reference band
(drawn by ``clinic.svg_chart``)."""

from django.utils.translation import gettext as _

from clinic.svg_chart import Chart, Point, time_chart


def trend_chart(
    *, points: list[tuple], low=None, high=None, unit: str = "", decimals: int = 2
) -> Chart:
    """``points``: (datetime, Decimal, flag) oldest first; a flag other than
    normal draws its dot in the alert colour. Each dot's label shows its value to
    the test's ``decimals``, as the results table does. ``unit`` is shown by the
    caption."""
    return time_chart(
        points=[
            Point(
                when,
                value,
                flagged=flag not in ("", "N"),
                note=flag,
                label=f"{value:.{decimals}f}",
            )
            for when, value, flag in points
        ],
        band=(low, high) if low is not None or high is not None else None,
        band_title=_("Reference range"),
    )
