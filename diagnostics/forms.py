from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.fields import (
    ClinicDateField,
    SubmitButtonMixin,
    submit_helper,
    uploaded_text,
)
from diagnostics.exceptions import Hl7FileRefused
from diagnostics.hl7v2.importer import hl7_messages_check
from diagnostics.models import (
    ICD10CM_SHAPE,
    DiagnosticOrder,
    Hl7Message,
    Panel,
    SpecimenType,
    TestDefinition,
)
from registration.mrn_field import PatientMRNField, PatientMRNFormMixin

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Accession, MRN or name")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *DiagnosticOrder.Status.choices],
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("Any priority")), *DiagnosticOrder.Priority.choices],
    )
    mine = forms.BooleanField(label=_("Only my orders"), required=False)


class OrderForm(PatientMRNFormMixin, forms.Form):
    patient_mrn = PatientMRNField(label=_("Patient MRN"), confirm=True)
    panels = forms.ModelMultipleChoiceField(
        label=_("Panels"),
        queryset=Panel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tests = forms.ModelMultipleChoiceField(
        label=_("Single tests"),
        queryset=TestDefinition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=DiagnosticOrder.Priority.choices
    )
    reason_code = forms.CharField(
        label=_("Reason (ICD-10-CM code)"),
        max_length=8,
        help_text=_("For example E11.9, R53.83, Z00.00"),
    )
    reason_text = forms.CharField(label=_("Reason (words)"), required=False)
    fasting = forms.BooleanField(label=_("Fasting required"), required=False)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, tests=None, panels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tests"].queryset = tests
        self.fields["panels"].queryset = panels
        self.fields["panels"].label_from_instance = lambda p: (
            f"{p.name} ({', '.join(t.code for t in p.tests.all())})"
        )
        self.fields["tests"].label_from_instance = lambda t: f"{t.name} · {t.loinc}"
        self.helper = submit_helper(_("Place order"))

    def clean_reason_code(self):
        code = self.cleaned_data["reason_code"].strip().upper()
        ICD10CM_SHAPE(code)
        return code

    def clean(self):
        data = super().clean()
        if not data.get("tests") and not data.get("panels"):
            raise forms.ValidationError(_("Choose at least one test or panel."))
        return data


class ReasonForm(SubmitButtonMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)

    submit_label = _("Cancel order")
    submit_class = "btn-danger"


class CollectForm(forms.Form):
    specimen_types = forms.MultipleChoiceField(
        label=_("Specimens collected"), widget=forms.CheckboxSelectMultiple
    )
    collected_at = forms.DateTimeField(
        label=_("Collected at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, specimen_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SpecimenType.choices)
        self.fields["specimen_types"].choices = [(k, labels[k]) for k in specimen_types]
        self.fields["specimen_types"].initial = list(specimen_types)
        self.fields["collected_at"].initial = timezone.localtime().strftime(
            "%Y-%m-%dT%H:%M"
        )
        self.helper = submit_helper(_("Mark collected"))


class ResultEntryForm(forms.Form):
    """One field per ordered test, named test_<id>."""

    status = forms.ChoiceField(
        label=_("Result status"),
        choices=[("F", _("Final")), ("P", _("Preliminary")), ("C", _("Corrected"))],
    )

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tests = {}
        for row in rows:
            test, result = row["test"], row["result"]
            name = f"test_{test.pk}"
            self.tests[name] = test
            help_parts = [test.unit, test.get_result_type_display()]
            if test.normal_values:
                help_parts.append(_("normal: %(v)s") % {"v": test.normal_values})
            self.fields[name] = forms.CharField(
                label=f"{test.name} ({test.loinc})",
                required=False,
                max_length=500,
                help_text=" · ".join(p for p in help_parts if p),
                initial=result.display_value if result else "",
            )
        self.helper = submit_helper(_("Save results"))

    def values(self) -> dict:
        """The results typed or changed on this page (unchanged ones are left)."""
        changed = {}
        for name, test in self.tests.items():
            value = (self.cleaned_data.get(name) or "").strip()
            if value and value != (self.fields[name].initial or ""):
                changed[test] = value
        return changed


class AcknowledgeForm(SubmitButtonMixin, forms.Form):
    action_taken = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: called the patient, sent to the emergency room."),
    )

    submit_label = _("Acknowledge critical result")
    submit_class = "btn-danger"


class ReviewForm(SubmitButtonMixin, forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    submit_label = _("Sign off results")
    submit_class = "btn-success"


class Hl7UploadForm(SubmitButtonMixin, forms.Form):
    file = forms.FileField(label=_("HL7 file (.hl7 or .txt)"))

    submit_label = _("Import results")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        text = uploaded_text(
            upload,
            max_bytes=MAX_UPLOAD_BYTES,
            too_large=_("The file is larger than 5 MB."),
            encoding="utf-8",
        )
        if "MSH" not in text:
            raise forms.ValidationError(
                _("The file holds no HL7 message (no MSH segment).")
            )
        try:
            hl7_messages_check(text)
        except Hl7FileRefused as refused:
            raise forms.ValidationError(refused.message) from None
        self.text = text
        return upload


class Hl7FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    upload = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Hl7Message.Status.choices],
    )


class SetAsideForm(SubmitButtonMixin, forms.Form):
    note = forms.CharField(label=_("Why is it set aside?"), max_length=500)

    submit_label = _("Set aside")
    submit_class = "btn-outline-secondary"


class TurnaroundForm(forms.Form):
    start = ClinicDateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = ClinicDateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end comes before the start."))
        return data
