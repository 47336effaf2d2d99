"""A patient's contacts: the front desk adds, edits and ends them (with the
patient's consent recorded); the chart's contacts panel lists them."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from clinic.edges import ConfirmFormMixin, ServiceFormMixin
from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration import services
from registration.banner import PatientBannerMixin, UrlPatientMixin
from registration.forms import ContactForm
from registration.models import PatientContact


class _ContactPage(
    UrlPatientMixin,
    PatientBannerMixin,
    PatientAccessLogMixin,
    RoleRequiredMixin,
    ServiceFormMixin,
    FormView,
):
    template_name = "registration/contact_form.html"
    form_class = ContactForm
    title = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.title)
        return super().get_context_data(patient=self.patient, **kwargs)

    def get_result_url(self, result) -> str:
        return self.patient.get_absolute_url() + "#panel-contacts"


class ContactCreateView(_ContactPage):
    permission_required = "registration.add_patientcontact"
    access_what = "add contact form"
    title = _("Add a contact")
    success_message = _("Contact added.")

    def perform(self, form):
        return services.contact_add(
            patient=self.patient, data=form.cleaned_data, actor=self.request.user
        )


class _OneContact:
    """A page about one contact (the URL's ``pk``); its patient is the page's."""

    def load_patient(self, kwargs):
        self.contact = get_object_or_404(
            PatientContact.objects.select_related("patient"), pk=kwargs["pk"]
        )
        return self.contact.patient

    def get_access_object(self):
        return self.contact


class ContactUpdateView(_OneContact, _ContactPage):
    permission_required = "registration.change_patientcontact"
    access_what = "edit contact form"
    title = _("Edit contact")
    success_message = _("Contact saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.contact}

    def perform(self, form):
        return services.contact_update(
            contact=self.contact, data=form.cleaned_data, actor=self.request.user
        )


class ContactEndView(_OneContact, ConfirmFormMixin, _ContactPage):
    """Ending asks a reason; the contact keeps its record and history."""

    permission_required = "registration.change_patientcontact"
    access_what = "end contact form"
    template_name = "registration/contact_form.html"
    form_class = ConfirmFormMixin.form_class
    title = _("End contact %(name)s")
    explanation = _(
        "From now on the contact gets no reminders or notices and may not act for "
        "the patient. The record and its history stay."
    )
    submit_label = _("End contact")
    success_message = _("%(name)s no longer acts for the patient.")

    def get_subject_name(self) -> str:
        return self.contact.name

    def get_crumbs(self):
        return [(self.patient.display_name, self.patient.get_absolute_url())]

    def perform(self, form):
        return services.contact_end(
            contact=self.contact,
            reason=form.cleaned_data["reason"],
            actor=self.request.user,
        )
