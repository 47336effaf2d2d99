"""Form and model fields shared by every app."""

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Row, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinic.languages import language_choices

# Dates the app accepts: far enough either way for birth dates and plans, and far
# from the ends of Python's calendar (9999-12-31 plus a day, or a time-zone shift
# of 0001-01-01, would overflow and answer with a server error).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


class ClinicDateField(forms.DateField):
    default_error_messages = {
        "out_of_range": _("Enter a date between %(earliest)s and %(latest)s."),
    }

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"earliest": EARLIEST_DATE, "latest": LATEST_DATE},
            )
        return day


def date_field(label, *, required: bool = False, **kwargs) -> ClinicDateField:
    """A date picked in the browser's date input; optional unless ``required``."""
    kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
    return ClinicDateField(label=label, required=required, **kwargs)


def optional_choice(label, empty_label, choices, **kwargs) -> forms.ChoiceField:
    """A choice that may stay empty ("Any status" in a filter, "—" in a form)."""
    return forms.ChoiceField(
        label=label, required=False, choices=[("", empty_label), *choices], **kwargs
    )


def date_from_query(text: str | None) -> date | None:
    """A date from a query string, or None when it is not one the app accepts."""
    try:
        return ClinicDateField(required=False).clean(text or "")
    except ValidationError:
        return None


def protected_fk(to, verbose_name=None, **overrides) -> models.ForeignKey:
    """A link that must be set, protected while rows point at it, with no reverse
    accessor unless ``related_name`` names one.

    ``overrides`` change any of those (``related_name="visits"``,
    ``on_delete=models.CASCADE``) or add an option; migrations see the plain
    ``ForeignKey`` these options spell.
    """
    options = {"on_delete": models.PROTECT, "related_name": "+"}
    return models.ForeignKey(to, verbose_name=verbose_name, **(options | overrides))


def optional_fk(to, verbose_name=None, **overrides) -> models.ForeignKey:
    """A link that may be empty: protected, blank allowed, no reverse accessor."""
    return protected_fk(to, verbose_name, **({"null": True, "blank": True} | overrides))


def staff_fk(
    verbose_name=None, *, required: bool = False, **overrides
) -> models.ForeignKey:
    """A link to a staff account (who did it, who it is for): optional, unless
    ``required`` (who gave the dose, who ordered it)."""
    link = protected_fk if required else optional_fk
    return link(settings.AUTH_USER_MODEL, verbose_name, **overrides)


def when_and_who(
    when_label=None, who_label=None
) -> tuple[models.DateTimeField, models.ForeignKey]:
    """When something was done to a row and by whom (empty until it is; an empty
    ``who``: the system did it), a moment and a staff link to assign together:
    ``cancelled_at, cancelled_by = when_and_who(_("cancelled"))``."""
    return models.DateTimeField(when_label, null=True, blank=True), staff_fk(who_label)


def patient_fk(related_name="+", **overrides) -> models.ForeignKey:
    """The patient a row is about: required, and protected while rows point at it."""
    overrides = {"verbose_name": _("patient")} | overrides
    return protected_fk("registration.Patient", related_name=related_name, **overrides)


def visit_fk(related_name="+", **overrides) -> models.ForeignKey:
    """The visit (appointment) a row belongs to: required, and protected while rows
    point at it."""
    overrides = {"verbose_name": _("visit")} | overrides
    return protected_fk(
        "scheduling.Appointment", related_name=related_name, **overrides
    )


def language_field(verbose_name) -> models.CharField:
    """A person's language: an ISO 639-1 code ("es") from the clinic's list,
    named on pages by ``clinic.languages.language_name``; blank: not asked. (35
    long: the history keeps the free text of before.)"""
    return models.CharField(
        verbose_name,
        max_length=35,
        choices=language_choices,
        blank=True,
        default="en",
    )


def submit_helper(label, css_class: str = "btn-primary") -> FormHelper:
    """A crispy form's helper with its one submit button."""
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class=css_class))
    return helper


def fields_only_helper() -> FormHelper:
    """A crispy form's helper that renders the fields alone: the page writes the
    ``<form>`` tag, its CSRF token and its buttons (a form among others on one
    page, or under a page's own buttons)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class SubmitButtonMixin:
    """A crispy form with one submit button: ``submit_label`` and its class."""

    submit_label = _("Save")
    submit_class = "btn-primary"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(self.submit_label, self.submit_class)


def form_row(**widths) -> Row:
    """A crispy layout row: each field ``name=width`` in Bootstrap's 12 columns
    (``"3 pt-md-4"``: width 3 and more classes)."""
    return Row(
        *(Column(name, css_class=f"col-md-{width}") for name, width in widths.items())
    )


def uploaded_text(upload, *, max_bytes: int, too_large: str, encoding: str) -> str:
    """The text of an uploaded file: refused (``too_large``) over ``max_bytes``;
    read as ``encoding``, else as Latin-1, which decodes any byte."""
    if upload.size > max_bytes:
        raise ValidationError(too_large)
    raw = upload.read()
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode("latin-1")
