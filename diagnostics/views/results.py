"""Result pages: entry by hand, sign-off, critical acknowledgement, inbox."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView

from clinic.edges import ServiceFormMixin
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from diagnostics import selectors, services
from diagnostics.forms import (
    AcknowledgeForm,
    ResultEntryForm,
    ReviewForm,
)
from diagnostics.models import Observation
from diagnostics.views.common import (
    OrderMixin,
)
from registration.banner import PatientBannerMixin

SAVED = _("%(n)d result(s) saved.")
CRITICAL_SAVED = _("Critical: %(tests)s. The ordering clinician was alerted.")
ACKNOWLEDGED = _("Critical %(test)s acknowledged.")


class ResultEntryView(OrderMixin, ServiceFormMixin, FormView):
    permission_required = "diagnostics.enter_result"
    template_name = "diagnostics/order_action.html"
    form_class = ResultEntryForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "rows": selectors.order_items_with_results(self.order),
        }

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        self.log_access("result entry")
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Enter results"), **kwargs)

    def perform(self, form):
        self.made = services.results_enter(
            order=self.order,
            values=form.values(),
            status=form.cleaned_data["status"],
            actor=self.request.user,
        )
        return self.made

    def get_success_message(self, made) -> str:
        return SAVED % {"n": len(made)}

    def form_valid(self, form):
        response = super().form_valid(form)
        critical = [o for o in getattr(self, "made", []) if o.is_critical]
        if critical:
            # After the "saved" message: the warning is what the nurse reads last.
            messages.warning(
                self.request,
                CRITICAL_SAVED % {"tests": ", ".join(o.test.name for o in critical)},
            )
        return response


class OrderReviewView(OrderMixin, ServiceFormMixin, FormView):
    access_what = "sign-off form"
    permission_required = "diagnostics.review_result"
    template_name = "diagnostics/order_action.html"
    form_class = ReviewForm
    success_message = _("Results signed off.")
    service = staticmethod(services.order_review)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Review results"), **kwargs)

    def get_result_url(self, result) -> str:
        return reverse("diagnostics:review-list")


class ObservationAcknowledgeView(
    RoleRequiredMixin, PatientBannerMixin, ServiceFormMixin, FormView
):
    permission_required = "diagnostics.acknowledge_critical"
    template_name = "diagnostics/order_action.html"
    form_class = AcknowledgeForm
    service = staticmethod(services.critical_acknowledge)

    def get_banner_patient(self):
        return self.order.patient

    def dispatch(self, request, *args, **kwargs):
        self.observation = get_object_or_404(
            Observation.objects.select_related("test", "order__patient"),
            pk=kwargs["pk"],
        )
        self.order = self.observation.order
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_request(
            request,
            patient=self.order.patient,
            obj=self.observation,
            what="critical result",
        )
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Acknowledge critical result"),
            order=self.order,
            observation=self.observation,
            **kwargs,
        )

    def get_service_kwargs(self) -> dict:
        return {"observation": self.observation}

    def get_success_message(self, acknowledgement) -> str:
        return ACKNOWLEDGED % {"test": self.observation.test.name}

    def get_result_url(self, acknowledgement) -> str:
        return self.order.get_absolute_url()


class ReviewInboxView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    """The clinician's results to review; signing off empties it."""

    permission_required = "diagnostics.review_result"
    template_name = "diagnostics/review_list.html"
    context_object_name = "orders"
    paginate_by = 25

    def get_queryset(self):
        return selectors.review_inbox(clinician=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for order in context["orders"]:
            observations = list(order.observations.all())
            order.abnormal = [o for o in observations if o.is_abnormal]
            order.pending_criticals = services.unacknowledged_criticals(order)
        return context
