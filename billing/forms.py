"""Billing forms: filters, charge review, diagnoses, claim work, 835 upload."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from billing.models import Charge, Claim, ClaimLine
from billing.selectors import fee_schedule_codes
from billing.services.claim_lines import LINE_FIELDS, claim_line_problems
from billing.services.remittance import NUL_REFUSED
from billing.validators import (
    MAX_DIAGNOSES,
    validate_cpt_hcpcs,
    validate_modifiers,
    validate_place_of_service,
    validate_pointers,
)
from billing.x12.code_lists import PLACES_OF_SERVICE, place_of_service_name
from clinic.fields import SubmitButtonMixin, submit_helper, uploaded_text
from clinic.x12.reader import delimiters_of
from registration.models import Payer

MAX_835_BYTES = 20 * 1024 * 1024
CENT = Decimal("0.01")


class FeeScheduleCodeInput(forms.TextInput):
    """A CPT/HCPCS input that offers the clinic's fee schedule as a datalist: the
    codes a charge may carry (the services refuse any other)."""

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-fee-schedule"
        attrs = {**(attrs or {}), "list": list_id, "autocomplete": "off"}
        options = format_html_join(
            "",
            '<option value="{}">{} {}</option>',
            ((code, code, description) for code, description in fee_schedule_codes()),
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class ClaimFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Claim number, MRN, family name or payer ICN")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Claim.Status.choices],
    )
    payer = forms.ModelChoiceField(
        label=_("Payer"),
        required=False,
        queryset=Payer.objects.order_by("name"),
        empty_label=_("Any payer"),
    )


class VisitFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("MRN or family name")}),
    )


class ChargeForm(forms.Form):
    code = forms.CharField(
        label=_("CPT/HCPCS"),
        max_length=5,
        validators=[validate_cpt_hcpcs],
        widget=FeeScheduleCodeInput,
    )
    modifiers = forms.CharField(
        label=_("Modifiers"),
        max_length=11,
        required=False,
        validators=[validate_modifiers],
    )
    units = forms.DecimalField(
        label=_("Units"), min_value=0.01, max_digits=6, decimal_places=2, initial=1
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        min_value=0,
        max_digits=11,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty for the fee schedule's price."),
    )
    diagnosis_pointers = forms.CharField(
        label=_("Diagnosis pointers"),
        max_length=11,
        initial="1",
        validators=[validate_pointers],
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        # The visit page holds the diagnosis form too: ids must not collide.
        kwargs.setdefault("auto_id", "charge_%s")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label or _("Add charge"))

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_modifiers(self):
        return " ".join(self.cleaned_data["modifiers"].upper().split())

    @classmethod
    def for_charge(cls, charge: Charge, data=None):
        return cls(
            data,
            initial={
                "code": charge.code,
                "modifiers": charge.modifiers,
                "units": charge.units,
                "unit_price": charge.unit_price,
                "diagnosis_pointers": charge.diagnosis_pointers,
            },
            submit_label=_("Save charge"),
        )


class ClaimLineForm(forms.Form):
    """A claim's service line as billing edits it; the service also checks the
    pointers against the claim's diagnoses."""

    code = forms.CharField(
        label=_("CPT/HCPCS"), max_length=5, widget=FeeScheduleCodeInput
    )
    modifiers = forms.CharField(
        label=_("Modifiers"),
        max_length=11,
        required=False,
        help_text=_("Up to four two-character modifiers, separated by spaces."),
    )
    units = forms.DecimalField(
        label=_("Units"), min_value=0.01, max_digits=6, decimal_places=2, initial=1
    )
    charge_amount = forms.DecimalField(
        label=_("Charge"), min_value=0.01, max_digits=11, decimal_places=2
    )
    diagnosis_pointers = forms.CharField(
        label=_("Diagnosis pointers"),
        max_length=11,
        initial="1",
        validators=[validate_pointers],
    )

    def __init__(
        self, *args, diagnosis_count=MAX_DIAGNOSES, submit_label=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.unit_price: Decimal | None = None
        self.diagnosis_count = diagnosis_count
        self.fields["diagnosis_pointers"].help_text = _(
            "Up to four of the claim's diagnoses (1 to %(n)d), separated by spaces."
        ) % {"n": diagnosis_count}
        self.helper = submit_helper(submit_label or _("Save line"))

    def clean(self):
        data = super().clean()
        # The services' own rules for a line, shown beside the form's (all errors
        # at once); only fields the form accepted, and a charge left empty on a
        # new line is priced later.
        line = ClaimLine(**{name: data.get(name) for name in LINE_FIELDS})
        problems = claim_line_problems(line, self.diagnosis_count)
        for name, found in problems.items():
            if data.get(name) is not None:
                for message in found:
                    self.add_error(name, message)
        for name in ("code", "modifiers", "diagnosis_pointers"):
            if name in data:
                data[name] = getattr(line, name)  # as the services store it
        # New units for the same code with the charge left as it was: the charge
        # follows the units at the line's unit price, as on the fee schedule.
        if (
            self.unit_price is not None
            and data.get("units")
            and "units" in self.changed_data
            and not {"code", "charge_amount"} & set(self.changed_data)
        ):
            data["charge_amount"] = (self.unit_price * data["units"]).quantize(CENT)
        return data

    @classmethod
    def for_line(cls, line: ClaimLine, data=None, *, diagnosis_count=MAX_DIAGNOSES):
        form = cls(
            data,
            initial={name: getattr(line, name) for name in cls.base_fields},
            diagnosis_count=diagnosis_count,
        )
        if line.units and line.units > 0:
            form.unit_price = line.charge_amount / line.units
            form.fields["charge_amount"].help_text = _(
                "The line's total. Change only the units and it follows at "
                "%(price)s per unit."
            ) % {"price": form.unit_price.quantize(CENT)}
        return form

    @classmethod
    def for_new_line(cls, data=None, *, diagnosis_count=12):
        form = cls(data, diagnosis_count=diagnosis_count, submit_label=_("Add line"))
        form.fields["charge_amount"].required = False
        form.fields["charge_amount"].help_text = _(
            "Leave empty for the fee schedule's price times the units."
        )
        return form


class DiagnosisForm(forms.Form):
    """A code typed, or picked from the search's list (``pick``, the button that
    submitted the form); the service checks it against the ICD-10-CM table."""

    code = forms.CharField(
        label=_("ICD-10-CM"),
        max_length=120,
        required=False,
        help_text=_("Type a code (E11.9) or words (type 2 diabetes) and pick one."),
    )
    pick = forms.CharField(max_length=8, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "dx_%s")
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Add diagnosis"))

    def clean(self):
        data = super().clean()
        code = (data.get("pick") or data.get("code") or "").strip()
        if not code:
            self.add_error("code", _("Type a code or words and pick a diagnosis."))
        return {"code": code}


class ClaimEditForm(SubmitButtonMixin, forms.Form):
    place_of_service = forms.ChoiceField(
        label=_("Place of service"),
        choices=[(code, place_of_service_name(code)) for code in PLACES_OF_SERVICE],
        validators=[validate_place_of_service],
    )

    submit_label = _("Save")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label or _("Confirm"), "btn-warning")


class NoteForm(SubmitButtonMixin, forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    submit_label = _("Add note")
    submit_class = "btn-outline-primary"


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Biller"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name="Billing")
            .order_by("username")
        )
        self.fields["user"].label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )
        self.helper = submit_helper(_("Assign"), "btn-outline-primary")


class RemittanceUploadForm(SubmitButtonMixin, forms.Form):
    file = forms.FileField(label=_("835 file"))

    submit_label = _("Import and post")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.text = uploaded_text(
            upload,
            max_bytes=MAX_835_BYTES,
            too_large=_("An 835 file may be at most 20 MB."),
            encoding="ascii",
        )
        if delimiters_of(self.text) is None:
            raise forms.ValidationError(
                _("This is not an X12 file (it does not start with ISA).")
            )
        if "\x00" in self.text:
            raise forms.ValidationError(NUL_REFUSED)
        return upload
