"""What automations did and would do: dry run, message preview, metrics, the run
log and the recall lists."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from automations import selectors, services
from automations.forms import PreviewForm, RunFilterForm
from automations.metrics import automation_metrics
from automations.models import RecallEntry
from automations.preview import automation_preview
from automations.views.editor import VIEW, AutomationPageMixin
from clinic.edges import FilteredListMixin
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from clinic.svg_chart import Series, bar_chart
from registration.restriction import may_open, refusal


class DryRunView(ListAccessLogMixin, AutomationPageMixin, TemplateView):
    """What the automation would have done over the last 30 days; nothing is sent."""

    permission_required = VIEW
    template_name = "automations/dry_run.html"
    access_what = "automation dry run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = services.automation_dry_run(
            automation=self.automation, actor=self.request.user
        )
        context.update(automation=self.automation, result=result)
        return context


class PreviewView(AutomationPageMixin, View):
    """Each message rendered for a sample patient (htmx partial in the editor)."""

    permission_required = VIEW

    def get(self, request, pk):
        form = PreviewForm(request.GET or None)
        patient, visit = form.sample() if form.is_valid() else (None, None)
        if patient is not None and not may_open(
            user=request.user, patient=patient, request=request
        ):
            return refusal(request, patient.pk)
        preview = automation_preview(
            automation=self.automation, patient=patient, visit=visit
        )
        if preview.patient is not None:
            access_log_request(
                request,
                patient=preview.patient,
                obj=self.automation,
                what="automation message preview",
            )
        template = (
            "automations/partials/_preview.html"
            if request.htmx
            else "automations/preview.html"
        )
        context = {
            "automation": self.automation,
            "preview_form": form,
            "preview": preview,
        }
        return render(request, template, context)


class MetricsView(AutomationPageMixin, TemplateView):
    permission_required = "automations.view_automation_metrics"
    template_name = "automations/metrics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        metrics = automation_metrics(automation=self.automation)
        context.update(
            automation=self.automation,
            metrics=metrics,
            chart=bar_chart(
                rows=metrics.chart_rows,
                series=[
                    Series(_("visits it touched"), value_format="{}%"),
                    Series(_("the others"), "chart-muted", value_format="{}%"),
                ],
            ),
        )
        if metrics.outcome is not None:
            unit = "{} " + str(metrics.outcome.unit)
            series = [Series(_("events it acted on"), value_format=unit)]
            if metrics.outcome.comparable:
                series.append(Series(_("the others"), "chart-muted", value_format=unit))
            context["outcome_chart"] = bar_chart(
                rows=metrics.outcome_chart_rows, series=series
            )
        return context


class RunListView(ListAccessLogMixin, RoleRequiredMixin, FilteredListMixin, ListView):
    permission_required = "automations.view_automationrun"
    template_name = "automations/run_list.html"
    context_object_name = "runs"
    paginate_by = 50
    access_what = "automation run log"
    filter_form_class = RunFilterForm

    def get_queryset(self):
        filters = self.filter_arguments("automation", "status", "start", "end")
        return selectors.runs_filtered(**filters)


class RunDetailView(PatientAccessLogMixin, RoleRequiredMixin, DetailView):
    permission_required = "automations.view_automationrun"
    template_name = "automations/run_detail.html"
    context_object_name = "run"
    access_what = "automation run"

    def get_object(self, queryset=None):
        run = selectors.run_detail(self.kwargs["pk"])
        if run is None:
            raise Http404
        return run

    def get_access_patient(self):
        return self.object.event.patient


class RecallListView(ListAccessLogMixin, RoleRequiredMixin, ListView):
    permission_required = "automations.view_recallentry"
    template_name = "automations/recall_list.html"
    context_object_name = "entries"
    paginate_by = 50
    access_what = "recall lists"

    def get_queryset(self):
        return (
            RecallEntry.objects.filter(status=RecallEntry.Status.OPEN)
            .select_related("recall_list", "patient")
            .order_by("due_date", "pk")
        )
