"""HL7 message pages: list and error list, upload, one message, re-process."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from clinic.edges import FilteredListMixin, ServiceFormMixin
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from clinic.upload_pages import UploadProgressView
from diagnostics import selectors
from diagnostics.exceptions import Hl7FileRefused
from diagnostics.forms import (
    Hl7FilterForm,
    Hl7UploadForm,
    SetAsideForm,
)
from diagnostics.hl7v2.importer import hl7_reprocess, hl7_set_aside
from diagnostics.hl7v2.uploads import hl7_upload_create
from diagnostics.models import Hl7Message, Hl7Upload


class Hl7ListView(RoleRequiredMixin, ListAccessLogMixin, FilteredListMixin, ListView):
    permission_required = "diagnostics.view_hl7message"
    template_name = "diagnostics/hl7_list.html"
    context_object_name = "hl7_messages"
    paginate_by = 25
    filter_form_class = Hl7FilterForm

    def get_queryset(self):
        filters = self.filter_arguments("status", q="query", upload="upload_id")
        return selectors.hl7_messages(**filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_import=self.request.user.has_perm("diagnostics.import_hl7"),
            uploads=Hl7Upload.objects.filter(uploaded_by=self.request.user)[:5],
            **kwargs,
        )


class Hl7UploadView(RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "diagnostics.import_hl7"
    template_name = "diagnostics/hl7_upload.html"
    form_class = Hl7UploadForm
    refusal_fields = {Hl7FileRefused: "file"}

    def perform(self, form):
        return hl7_upload_create(
            file_name=form.cleaned_data["file"].name,
            text=form.text,
            actor=self.request.user,
        )


class Hl7UploadDetailView(RoleRequiredMixin, UploadProgressView):
    """An upload's import, polled by htmx while it runs (counts only, no patient
    data: the messages themselves are on their own pages)."""

    permission_required = "diagnostics.view_hl7message"
    model = Hl7Upload
    template_name = "diagnostics/hl7_upload_detail.html"
    partial_template_name = "diagnostics/partials/_hl7_upload_progress.html"


class Hl7DetailView(RoleRequiredMixin, DetailView):
    permission_required = "diagnostics.view_hl7message"
    template_name = "diagnostics/hl7_detail.html"
    context_object_name = "hl7_message"
    model = Hl7Message

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_request(
            request,
            patient=selectors.hl7_message_patient(message=self.object),
            obj=self.object,
            what="HL7 message",
        )
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            segments=self.object.raw.strip().split("\r"),
            ack_segments=self.object.ack.strip().split("\r"),
            can_import=self.request.user.has_perm("diagnostics.import_hl7"),
            set_aside_form=SetAsideForm(),
            **kwargs,
        )


class Hl7ReprocessView(RoleRequiredMixin, View):
    permission_required = "diagnostics.import_hl7"
    http_method_names = ["post"]

    def post(self, request, pk):
        message = get_object_or_404(Hl7Message, pk=pk)
        outcome = hl7_reprocess(message=message, actor=request.user)
        if outcome.ok:
            messages.success(request, _("The message was applied."))
        else:
            messages.error(
                request, _("Still not applied: %(e)s") % {"e": outcome.message.error}
            )
        return redirect(outcome.message)


class Hl7SetAsideView(RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "diagnostics.import_hl7"
    template_name = "diagnostics/order_action.html"
    form_class = SetAsideForm
    success_message = gettext_lazy("The message left the error list.")

    def dispatch(self, request, *args, **kwargs):
        self.message = get_object_or_404(Hl7Message, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Set the message aside"), **kwargs)

    def perform(self, form):
        return hl7_set_aside(
            message=self.message,
            note=form.cleaned_data["note"],
            actor=self.request.user,
        )

    def get_result_url(self, message) -> str:
        return reverse("diagnostics:hl7-list")
