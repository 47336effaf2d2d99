"""The patient's demographics (registration and editing share them), the merge
form and the live duplicate probe."""

from datetime import date

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.code_lists import (
    country_choices,
    is_state_or_province,
    us_state_choices,
)
from clinic.fields import ClinicDateField, date_field, fields_only_helper, form_row
from clinic.languages import language_choices
from registration.models import Patient
from registration.search import parse_phone
from registration.selectors import patient_by_mrn

EARLIEST_BIRTH = date(1900, 1, 1)
DOB_IN_FUTURE = _("The date of birth cannot be in the future.")
DOB_TOO_EARLY = _("The date of birth cannot be before 1900.")
COVERAGE_INCOMPLETE = _("Give both the payer and the member ID, or neither.")
SUBSCRIBER_REQUIRED = _("Required when the patient is not the subscriber.")
CONSENT_METHOD_REQUIRED = _("Say how the patient gave consent to text messages.")
LANGUAGE_NOT_ASKED = _("— not asked —")

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"]
CARD_ACCEPT = "image/jpeg,image/png,application/pdf"

PATIENT_FIELDS = [
    "given_name",
    "middle_name",
    "family_name",
    "name_suffix",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone_mobile",
    "phone_home",
    "email",
    "preferred_language",
    "interpreter_needed",
    "preferred_contact_method",
    "sms_consent",
    "sms_consent_method",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
]


STATE_NOT_KNOWN = _(
    "%(state)s is not a state or province code: use the two letters of the post "
    "(NY, CA, PR; ON, QC in Canada)."
)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def typed_date_field(label) -> ClinicDateField:
    """An optional date, picked or typed in one of the formats the desk uses."""
    return date_field(label, widget=_date_widget(), input_formats=DATE_INPUT_FORMATS)


# The subscriber (the plan's holder) as a coverage form asks for them.
SUBSCRIBER_FIELDS = [
    "relationship",
    "subscriber_given_name",
    "subscriber_family_name",
    "subscriber_birth_date",
    "subscriber_sex",
]


class CoverageCleaningMixin:
    """What a coverage form checks on any page: the member ID as printed (upper
    case, no spaces around it), and the subscriber's name and date of birth when the
    patient is not the subscriber."""

    def clean_member_id(self):
        return self.cleaned_data["member_id"].strip().upper()

    def require_subscriber(self, cleaned: dict) -> None:
        for name in (
            "subscriber_given_name",
            "subscriber_family_name",
            "subscriber_birth_date",
        ):
            if not cleaned.get(name):
                self.add_error(name, SUBSCRIBER_REQUIRED)


def _demographics_layout():
    return [
        Fieldset(
            _("Legal name"),
            form_row(
                given_name=3,
                middle_name=2,
                family_name=3,
                name_suffix=1,
                preferred_name=3,
            ),
        ),
        form_row(birth_date=3, sex_at_birth=3, gender_identity=3, pronouns=3),
        Fieldset(
            _("Address"),
            form_row(address_line1=6, address_line2=6),
            form_row(city=4, state=3, postal_code=3, country=2),
        ),
        Fieldset(
            _("Contact and communication"),
            form_row(phone_mobile=3, phone_home=3, email=6),
            form_row(
                preferred_language=3,
                interpreter_needed="3 pt-md-4",
                preferred_contact_method=3,
            ),
            form_row(sms_consent="3 pt-md-4", sms_consent_method=5),
        ),
        Fieldset(
            _("Emergency contact"),
            form_row(
                emergency_contact_name=5,
                emergency_contact_relationship=3,
                emergency_contact_phone=4,
            ),
        ),
    ]


class PatientForm(forms.ModelForm):
    """Demographics: the part of registration that edits later too."""

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {"birth_date": _date_widget()}
        # birth_date keeps its own bounds (clean_birth_date: 1900 to today).

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].input_formats = DATE_INPUT_FORMATS
        self.fields["given_name"].widget.attrs["autofocus"] = True
        # ISO 639-1 by name; a code outside the list is refused by the field.
        self.fields["preferred_language"].choices = [
            ("", LANGUAGE_NOT_ASKED),
            *language_choices(),
        ]
        # Countries from ISO 3166 by name; a US or Canadian address takes a state
        # or province code from X12's list (the scrubber checks the same list).
        self.fields["country"] = forms.ChoiceField(
            label=self.fields["country"].label, choices=country_choices()
        )
        self.fields["state"].help_text = _("US: two letters (NY); Canada: ON, QC…")
        self.fields["state"].widget.attrs["list"] = "us-states"
        self.us_state_choices = us_state_choices()  # the page's <datalist>
        for name in ("phone_mobile", "phone_home", "emergency_contact_phone"):
            self.fields[name].widget.attrs.setdefault("placeholder", "(555) 123-4567")
            self.fields[name].widget.input_type = "tel"
        self.helper = fields_only_helper()
        self.helper.layout = Layout(*_demographics_layout())

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(DOB_IN_FUTURE, code="future")
        if value < EARLIEST_BIRTH:
            raise forms.ValidationError(DOB_TOO_EARLY, code="too_early")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sms_consent") and not cleaned.get("sms_consent_method"):
            self.add_error("sms_consent_method", CONSENT_METHOD_REQUIRED)
        country = cleaned.get("country") or "US"
        state = (cleaned.get("state") or "").strip().upper()
        if country in ("US", "CA") and "state" in cleaned:
            if state and not is_state_or_province(state, country):
                self.add_error("state", STATE_NOT_KNOWN % {"state": state})
            else:
                cleaned["state"] = state
        return cleaned


class PatientEditForm(PatientForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label)
            for value, label in Patient.Status.choices
            if value != Patient.Status.MERGED
        ],
    )
    deceased_date = typed_date_field(_("Date of death"))
    change_reason = forms.CharField(
        label=_("Reason for the change"), max_length=100, required=False
    )

    class Meta(PatientForm.Meta):
        fields = [*PATIENT_FIELDS, "status", "deceased_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append(
            Fieldset(
                _("Status"),
                form_row(status=3, deceased_date=3, change_reason=6),
            )
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Patient.Status.DECEASED:
            died = cleaned.get("deceased_date")
            if not died:
                self.add_error("deceased_date", _("Give the date of death."))
            elif died > timezone.localdate():
                self.add_error("deceased_date", _("The date cannot be in the future."))
        return cleaned


class MergeForm(forms.Form):
    survivor_mrn = forms.CharField(
        label=_("Keep this record (MRN)"),
        max_length=16,
        help_text=_("Everything of the record you are on moves to this one."),
    )
    reason = forms.CharField(label=_("Reason for the merge"), max_length=100)

    def __init__(self, *args, duplicate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate = duplicate
        self.helper = fields_only_helper()

    def clean_survivor_mrn(self):
        mrn = self.cleaned_data["survivor_mrn"].strip().upper()
        survivor = patient_by_mrn(mrn=mrn)
        if survivor is None:
            raise forms.ValidationError(_("No patient has this MRN."))
        if self.duplicate is not None and survivor.pk == self.duplicate.pk:
            raise forms.ValidationError(_("Choose another patient's MRN."))
        self.survivor = survivor
        return mrn


class DuplicateProbeForm(forms.Form):
    """The fields of a registration in progress that the duplicate check reads;
    anything unreadable is simply left out of the check."""

    given_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100, required=False)
    birth_date = ClinicDateField(required=False, input_formats=DATE_INPUT_FORMATS)
    phone_mobile = forms.CharField(max_length=40, required=False)
    phone_home = forms.CharField(max_length=40, required=False)
    member_id = forms.CharField(max_length=40, required=False)

    def clean(self):
        cleaned = super().clean()
        for name in ("phone_mobile", "phone_home"):
            cleaned[name] = parse_phone(cleaned.get(name) or "")
        member = (cleaned.get("member_id") or "").strip().upper()
        cleaned["member_id"] = member if " " not in member else ""
        return cleaned

    def has_enough(self) -> bool:
        data = self.cleaned_data
        named = data.get("birth_date") and (
            data.get("given_name") or data.get("family_name")
        )
        return bool(
            named
            or data.get("phone_mobile")
            or data.get("phone_home")
            or data.get("member_id")
        )
