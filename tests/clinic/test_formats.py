"""The template filters that format quantities, money and staff names."""

from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template

from clinic.templatetags.formats import money, qty, staff_name


def test_qty_drops_trailing_zeros():
    assert qty(Decimal("6.5000")) == "6.5"
    assert qty(Decimal("2.00")) == "2"
    assert qty(Decimal("10")) == "10"
    assert qty(Decimal("100.00")) == "100"  # not 1E+2
    assert qty("0.00") == "0"
    assert qty(None) == "" and qty("n/a") == "n/a"


def test_money_has_two_decimals_and_separators():
    assert money(Decimal("1234.5")) == "1,234.50"
    assert money(Decimal("-15")) == "-15.00"
    assert money("0") == "0.00"
    assert money(None) == ""


def test_staff_name_is_the_full_name_else_the_username():
    named = SimpleNamespace(get_full_name=lambda: "Bea Biller", username="bea")
    plain = SimpleNamespace(get_full_name=lambda: "", username="ops")
    assert staff_name(named) == "Bea Biller"
    assert staff_name(plain) == "ops"
    assert staff_name(None) == ""


def test_filters_load_in_a_template():
    out = Template("{% load formats %}{{ u|qty }} {{ m|money }}").render(
        Context({"u": Decimal("6.5000"), "m": Decimal("120")})
    )
    assert out == "6.5 120.00"


def test_dates_and_times_have_one_format_on_the_clinics_clock(settings):
    from datetime import UTC, date, datetime

    from django.utils import timezone

    settings.TIME_ZONE = "America/New_York"
    moment_utc = datetime(2026, 12, 7, 14, 30, tzinfo=UTC)  # 09:30 in New York
    template = Template(
        "{% load formats %}{{ at|moment }}|{{ birth|day }}|{{ at|clock }}"
        "|{{ none|moment }}"
    )
    with timezone.override("America/New_York"):
        text = template.render(
            Context({"at": moment_utc, "birth": date(1980, 3, 7), "none": None})
        )
    assert text == "2026-12-07 09:30|1980-03-07|09:30|"
