"""The patient banner on every page about one patient (DESIGN invariant 10).

Pages put ``banner`` (``registration.selectors.patient_banner``) in their context and
include ``registration/partials/_patient_banner.html``; a view whose patient is
known gets both from ``PatientBannerMixin``.
"""

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
