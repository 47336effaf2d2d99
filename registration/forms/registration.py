"""Registration on one page: the patient, the primary insurance, allergies asked
or not, and the reason to register despite possible duplicates."""

from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.fields import form_row, optional_choice
from registration.forms.patients import (
    CARD_ACCEPT,
    COVERAGE_INCOMPLETE,
    PATIENT_FIELDS,
    SUBSCRIBER_FIELDS,
    CoverageCleaningMixin,
    PatientForm,
    _demographics_layout,
    typed_date_field,
)
from registration.models import Coverage, Patient, Payer
from registration.validators import validate_card_image, validate_member_id


def _card_field(label) -> forms.FileField:
    """An optional scan or photo of the insurance card."""
    return forms.FileField(
        label=label,
        required=False,
        validators=[validate_card_image],
        widget=forms.ClearableFileInput(attrs={"accept": CARD_ACCEPT}),
    )


class RegistrationForm(CoverageCleaningMixin, PatientForm):
    """One page: the patient, the primary insurance, allergies asked or not."""

    allergy_review = forms.ChoiceField(
        label=_("Allergies"),
        choices=[
            (Patient.AllergyReview.NOT_ASKED, _("Not yet asked")),
            (Patient.AllergyReview.NO_KNOWN, _("Asked: no known allergies")),
        ],
        initial=Patient.AllergyReview.NOT_ASKED,
        help_text=_("Record specific allergies on the chart after registering."),
    )
    payer = forms.ModelChoiceField(
        label=_("Payer"),
        queryset=Payer.objects.filter(is_active=True),
        required=False,
        empty_label=_("— self-pay / no insurance —"),
    )
    member_id = forms.CharField(
        label=_("Member ID"),
        max_length=40,
        required=False,
        validators=[validate_member_id],
    )
    group_number = forms.CharField(
        label=_("Group number"), max_length=40, required=False
    )
    plan_name = forms.CharField(label=_("Plan"), max_length=120, required=False)
    relationship = forms.ChoiceField(
        label=_("Patient is the subscriber's"),
        choices=Coverage.Relationship.choices,
        initial=Coverage.Relationship.SELF,
    )
    subscriber_given_name = forms.CharField(
        label=_("Subscriber given name"), max_length=100, required=False
    )
    subscriber_family_name = forms.CharField(
        label=_("Subscriber family name"), max_length=100, required=False
    )
    subscriber_birth_date = typed_date_field(_("Subscriber date of birth"))
    subscriber_sex = optional_choice(
        _("Subscriber sex"), "—", Patient.SexAtBirth.choices
    )
    effective_date = typed_date_field(_("Coverage effective"))
    card_front = _card_field(_("Card front"))
    card_back = _card_field(_("Card back"))
    duplicate_reason = forms.CharField(
        label=_("Why this is a different patient"),
        max_length=300,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. twins; checked photo ID")}
        ),
    )
    duplicates_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    COVERAGE_FIELDS = [
        "payer",
        "member_id",
        "group_number",
        "plan_name",
        *SUBSCRIBER_FIELDS,
        "effective_date",
        "card_front",
        "card_back",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            *_demographics_layout(),
            Fieldset(_("Allergies"), form_row(allergy_review=6)),
            Fieldset(
                _("Primary insurance"),
                form_row(payer=4, member_id=3, group_number=2, plan_name=3),
                form_row(relationship=3, effective_date=3, card_front=3, card_back=3),
                form_row(
                    subscriber_given_name=3,
                    subscriber_family_name=3,
                    subscriber_birth_date=3,
                    subscriber_sex=3,
                ),
            ),
            "duplicates_shown",
            HTML(""),
        )

    def clean(self):
        cleaned = super().clean()
        payer, member = cleaned.get("payer"), cleaned.get("member_id")
        if "member_id" in self.errors:
            return cleaned
        if bool(payer) != bool(member):
            self.add_error("payer" if not payer else "member_id", COVERAGE_INCOMPLETE)
        if payer and cleaned.get("relationship") != Coverage.Relationship.SELF:
            self.require_subscriber(cleaned)
        return cleaned

    def patient_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in PATIENT_FIELDS}
        data["allergy_review"] = self.cleaned_data["allergy_review"]
        return data

    def coverage_data(self) -> dict | None:
        if not self.cleaned_data.get("payer"):
            return None
        data = {
            name: self.cleaned_data[name]
            for name in self.COVERAGE_FIELDS
            if name not in ("card_front", "card_back")
        }
        data["subscriber_sex"] = data["subscriber_sex"] or ""
        for side in ("card_front", "card_back"):
            if self.cleaned_data.get(side):
                data[side] = self.cleaned_data[side]
        return data
