"""Medication orders: write one, and one order's page (hold, resume, stop)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from clinic.edges import ServiceFormMixin
from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from medications import selectors, services
from medications.exceptions import DuplicateTherapy
from medications.forms import OrderForm, OrderStatusForm
from medications.models import MedicationOrder
from medications.views.common import (
    CHANGE_ORDER,
    ORDER,
    VIEW_ORDERS,
    default_location,
)
from registration.banner import PatientBannerMixin
from registration.models import Patient

ORDERED = _("Ordered: %(order)s.")
ORDER_NOW = _("The order is now %(status)s.")


class OrderCreateView(
    RoleRequiredMixin,
    PatientAccessLogMixin,
    PatientBannerMixin,
    ServiceFormMixin,
    FormView,
):
    """A new order; a duplicate therapy asks for confirmation on its own box."""

    permission_required = ORDER
    template_name = "medications/order_form.html"
    form_class = OrderForm
    access_what = "new medication order"
    refusal_fields = {DuplicateTherapy: "confirm_duplicate"}

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["patient_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.patient

    def get_initial(self):
        location = selectors.patient_care_unit(
            patient=self.patient
        ) or default_location(self.request)
        return {"location": location.pk if location else None, "dose_unit": "mg"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            patient=self.patient,
            orders=selectors.patient_orders(patient=self.patient),
            **kwargs,
        )

    def perform(self, form):
        return services.order_create(
            patient=self.patient,
            actor=self.request.user,
            **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")},
        )

    def get_success_message(self, order) -> str:
        return ORDERED % {"order": order}


class OrderDetailView(
    RoleRequiredMixin,
    PatientAccessLogMixin,
    PatientBannerMixin,
    ServiceFormMixin,
    FormView,
):
    """An order, its upcoming doses, and (for clinicians) hold/resume/discontinue."""

    permission_required = VIEW_ORDERS
    template_name = "medications/order_detail.html"
    form_class = OrderStatusForm
    access_what = "medication order"

    def dispatch(self, request, *args, **kwargs):
        self.order = get_object_or_404(
            MedicationOrder.objects.select_related(
                "patient", "medication", "ordered_by", "location"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.order

    def get_banner_patient(self):
        return self.order.patient

    def get_context_data(self, **kwargs):
        now = timezone.now()
        doses = self.order.doses.select_related(
            "administration__given_by", "status_changed_by"
        ).order_by("-due_at")[:30]
        return super().get_context_data(
            order=self.order,
            patient=self.order.patient,
            doses=[selectors.dose_decorate(dose, now) for dose in doses],
            can_change=self.request.user.has_perm(CHANGE_ORDER),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_ORDER):
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        action = {
            "hold": services.order_hold,
            "resume": services.order_resume,
            "discontinue": services.order_discontinue,
        }[form.cleaned_data["action"]]
        return action(
            order=self.order,
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, order) -> str:
        return ORDER_NOW % {"status": order.get_status_display().lower()}
