"""Order pages: list, place, one order, cancel, collect, send, PDFs."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from clinic.edges import FilteredListMixin, PostActionView, ServiceFormMixin
from clinic.mixins import ListAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from diagnostics import pdf, selectors, services
from diagnostics.forms import (
    CollectForm,
    OrderFilterForm,
    OrderForm,
    ReasonForm,
    ReviewForm,
)
from diagnostics.models import DiagnosticOrder
from diagnostics.views.common import (
    VIEW_ORDERS,
    VIEW_RESULTS,
    OrderMixin,
)
from registration.models import Patient

PLACED = _("Order %(accession)s placed for %(patient)s, born %(birth)s.")


class OrderListView(RoleRequiredMixin, ListAccessLogMixin, FilteredListMixin, ListView):
    permission_required = VIEW_ORDERS
    template_name = "diagnostics/order_list.html"
    context_object_name = "orders"
    paginate_by = 25
    filter_form_class = OrderFilterForm

    def get_queryset(self):
        mine = self.get_filters().get("mine")
        return selectors.order_list(
            clinician=self.request.user if mine else None,
            **self.filter_arguments("status", "priority", q="query"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_order=self.request.user.has_perm("diagnostics.add_diagnosticorder"),
            **kwargs,
        )


class OrderCreateView(RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "diagnostics.add_diagnosticorder"
    template_name = "diagnostics/order_form.html"
    form_class = OrderForm

    def get_form_kwargs(self):
        tests, panels = selectors.orderable()
        return {**super().get_form_kwargs(), "tests": tests, "panels": panels}

    def get_initial(self):
        initial = {"priority": DiagnosticOrder.Priority.ROUTINE}
        patient_id = self.request.GET.get("patient", "")
        if patient_id.isdigit():
            patient = Patient.objects.filter(pk=int(patient_id)).first()
            if patient is not None:
                initial["patient_mrn"] = patient.mrn
        return initial

    def perform(self, form):
        data = form.cleaned_data
        return services.order_create(
            patient=data["patient_mrn"],
            tests=list(data["tests"]),
            panels=list(data["panels"]),
            priority=data["priority"],
            reason_code=data["reason_code"],
            reason_text=data["reason_text"],
            fasting=data["fasting"],
            instructions=data["instructions"],
            actor=self.request.user,
        )

    def get_success_message(self, order) -> str:
        return PLACED % {
            "accession": order.accession,
            "patient": order.patient,
            "birth": f"{order.patient.birth_date:%Y-%m-%d}",
        }


class OrderDetailView(OrderMixin, TemplateView):
    permission_required = VIEW_ORDERS
    template_name = "diagnostics/order_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        self.log_access("diagnostic order")
        return response

    def get_context_data(self, **kwargs):
        user, order = self.request.user, self.order
        can_view_results = user.has_perm(VIEW_RESULTS)
        pending = services.unacknowledged_criticals(order) if can_view_results else []
        return super().get_context_data(
            rows=selectors.order_items_with_results(order) if can_view_results else [],
            can_view_results=can_view_results,
            pending_criticals={o.pk for o in pending},
            can_collect=user.has_perm("diagnostics.collect_specimen")
            and order.status in services.COLLECTABLE,
            can_send=user.has_perm("diagnostics.collect_specimen")
            and order.status == DiagnosticOrder.Status.COLLECTED,
            can_enter=user.has_perm("diagnostics.enter_result")
            and order.status in services.RESULTABLE,
            can_cancel=user.has_perm("diagnostics.change_diagnosticorder")
            and order.status in services.CANCELLABLE,
            can_review=user.has_perm("diagnostics.review_result")
            and order.status in services.REVIEWABLE,
            can_acknowledge=user.has_perm("diagnostics.acknowledge_critical"),
            review_form=ReviewForm(),
            **kwargs,
        )


class OrderCancelView(OrderMixin, ServiceFormMixin, FormView):
    access_what = "cancel form"
    permission_required = "diagnostics.change_diagnosticorder"
    template_name = "diagnostics/order_action.html"
    form_class = ReasonForm
    success_message = _("Order cancelled.")
    service = staticmethod(services.order_cancel)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Cancel order"), **kwargs)


class OrderCollectView(OrderMixin, ServiceFormMixin, FormView):
    access_what = "collect form"
    permission_required = "diagnostics.collect_specimen"
    template_name = "diagnostics/order_action.html"
    form_class = CollectForm
    success_message = _(
        "Specimens collected. Print the labels and send them to the lab."
    )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "specimen_types": services.order_specimen_types(self.order),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Collect specimens"), **kwargs)

    def perform(self, form):
        return services.specimen_collect(
            order=self.order,
            specimen_types=form.cleaned_data["specimen_types"],
            collected_at=form.cleaned_data["collected_at"],
            actor=self.request.user,
        )


class OrderSendView(OrderMixin, PostActionView):
    permission_required = "diagnostics.collect_specimen"
    success_message = _("Marked as sent to the lab.")
    service = staticmethod(services.order_send_to_lab)

    def get_redirect_url(self, result=None) -> str:
        return self.order.get_absolute_url()


class _OrderPdfView(OrderMixin, View):
    permission_required = VIEW_ORDERS
    render = None
    name = ""
    what = ""

    def get(self, request, pk):
        content = type(self).render(self.order)
        self.log_access(self.what, action=AccessLog.Action.PRINT)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{self.name}-{self.order.accession}.pdf"'
        )
        return response


class RequisitionPdfView(_OrderPdfView):
    render = pdf.requisition_pdf
    name, what = "requisition", "requisition PDF"


class LabelPdfView(_OrderPdfView):
    render = pdf.label_pdf
    name, what = "labels", "specimen labels PDF"


class ReportPdfView(_OrderPdfView):
    permission_required = (VIEW_ORDERS, VIEW_RESULTS)
    render = pdf.report_pdf
    name, what = "results", "result report PDF"
