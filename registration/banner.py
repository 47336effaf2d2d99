"""The patient banner on every page about one patient (DESIGN invariant 10).

Pages put ``banner`` (``registration.selectors.patient_banner``) in their context and
include ``registration/partials/_patient_banner.html``; a view whose patient is
known gets both from ``PatientBannerMixin``.
"""

from django.shortcuts import get_object_or_404

from registration.models import Patient
from registration.selectors import patient_banner

BANNER_TEMPLATE = "registration/partials/_patient_banner.html"


NO_STORE = "private, no-store"


class PatientBannerMixin:
    """Adds ``banner`` for ``get_banner_patient()`` to the page's context; the
    page, being about one patient, is never stored by a browser or proxy."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response

    def get_banner_patient(self):
        return getattr(self, "patient", None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient = self.get_banner_patient()
        if patient is not None and "banner" not in context:
            context["banner"] = patient_banner(patient=patient)
        return context


class UrlPatientMixin:
    """A page about the patient its URL names (``patient_kwarg``), read before
    anything else (a 404 comes first): ``self.patient`` is that patient, and the
    one its access-log row is about. Put it first among the view's bases;
    ``load_patient`` may read the record the URL names instead and return its
    patient."""

    patient_kwarg = "pk"

    def load_patient(self, kwargs) -> Patient:
        return get_object_or_404(Patient, pk=kwargs[self.patient_kwarg])

    def dispatch(self, request, *args, **kwargs):
        self.patient = self.load_patient(kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.patient
