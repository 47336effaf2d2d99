"""A patient's insurance plans and allergies."""

from django import forms

from clinic.fields import ClinicDateField, fields_only_helper
from registration.forms.patients import (
    CARD_ACCEPT,
    SUBSCRIBER_FIELDS,
    CoverageCleaningMixin,
    _date_widget,
)
from registration.models import Allergy, Coverage, Payer


class CoverageForm(CoverageCleaningMixin, forms.ModelForm):
    class Meta:
        model = Coverage
        fields = [
            "payer",
            "plan_name",
            "member_id",
            "group_number",
            "priority",
            *SUBSCRIBER_FIELDS,
            "effective_date",
            "end_date",
            "card_front",
            "card_back",
        ]
        widgets = {
            "subscriber_birth_date": _date_widget(),
            "effective_date": _date_widget(),
            "end_date": _date_widget(),
            "card_front": forms.ClearableFileInput(attrs={"accept": CARD_ACCEPT}),
            "card_back": forms.ClearableFileInput(attrs={"accept": CARD_ACCEPT}),
        }
        field_classes = {
            "subscriber_birth_date": ClinicDateField,
            "effective_date": ClinicDateField,
            "end_date": ClinicDateField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(is_active=True)
        self.helper = fields_only_helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relationship") not in (None, Coverage.Relationship.SELF):
            self.require_subscriber(cleaned)
        return cleaned


class AllergyForm(forms.ModelForm):
    class Meta:
        model = Allergy
        fields = ["substance", "rxnorm_code", "reaction", "severity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substance"].widget.attrs["autofocus"] = True
        self.helper = fields_only_helper()
