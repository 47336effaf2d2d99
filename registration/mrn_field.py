"""A patient chosen by MRN, for any app's form: the box shows whose MRN it is while
it is typed or scanned, and the field cleans to the Patient (``patient_by_mrn``)."""

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from registration.selectors import mrn_normalise, patient_banner, patient_by_mrn

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
