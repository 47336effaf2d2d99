from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.fields import ClinicDateField, date_field, optional_choice
from registration.mrn_field import PatientMRNField, PatientMRNFormMixin
from scheduling.models import (
    AppointmentType,
    Location,
    Provider,
    WaitlistEntry,
)
from scheduling.slots import PARTS_OF_DAY


class _Crispy:
    submit_label = _("Save")
    form_method = "post"

    def setup_helper(self):
        self.helper = FormHelper()
        self.helper.form_method = self.form_method
        if self.submit_label:
            self.helper.add_input(Submit("submit", self.submit_label))


class _SmallWidgets:
    """Compact Bootstrap widgets for filter bars."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if is_select
                else "form-control form-control-sm",
            )


class DayFilterForm(_SmallWidgets, forms.Form):
    """Filters of the day view; choices come from a short cache, not a query."""

    date = date_field(_("Day"))
    by = forms.ChoiceField(
        label=_("Columns"),
        required=False,
        choices=[("provider", _("Providers")), ("room", _("Rooms"))],
    )
    location = forms.TypedChoiceField(label=_("Location"), required=False, coerce=int)
    provider = forms.TypedChoiceField(label=_("Provider"), required=False, coerce=int)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [
            ("", _("All locations")),
            *choices["locations"],
        ]
        self.fields["provider"].choices = [
            ("", _("All providers")),
            *choices["providers"],
        ]


class WeekFilterForm(_SmallWidgets, forms.Form):
    date = date_field(_("Week of"))
    provider = forms.TypedChoiceField(label=_("Provider"), required=False, coerce=int)
    room = forms.TypedChoiceField(label=_("Room"), required=False, coerce=int)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "—"), *choices["providers"]]
        self.fields["room"].choices = [("", "—"), *choices["rooms"]]


class FindSlotForm(PatientMRNFormMixin, _Crispy, forms.Form):
    submit_label = _("Find free times")
    form_method = "get"

    patient = PatientMRNField(label=_("Patient MRN"), required=False)
    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"),
        queryset=AppointmentType.objects.filter(is_active=True),
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        required=False,
        empty_label=_("Any provider"),
        queryset=Provider.objects.filter(is_active=True),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        required=False,
        empty_label=_("Any location"),
        queryset=Location.objects.filter(is_active=True),
    )
    start_day = date_field(_("From"))
    part_of_day = optional_choice(
        _("Time of day"), _("Any time"), ((k, k.capitalize()) for k in PARTS_OF_DAY)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_helper()
        self.helper.form_id = "find-slot-form"


class BookForm(PatientMRNFormMixin, _Crispy, forms.Form):
    submit_label = _("Book")

    patient = PatientMRNField(label=_("Patient MRN"), confirm=True)
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.all(), widget=forms.HiddenInput
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.all(), widget=forms.HiddenInput
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.all(), widget=forms.HiddenInput
    )
    start = forms.DateTimeField(widget=forms.HiddenInput)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    repeat_weeks = forms.IntegerField(
        label=_("Repeat weekly, number of visits"),
        min_value=1,
        max_value=52,
        initial=1,
        required=False,
        help_text=_("1 for a single visit; 8 for a weekly series of eight."),
    )
    override_reason = forms.CharField(
        label=_(
            "Reason to overlap (only when the patient or provider is already booked)"
        ),
        max_length=200,
        required=False,
    )
    double_book = forms.BooleanField(
        label=_("Double-book the provider"), required=False
    )

    def __init__(self, *args, can_double_book=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_double_book:
            del self.fields["double_book"]
        self.setup_helper()
        self.helper.form_id = "book-form"

    def clean_start(self):
        value = self.cleaned_data["start"]
        return timezone.localtime(value) if value else value


class CheckInForm(_Crispy, forms.Form):
    submit_label = _("Check in")

    copay_collected = forms.DecimalField(
        label=_("Copay taken now"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )

    reason = forms.CharField(
        label=_("Reason for checking in outside the visit's day"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, needs_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]
        self.setup_helper()


class UndoForm(_Crispy, forms.Form):
    submit_label = _("Undo")

    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_helper()


class _SeriesScope(forms.Form):
    """Which visits: "this visit only" or "this and following" (a series only)."""

    scope = forms.ChoiceField(
        label=_("Which visits"),
        choices=[("one", _("This visit only")), ("following", _("This and following"))],
        initial="one",
        required=False,
    )

    def __init__(self, *args, in_series=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["scope"]
        self.setup_helper()


class CancelForm(_Crispy, _SeriesScope):
    submit_label = _("Cancel the appointment")
    field_order = ["reason", "scope"]

    reason = forms.CharField(label=_("Reason"), max_length=200)


class MoveForm(_Crispy, _SeriesScope):
    submit_label = _("Move")

    date = date_field(_("Day"), required=True)
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=Provider.objects.filter(is_active=True)
    )
    field_order = ["date", "time", "provider", "scope"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False  # the template's form posts with htmx


class WaitlistForm(PatientMRNFormMixin, _Crispy, forms.ModelForm):
    submit_label = _("Add to the waitlist")

    patient = PatientMRNField(label=_("Patient MRN"), confirm=True)
    weekdays = forms.MultipleChoiceField(
        label=_("Days that suit"),
        required=False,
        choices=[
            (str(i), label)
            for i, label in enumerate(
                [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
            )
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WaitlistEntry
        fields = [
            "patient",
            "appointment_type",
            "provider",
            "weekdays",
            "part_of_day",
            "until",
            "note",
        ]
        widgets = {"until": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"until": ClinicDateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_helper()

    def clean_weekdays(self):
        return "".join(sorted(self.cleaned_data["weekdays"]))


class MetricsFilterForm(_SmallWidgets, forms.Form):
    start = date_field(_("From"))
    end = date_field(_("Until"))
