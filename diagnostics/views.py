"""Pages of diagnostics: orders, specimens, results, review, HL7, reports."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from clinic.exceptions import ApplicationError
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_record
from diagnostics import pdf, selectors, services, turnaround
from diagnostics.forms import (
    AcknowledgeForm,
    CollectForm,
    Hl7FilterForm,
    Hl7UploadForm,
    OrderFilterForm,
    OrderForm,
    ReasonForm,
    ResultEntryForm,
    ReviewForm,
    SetAsideForm,
    TurnaroundForm,
)
from diagnostics.hl7v2.importer import hl7_receive, hl7_reprocess, hl7_set_aside
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation
from registration.models import Patient

VIEW_ORDERS = "diagnostics.view_diagnosticorder"


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Orders ---------------------------------------------------------------------------


class OrderListView(RoleRequiredMixin, ListView):
    permission_required = VIEW_ORDERS
    template_name = "diagnostics/order_list.html"
    context_object_name = "orders"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = OrderFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.order_list(
            query=data.get("q", ""),
            status=data.get("status", ""),
            priority=data.get("priority", ""),
            clinician=self.request.user if data.get("mine") else None,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            querystring=_querystring(self.request),
            can_order=self.request.user.has_perm("diagnostics.add_diagnosticorder"),
            **kwargs,
        )


class OrderCreateView(RoleRequiredMixin, FormView):
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

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            order = services.order_create(
                patient=form.patient,
                tests=list(data["tests"]),
                panels=list(data["panels"]),
                priority=data["priority"],
                reason_code=data["reason_code"],
                reason_text=data["reason_text"],
                fasting=data["fasting"],
                instructions=data["instructions"],
                actor=self.request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Order %(accession)s placed for %(patient)s.")
            % {"accession": order.accession, "patient": order.patient},
        )
        return redirect(order)


class _OrderMixin(RoleRequiredMixin):
    """Loads ``self.order`` (with everything its page shows) from the URL."""

    def dispatch(self, request, *args, **kwargs):
        try:
            self.order = selectors.order_detail(pk=kwargs["pk"])
        except DiagnosticOrder.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def log_access(self, what: str, action=AccessLog.Action.VIEW) -> None:
        access_log_record(
            user=self.request.user,
            action=action,
            patient=self.order.patient,
            obj=self.order,
            what=what,
            request=self.request,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(order=self.order, **kwargs)


class OrderDetailView(_OrderMixin, TemplateView):
    permission_required = VIEW_ORDERS
    template_name = "diagnostics/order_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        self.log_access("diagnostic order")
        return response

    def get_context_data(self, **kwargs):
        user, order = self.request.user, self.order
        pending = services.unacknowledged_criticals(order)
        return super().get_context_data(
            rows=selectors.order_items_with_results(order),
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


class OrderCancelView(_OrderMixin, FormView):
    permission_required = "diagnostics.change_diagnosticorder"
    template_name = "diagnostics/order_action.html"
    form_class = ReasonForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Cancel order"), **kwargs)

    def form_valid(self, form):
        try:
            services.order_cancel(
                order=self.order,
                reason=form.cleaned_data["reason"],
                actor=self.request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.order)
        messages.success(self.request, _("Order cancelled."))
        return redirect(self.order)


class OrderCollectView(_OrderMixin, FormView):
    permission_required = "diagnostics.collect_specimen"
    template_name = "diagnostics/order_action.html"
    form_class = CollectForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "specimen_types": services.order_specimen_types(self.order),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Collect specimens"), **kwargs)

    def form_valid(self, form):
        try:
            services.specimen_collect(
                order=self.order,
                specimen_types=form.cleaned_data["specimen_types"],
                collected_at=form.cleaned_data["collected_at"],
                actor=self.request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.order)
        messages.success(
            self.request,
            _("Specimens collected. Print the labels and send them to the lab."),
        )
        return redirect(self.order)


class OrderSendView(_OrderMixin, View):
    permission_required = "diagnostics.collect_specimen"
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            services.order_send_to_lab(order=self.order, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Marked as sent to the lab."))
        return redirect(self.order)


class ResultEntryView(_OrderMixin, FormView):
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
            _form_errors(form, error)
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


class OrderReviewView(_OrderMixin, FormView):
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


class ObservationAcknowledgeView(RoleRequiredMixin, FormView):
    permission_required = "diagnostics.acknowledge_critical"
    template_name = "diagnostics/order_action.html"
    form_class = AcknowledgeForm

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
            _form_errors(form, error)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.order)
        messages.success(
            self.request,
            _("Critical %(test)s acknowledged.") % {"test": self.observation.test.name},
        )
        return redirect(self.order)


class _OrderPdfView(_OrderMixin, View):
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
    render = pdf.report_pdf
    name, what = "results", "result report PDF"


class ReviewInboxView(RoleRequiredMixin, ListView):
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


# --- HL7 ------------------------------------------------------------------------------


class Hl7ListView(RoleRequiredMixin, ListView):
    permission_required = "diagnostics.view_hl7message"
    template_name = "diagnostics/hl7_list.html"
    context_object_name = "hl7_messages"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = Hl7FilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.hl7_messages(
            status=data.get("status", ""), query=data.get("q", "")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            querystring=_querystring(self.request),
            can_import=self.request.user.has_perm("diagnostics.import_hl7"),
            **kwargs,
        )


class Hl7UploadView(RoleRequiredMixin, FormView):
    permission_required = "diagnostics.import_hl7"
    template_name = "diagnostics/hl7_upload.html"
    form_class = Hl7UploadForm

    def form_valid(self, form):
        outcomes = hl7_receive(
            text=form.text,
            source=f"upload: {form.cleaned_data['file'].name}",
            actor=self.request.user,
        )
        good = sum(1 for o in outcomes if o.ok)
        bad = len(outcomes) - good
        messages.success(
            self.request,
            _("%(n)d message(s) read: %(good)d applied, %(bad)d in the error list.")
            % {"n": len(outcomes), "good": good, "bad": bad},
        )
        return redirect("diagnostics:hl7-list")


class Hl7DetailView(RoleRequiredMixin, DetailView):
    permission_required = "diagnostics.view_hl7message"
    template_name = "diagnostics/hl7_detail.html"
    context_object_name = "hl7_message"
    model = Hl7Message

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW,
            patient=selectors.hl7_message_patient(message=self.object),
            obj=self.object,
            what="HL7 message",
            request=request,
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


class Hl7SetAsideView(RoleRequiredMixin, FormView):
    permission_required = "diagnostics.import_hl7"
    template_name = "diagnostics/order_action.html"
    form_class = SetAsideForm

    def dispatch(self, request, *args, **kwargs):
        self.message = get_object_or_404(Hl7Message, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Set the message aside"), **kwargs)

    def form_valid(self, form):
        hl7_set_aside(
            message=self.message,
            note=form.cleaned_data["note"],
            actor=self.request.user,
        )
        messages.success(self.request, _("The message left the error list."))
        return redirect("diagnostics:hl7-list")


# --- Catalogue and reports ------------------------------------------------------------


class CatalogueView(RoleRequiredMixin, TemplateView):
    permission_required = "diagnostics.view_testdefinition"
    template_name = "diagnostics/catalogue.html"

    def get_context_data(self, **kwargs):
        tests, panels = selectors.catalogue()
        return super().get_context_data(
            tests=tests,
            panels=panels,
            can_edit=self.request.user.has_perm("diagnostics.change_testdefinition"),
            **kwargs,
        )


class TurnaroundView(RoleRequiredMixin, TemplateView):
    permission_required = "diagnostics.view_turnaround"
    template_name = "diagnostics/turnaround.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        form = TurnaroundForm(
            request.GET or None,
            initial={"start": today - timedelta(days=30), "end": today},
        )
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            start, end = today - timedelta(days=30), today
        tz = timezone.get_current_timezone()
        rows = turnaround.turnaround_rows(
            start=datetime.combine(start, time.min, tzinfo=tz),
            end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
        )
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                turnaround.turnaround_csv(rows), content_type="text/csv"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="turnaround-{start}-{end}.csv"'
            )
            return response
        context = self.get_context_data(
            form=form,
            rows=rows,
            chart=turnaround.turnaround_chart(rows),
            start=start,
            end=end,
            stages=turnaround.STAGES,
            csv_query=f"start={start}&end={end}&format=csv",
        )
        return self.render_to_response(context)
