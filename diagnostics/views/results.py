"""Result pages: entry by hand, sign-off, critical acknowledgement, inbox."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from clinic.exceptions import ApplicationError
from clinic.forms import add_validation_error
from clinic.mixins import ListAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_record
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


class ResultEntryView(OrderMixin, FormView):
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

    def form_valid(self, form):
        try:
            made = services.results_enter(
                order=self.order,
                values=form.values(),
                status=form.cleaned_data["status"],
                actor=self.request.user,
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.order)
        critical = [o for o in made if o.is_critical]
        messages.success(self.request, _("%(n)d result(s) saved.") % {"n": len(made)})
        if critical:
            messages.warning(
                self.request,
                _("Critical: %(tests)s. The ordering clinician was alerted.")
                % {"tests": ", ".join(o.test.name for o in critical)},
            )
        return redirect(self.order)


class OrderReviewView(OrderMixin, FormView):
    access_what = "sign-off form"
    permission_required = "diagnostics.review_result"
    template_name = "diagnostics/order_action.html"
    form_class = ReviewForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Review results"), **kwargs)

    def form_valid(self, form):
        try:
            services.order_review(
                order=self.order,
                note=form.cleaned_data["note"],
                actor=self.request.user,
            )
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.order)
        messages.success(self.request, _("Results signed off."))
        return redirect("diagnostics:review-list")


class ObservationAcknowledgeView(RoleRequiredMixin, PatientBannerMixin, FormView):
    permission_required = "diagnostics.acknowledge_critical"
    template_name = "diagnostics/order_action.html"
    form_class = AcknowledgeForm

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
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW,
            patient=self.order.patient,
            obj=self.observation,
            what="critical result",
            request=request,
        )
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Acknowledge critical result"),
            order=self.order,
            observation=self.observation,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.critical_acknowledge(
                observation=self.observation,
                action_taken=form.cleaned_data["action_taken"],
                actor=self.request.user,
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.order)
        messages.success(
            self.request,
            _("Critical %(test)s acknowledged.") % {"test": self.observation.test.name},
        )
        return redirect(self.order)


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
