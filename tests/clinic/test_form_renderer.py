"""The form renderer writes a <select> itself: byte for byte what Django's
templates write, for every select of the app's forms and for hostile labels."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.form_renderer import FormRenderer
from registration.forms import RegistrationForm

TEMPLATES = DjangoTemplates()
OURS = FormRenderer()


def both(widget, name, value):
    return (
        widget.render(name, value, renderer=TEMPLATES),
        widget.render(name, value, renderer=OURS),
    )


HOSTILE = "<script>alert(\"x\")</script> & 'quote' {{ x }}"
CASES = [
    forms.Select(choices=[("a", "A"), ("b", HOSTILE)], attrs={"class": "form-select"}),
    forms.Select(
        choices=[("", "—"), ("G<", [("1", "one"), ("2", mark_safe("<b>two</b>"))])],
        attrs={"required": True, "disabled": False, "data-x": mark_safe("&amp;")},
    ),
    forms.SelectMultiple(choices=[(1, "x"), (2, "y"), (3, "z")]),
    forms.NullBooleanSelect(),
    forms.Select(
        choices=[
            (Decimal("1.50"), 1500),
            (datetime.date(2026, 3, 7), datetime.date(2026, 3, 7)),
            (None, lazy(lambda: "lazy & label", str)()),
        ]
    ),
]


@pytest.mark.parametrize("widget", CASES)
@pytest.mark.parametrize("value", [None, "b", "2", (1, 3), "", True, Decimal("1.50")])
def test_a_select_is_written_as_the_templates_write_it(widget, value):
    templates, ours = both(widget, 'na"me', value)
    assert ours == templates


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=12)), max_size=6),
    st.dictionaries(
        st.sampled_from(["class", "id", "title", "data-tour"]),
        st.one_of(st.text(max_size=8), st.booleans(), st.integers()),
        max_size=3,
    ),
    st.text(max_size=8),
)
def test_any_choices_and_attributes_render_the_same(choices, attrs, value):
    templates, ours = both(forms.Select(choices=choices, attrs=attrs), "f", value)
    assert ours == templates


@pytest.mark.django_db
def test_the_registration_form_renders_the_same_both_ways(settings):
    form = RegistrationForm()
    selects = [f for f in form if isinstance(f.field.widget, forms.Select) and f.name]
    assert len(selects) >= 5  # country, state or language, payer, sex, ...
    for bound in selects:
        widget, value = bound.field.widget, bound.value()
        attrs = bound.build_widget_attrs({}, widget)
        assert widget.render(bound.html_name, value, attrs, TEMPLATES) == (
            widget.render(bound.html_name, value, attrs, OURS)
        ), bound.name


def test_the_app_uses_it(settings):
    assert settings.FORM_RENDERER == "clinic.form_renderer.FormRenderer"
