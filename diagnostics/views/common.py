"""What the diagnostics pages share."""

from clinic.edges import found_or_404
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from diagnostics import selectors
from registration.banner import PatientBannerMixin

VIEW_ORDERS = "diagnostics.view_diagnosticorder"
VIEW_RESULTS = "diagnostics.view_results"


class OrderMixin(RoleRequiredMixin, PatientBannerMixin):
    """Loads ``self.order`` (with everything its page shows) from the URL; its
    pages carry the patient banner.

    A form page about the order sets ``access_what``: showing it (GET) writes an
    access-log row (the order and its patient head the page)."""

    access_what = ""

    def get_banner_patient(self):
        return self.order.patient

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.access_what:
            self.log_access(self.access_what)
        return response

    def dispatch(self, request, *args, **kwargs):
        self.order = found_or_404(selectors.order_detail, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"order": self.order}

    def log_access(self, what: str, action=AccessLog.Action.VIEW) -> None:
        access_log_request(
            self.request,
            action=action,
            patient=self.order.patient,
            obj=self.order,
            what=what,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(order=self.order, **kwargs)

    def get_result_url(self, result) -> str:
        """A form about the order goes back to the order's page."""
        return self.order.get_absolute_url()
