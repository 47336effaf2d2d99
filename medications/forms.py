from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.fields import ClinicDateField, SubmitButtonMixin, submit_helper
from medications.models import Medication, MedicationOrder, Route
from medications.selectors import STATE_FILTERS, mar_locations
from medications.units import UNIT_CHOICES


class MarFilterForm(forms.Form):
    location = forms.TypedChoiceField(
        label=_("Unit"), required=False, coerce=int, empty_value=None
    )
    day = ClinicDateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    from_hour = forms.IntegerField(
        label=_("From hour"),
        required=False,
        min_value=0,
        max_value=23,
        widget=forms.NumberInput(attrs={"placeholder": _("now − 4 h")}),
    )
    hours = forms.TypedChoiceField(
        label=_("Hours"),
        required=False,
        coerce=int,
        empty_value=12,
        choices=[(4, "4"), (8, "8"), (12, "12"), (24, "24")],
        initial=12,
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_FILTERS)
    q = forms.CharField(label=_("Patient"), required=False)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(loc.pk, loc.name) for loc in locations]
        for field in self.fields.values():
            css = (
                "form-select"
                if isinstance(field, forms.ChoiceField)
                else "form-control"
            )
            field.widget.attrs["class"] = css


class ScanForm(forms.Form):
    wristband = forms.CharField(label=_("Scan wristband (MRN)"), max_length=32)


class GiveDoseForm(forms.Form):
    wristband = forms.CharField(
        label=_("Patient wristband (MRN)"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "data-scan": "true", "autofocus": True}
        ),
    )
    barcode = forms.CharField(
        label=_("Medication barcode (NDC)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-scan": "true"}),
    )
    amount = forms.DecimalField(
        label=_("Amount given"), max_digits=10, decimal_places=3, min_value=0
    )
    unit = forms.ChoiceField(label=_("Dose unit"), choices=UNIT_CHOICES)
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    site = forms.CharField(label=_("Site"), max_length=60, required=False)
    reason = forms.CharField(
        label=_("Reason if early or late"), max_length=500, required=False
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    witness_username = forms.CharField(
        label=_("Witness (second nurse) user name"), max_length=150, required=False
    )
    witness_password = forms.CharField(
        label=_("Witness password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, high_alert: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not high_alert:
            del self.fields["witness_username"]
            del self.fields["witness_password"]
        self.helper = submit_helper(_("Give dose"), "btn-success btn-lg")


class DoseStatusForm(SubmitButtonMixin, forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("hold", _("Hold the dose")), ("refuse", _("Patient refused"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    submit_label = _("Record hold or refusal")
    submit_class = "btn-warning btn-lg"


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class OrderForm(forms.Form):
    medication = forms.ModelChoiceField(
        label=_("Medication"), queryset=Medication.objects.none()
    )
    location = forms.ModelChoiceField(
        label=_("Care unit"),
        queryset=None,
        help_text=_("The unit whose nurses give the doses: the patient's unit."),
    )
    dose = forms.DecimalField(
        label=_("Dose"), max_digits=10, decimal_places=3, min_value=0
    )
    dose_unit = forms.ChoiceField(label=_("Dose unit"), choices=UNIT_CHOICES)
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=MedicationOrder.Frequency.choices
    )
    interval_hours = forms.IntegerField(
        label=_("Every N hours"), required=False, min_value=1, max_value=168
    )
    times_of_day = forms.CharField(
        label=_("Times of day"),
        required=False,
        help_text=_("HH:MM, separated by commas: 08:00, 20:00"),
    )
    prn_min_interval_hours = forms.DecimalField(
        label=_("PRN: minimum hours between doses"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
    )
    prn_max_per_24h = forms.IntegerField(
        label=_("PRN: maximum doses per 24 h"), required=False, min_value=1
    )
    start_at = forms.DateTimeField(
        label=_("Start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )
    end_at = forms.DateTimeField(
        label=_("End"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    indication = forms.CharField(label=_("Indication"), max_length=200, required=False)
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea({"rows": 2})
    )
    allergy_override_reason = forms.CharField(
        label=_("Allergy override reason"),
        max_length=500,
        required=False,
        help_text=_("Only when the order matches a recorded allergy."),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Order it although another active order for this drug exists"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medication"].queryset = Medication.objects.filter(is_active=True)
        self.fields["location"].queryset = mar_locations()
        self.helper = submit_helper(_("Sign order"), "btn-primary btn-lg")

    def clean_times_of_day(self) -> list[str]:
        return _split_list(self.cleaned_data.get("times_of_day") or "")


class OrderStatusForm(SubmitButtonMixin, forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("hold", _("Hold")),
            ("resume", _("Resume")),
            ("discontinue", _("Discontinue")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    submit_label = _("Confirm")
    submit_class = "btn-warning"


class MedicationForm(forms.ModelForm):
    routes = forms.MultipleChoiceField(
        label=_("Allowed routes"),
        choices=Route.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    ingredients = forms.CharField(
        label=_("Ingredients"),
        help_text=_("Separated by commas; used for allergy checks."),
    )

    class Meta:
        model = Medication
        fields = [
            "name",
            "rxnorm_code",
            "form",
            "strength",
            "unit",
            "routes",
            "is_high_alert",
            "barcode",
            "max_single_dose",
            "ingredients",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["ingredients"] = ", ".join(self.instance.ingredients)
            # "6.5", not the column's "6.500".
            for name in ("strength", "max_single_dose"):
                self.initial[name] = f"{getattr(self.instance, name).normalize():f}"
        self.helper = submit_helper(_("Save medication"), "btn-primary btn-lg")

    def clean_ingredients(self) -> list[str]:
        return _split_list(self.cleaned_data["ingredients"])
