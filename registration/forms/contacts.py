"""A patient's contact: who they are, what they may do, the patient's consent."""

from crispy_forms.layout import HTML, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.fields import ClinicDateField, fields_only_helper, form_row
from registration.forms.patients import _date_widget
from registration.models import PatientContact


class ContactForm(forms.ModelForm):
    class Meta:
        model = PatientContact
        fields = PatientContact.EDITABLE_FIELDS
        widgets = {"consent_until": _date_widget()}
        field_classes = {"consent_until": ClinicDateField}
        help_texts = {
            "consent_method": _("How the patient (or their guardian) agreed."),
            "consent_until": _("Blank: until the patient withdraws it."),
            "receives_results": _("Only that results are ready, never values."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        self.helper = fields_only_helper()
        self.helper.layout = Layout(
            form_row(name=6, relationship=6),
            form_row(phone_mobile=4, email=5, language=3),
            HTML(f"<p class='fw-semibold mb-1'>{_('May do')}</p>"),
            form_row(receives_reminders=6, may_manage_visits=6),
            form_row(receives_results=6, receives_billing=6),
            form_row(consent_method=6, consent_until=6),
        )
