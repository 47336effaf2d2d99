"""Forms of the home medication list and its review."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.fields import date_field, form_row
from medications.models import Medication, ReconciliationDecision

D = ReconciliationDecision.Decision


class HomeMedicationForm(forms.Form):
    medication = forms.ModelChoiceField(
        label=_("From the formulary"),
        queryset=Medication.objects.filter(is_active=True),
        required=False,
    )
    name = forms.CharField(label=_("Or typed by name"), max_length=160, required=False)
    typed_reason = forms.CharField(label=_("Why typed"), max_length=200, required=False)
    rxnorm_code = forms.RegexField(
        label=_("RxNorm"),
        regex=r"^\d{1,12}$",
        required=False,
        error_messages={"invalid": _("An RxNorm code is digits only.")},
    )
    ingredients = forms.CharField(
        label=_("Ingredients (comma between)"), max_length=300, required=False
    )
    dose = forms.CharField(label=_("Dose"), max_length=60)
    frequency = forms.CharField(label=_("How often"), max_length=60)
    prescriber_outside = forms.CharField(
        label=_("Prescriber outside the clinic"), max_length=120, required=False
    )
    started_on = date_field(_("Started"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            form_row(medication=4, name=4, typed_reason=4),
            form_row(rxnorm_code=2, ingredients=4, dose=3, frequency=3),
            form_row(prescriber_outside=6, started_on=6),
        )
        self.helper.add_input(Submit("submit", _("Add to the home list")))

    def clean_ingredients(self) -> tuple[str, ...]:
        text = self.cleaned_data.get("ingredients") or ""
        return tuple(part.strip() for part in text.split(",") if part.strip())


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(D.KEPT, D.KEPT.label), (D.CHANGED, D.CHANGED.label)]
        + [(D.STOPPED, D.STOPPED.label)]
    )
    dose = forms.CharField(max_length=60, required=False)
    frequency = forms.CharField(max_length=60, required=False)
    reaction = forms.CharField(max_length=200, required=False)
