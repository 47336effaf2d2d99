from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from clinic.fields import ClinicDateField
from registration.models import Allergy, Coverage, Patient, Payer
from registration.selectors import mrn_normalise, patient_banner, patient_by_mrn
from registration.validators import validate_card_image, validate_member_id

EARLIEST_BIRTH = date(1900, 1, 1)
DOB_IN_FUTURE = _("The date of birth cannot be in the future.")
DOB_TOO_EARLY = _("The date of birth cannot be before 1900.")
COVERAGE_INCOMPLETE = _("Give both the payer and the member ID, or neither.")
SUBSCRIBER_REQUIRED = _("Required when the patient is not the subscriber.")
CONSENT_METHOD_REQUIRED = _("Say how the patient gave consent to text messages.")
DUPLICATE_REASON_REQUIRED = _(
    "These look like the same person. Open the existing record, or say why this "
    "is a different patient."
)

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


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _demographics_layout():
    return [
        Fieldset(
            _("Legal name"),
            Row(
                Column("given_name", css_class="col-md-3"),
                Column("middle_name", css_class="col-md-2"),
                Column("family_name", css_class="col-md-3"),
                Column("name_suffix", css_class="col-md-1"),
                Column("preferred_name", css_class="col-md-3"),
            ),
        ),
        Row(
            Column("birth_date", css_class="col-md-3"),
            Column("sex_at_birth", css_class="col-md-3"),
            Column("gender_identity", css_class="col-md-3"),
            Column("pronouns", css_class="col-md-3"),
        ),
        Fieldset(
            _("Address"),
            Row(
                Column("address_line1", css_class="col-md-6"),
                Column("address_line2", css_class="col-md-6"),
            ),
            Row(
                Column("city", css_class="col-md-4"),
                Column("state", css_class="col-md-3"),
                Column("postal_code", css_class="col-md-3"),
                Column("country", css_class="col-md-2"),
            ),
        ),
        Fieldset(
            _("Contact and communication"),
            Row(
                Column("phone_mobile", css_class="col-md-3"),
                Column("phone_home", css_class="col-md-3"),
                Column("email", css_class="col-md-6"),
            ),
            Row(
                Column("preferred_language", css_class="col-md-3"),
                Column("interpreter_needed", css_class="col-md-3 pt-md-4"),
                Column("preferred_contact_method", css_class="col-md-3"),
            ),
            Row(
                Column("sms_consent", css_class="col-md-3 pt-md-4"),
                Column("sms_consent_method", css_class="col-md-5"),
            ),
        ),
        Fieldset(
            _("Emergency contact"),
            Row(
                Column("emergency_contact_name", css_class="col-md-5"),
                Column("emergency_contact_relationship", css_class="col-md-3"),
                Column("emergency_contact_phone", css_class="col-md-4"),
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
        for name in ("phone_mobile", "phone_home", "emergency_contact_phone"):
            self.fields[name].widget.attrs.setdefault("placeholder", "(555) 123-4567")
            self.fields[name].widget.input_type = "tel"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
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
    deceased_date = ClinicDateField(
        label=_("Date of death"),
        required=False,
        widget=_date_widget(),
        input_formats=DATE_INPUT_FORMATS,
    )
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
                Row(
                    Column("status", css_class="col-md-3"),
                    Column("deceased_date", css_class="col-md-3"),
                    Column("change_reason", css_class="col-md-6"),
                ),
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


class RegistrationForm(PatientForm):
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
    subscriber_birth_date = ClinicDateField(
        label=_("Subscriber date of birth"),
        required=False,
        widget=_date_widget(),
        input_formats=DATE_INPUT_FORMATS,
    )
    subscriber_sex = forms.ChoiceField(
        label=_("Subscriber sex"),
        choices=[("", "—"), *Patient.SexAtBirth.choices],
        required=False,
    )
    effective_date = ClinicDateField(
        label=_("Coverage effective"),
        required=False,
        widget=_date_widget(),
        input_formats=DATE_INPUT_FORMATS,
    )
    card_front = forms.FileField(
        label=_("Card front"),
        required=False,
        validators=[validate_card_image],
        widget=forms.ClearableFileInput(attrs={"accept": CARD_ACCEPT}),
    )
    card_back = forms.FileField(
        label=_("Card back"),
        required=False,
        validators=[validate_card_image],
        widget=forms.ClearableFileInput(attrs={"accept": CARD_ACCEPT}),
    )
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
        "relationship",
        "subscriber_given_name",
        "subscriber_family_name",
        "subscriber_birth_date",
        "subscriber_sex",
        "effective_date",
        "card_front",
        "card_back",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            *_demographics_layout(),
            Fieldset(
                _("Allergies"), Row(Column("allergy_review", css_class="col-md-6"))
            ),
            Fieldset(
                _("Primary insurance"),
                Row(
                    Column("payer", css_class="col-md-4"),
                    Column("member_id", css_class="col-md-3"),
                    Column("group_number", css_class="col-md-2"),
                    Column("plan_name", css_class="col-md-3"),
                ),
                Row(
                    Column("relationship", css_class="col-md-3"),
                    Column("effective_date", css_class="col-md-3"),
                    Column("card_front", css_class="col-md-3"),
                    Column("card_back", css_class="col-md-3"),
                ),
                Row(
                    Column("subscriber_given_name", css_class="col-md-3"),
                    Column("subscriber_family_name", css_class="col-md-3"),
                    Column("subscriber_birth_date", css_class="col-md-3"),
                    Column("subscriber_sex", css_class="col-md-3"),
                ),
            ),
            "duplicates_shown",
            HTML(""),
        )

    def clean_member_id(self):
        return self.cleaned_data["member_id"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        payer, member = cleaned.get("payer"), cleaned.get("member_id")
        if "member_id" in self.errors:
            return cleaned
        if bool(payer) != bool(member):
            self.add_error("payer" if not payer else "member_id", COVERAGE_INCOMPLETE)
        if payer and cleaned.get("relationship") != Coverage.Relationship.SELF:
            for name in (
                "subscriber_given_name",
                "subscriber_family_name",
                "subscriber_birth_date",
            ):
                if not cleaned.get(name):
                    self.add_error(name, SUBSCRIBER_REQUIRED)
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


class CoverageForm(forms.ModelForm):
    class Meta:
        model = Coverage
        fields = [
            "payer",
            "plan_name",
            "member_id",
            "group_number",
            "priority",
            "relationship",
            "subscriber_given_name",
            "subscriber_family_name",
            "subscriber_birth_date",
            "subscriber_sex",
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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_member_id(self):
        return self.cleaned_data["member_id"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relationship") not in (None, Coverage.Relationship.SELF):
            for name in (
                "subscriber_given_name",
                "subscriber_family_name",
                "subscriber_birth_date",
            ):
                if not cleaned.get(name):
                    self.add_error(name, SUBSCRIBER_REQUIRED)
        return cleaned


class AllergyForm(forms.ModelForm):
    class Meta:
        model = Allergy
        fields = ["substance", "rxnorm_code", "reaction", "severity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substance"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_survivor_mrn(self):
        mrn = self.cleaned_data["survivor_mrn"].strip().upper()
        survivor = Patient.objects.filter(mrn=mrn).first()
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
        from registration.search import parse_phone

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


# --- A patient typed or scanned as an MRN ---------------------------------------------

PATIENT_NOT_FOUND = _("No patient has the MRN %(mrn)s.")
PATIENT_NOT_SHOWN = _(
    "Check the patient first: %(name)s, born %(birth)s (MRN %(mrn)s). Nothing was "
    "saved; if this is the right patient, send the form again."
)


class PatientMRNInput(forms.TextInput):
    """An MRN box that shows whose MRN it is while it is typed or scanned (htmx asks
    ``registration:patient-lookup``), and posts beside it, as ``<name>_shown``, the
    MRN whose banner the page showed."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "data-scan": "true", **(attrs or {})})
        self.banner = None  # set by PatientMRNField once the MRN names a patient
        self.shown = ""

    def value_from_datadict(self, data, files, name):
        self.shown = data.get(f"{name}_shown", "")
        return super().value_from_datadict(data, files, name)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        box_id = f"{attrs.get('id') or 'id_' + name}-patient"
        attrs.update(
            {
                "hx-get": reverse("registration:patient-lookup")
                + "?"
                + urlencode({"field": name}),
                "hx-trigger": "input changed delay:300ms, change",
                "hx-target": f"#{box_id}",
                "hx-sync": "this:replace",
                "aria-describedby": box_id,
            }
        )
        box = render_to_string(
            "registration/partials/_patient_lookup_box.html",
            {"box_id": box_id, "banner": self.banner, "field": name},
        )
        return mark_safe(super().render(name, value, attrs, renderer) + box)


class PatientMRNField(forms.CharField):
    """A patient chosen by MRN (cleans to the Patient). With ``confirm``, the form
    saves only for the patient whose banner the page showed: an MRN typed and sent
    before the page showed whose it is comes back with the name, nothing saved."""

    widget = PatientMRNInput

    def __init__(self, *, confirm: bool = False, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.confirm = confirm

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        patient = patient_by_mrn(mrn=value)
        if patient is None:
            raise forms.ValidationError(PATIENT_NOT_FOUND % {"mrn": value})
        self.widget.banner = patient_banner(patient=patient)
        shown = mrn_normalise(self.widget.shown)
        if self.confirm and shown != mrn_normalise(patient.mrn):
            raise forms.ValidationError(
                PATIENT_NOT_SHOWN
                % {
                    "name": patient.display_name,
                    "birth": f"{patient.birth_date:%Y-%m-%d}",
                    "mrn": patient.mrn,
                }
            )
        return patient


class PatientMRNFormMixin:
    """A form with PatientMRNFields shows the banner of an MRN it starts with."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            return
        for name, field in self.fields.items():
            if isinstance(field, PatientMRNField):
                value = self.get_initial_for_field(field, name)
                patient = patient_by_mrn(mrn=str(value or ""))
                if patient is not None:
                    field.widget.banner = patient_banner(patient=patient)
