"""Submission batches, 835 remittances and the unmatched-claims exceptions list."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from billing import selectors, services
from billing.exceptions import RemittanceRefused
from billing.forms import RemittanceUploadForm
from billing.models import (
    ClaimPayment,
    Remittance,
    RemittanceUpload,
    SubmissionBatch,
)
from billing.views.common import BillingActionView
from clinic.edges import ServiceFormMixin
from clinic.mixins import ListAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from clinic.upload_pages import UploadProgressView


class BatchListView(RoleRequiredMixin, ListView):
    permission_required = "billing.view_submissionbatch"
    template_name = "billing/batch_list.html"
    context_object_name = "batches"
    paginate_by = 25

    def get_queryset(self):
        return selectors.batches()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="batches", **kwargs)


class BatchDetailView(RoleRequiredMixin, ListAccessLogMixin, DetailView):
    permission_required = "billing.view_submissionbatch"
    template_name = "billing/batch_detail.html"
    context_object_name = "batch"
    model = SubmissionBatch

    def get_access_what(self) -> str:
        return f"submission batch {self.object.isa_control_number:09d}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            claims=selectors.batch_claims(batch=self.object), tab="batches", **kwargs
        )


class BatchDownloadView(RoleRequiredMixin, View):
    permission_required = "billing.view_submissionbatch"

    def get(self, request, pk):
        batch = get_object_or_404(SubmissionBatch, pk=pk)
        access_log_request(
            request, action=AccessLog.Action.EXPORT, what=f"837P file {batch.file_name}"
        )
        response = HttpResponse(batch.content, content_type="application/edi-x12")
        response["Content-Disposition"] = f'attachment; filename="{batch.file_name}"'
        return response


class BatchRetryView(RoleRequiredMixin, BillingActionView):
    permission_required = "billing.submit_claim"
    success_message = gettext_lazy("The batch is queued to be sent again.")

    @cached_property
    def batch(self):
        return get_object_or_404(SubmissionBatch, pk=self.kwargs["pk"])

    def perform(self):
        return services.batch_retry(batch=self.batch, actor=self.request.user)

    def get_back_url(self) -> str:
        return self.batch.get_absolute_url()


class RemittanceListView(RoleRequiredMixin, ListView):
    permission_required = "billing.view_remittance"
    template_name = "billing/remittance_list.html"
    context_object_name = "remittances"
    paginate_by = 25

    def get_queryset(self):
        return selectors.remittances()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tab="remittances",
            exception_count=selectors.remittance_exceptions().count(),
            **kwargs,
        )


class RemittanceUploadView(RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "billing.post_remittance"
    template_name = "billing/remittance_upload.html"
    form_class = RemittanceUploadForm
    refusal_fields = {RemittanceRefused: "file"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="remittances", **kwargs)

    def perform(self, form):
        return services.remittance_upload_create(
            text=form.text,
            file_name=form.cleaned_data["file"].name,
            actor=self.request.user,
        )


class RemittanceUploadDetailView(RoleRequiredMixin, UploadProgressView):
    """An uploaded 835 while it is posted (polled by htmx), then its outcome."""

    permission_required = "billing.view_remittance"
    model = RemittanceUpload
    template_name = "billing/remittance_upload_detail.html"
    partial_template_name = "billing/partials/_remittance_upload_progress.html"
    extra_context = {"tab": "remittances"}


class RemittanceDetailView(RoleRequiredMixin, ListAccessLogMixin, DetailView):
    permission_required = "billing.view_remittance"
    template_name = "billing/remittance_detail.html"
    context_object_name = "remittance"
    model = Remittance

    def get_access_what(self) -> str:
        return f"remittance {self.object.trace_number}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            payments=selectors.remittance_payments(remittance=self.object),
            tab="remittances",
            **kwargs,
        )


class ExceptionListView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    """Paid claims the clinic could not match: payer claim numbers, amounts and
    the patient names the payer sent (an access-log row per look)."""

    permission_required = "billing.view_remittance"
    template_name = "billing/exception_list.html"
    context_object_name = "payments"
    paginate_by = 25

    def get_queryset(self):
        return selectors.remittance_exceptions(
            include_resolved=self.request.GET.get("all") == "1"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="remittances", **kwargs)


class ExceptionResolveView(RoleRequiredMixin, BillingActionView):
    permission_required = "billing.post_remittance"
    success_message = gettext_lazy("Marked as worked.")

    def perform(self):
        payment = get_object_or_404(
            ClaimPayment, pk=self.kwargs["pk"], claim__isnull=True
        )
        services.exception_resolve(payment=payment, actor=self.request.user)

    def get_back_url(self) -> str:
        return reverse("billing:exception-list")
