"""Pages of the automations app (administrators): list, editor, dry run, metrics,
run log, starter library, recall lists."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from automations import selectors, services
from automations.dryrun import dry_run
from automations.forms import (
    ActionForm,
    AutomationForm,
    ConditionForm,
    PreviewForm,
    RunFilterForm,
    value_choices,
)
from automations.metrics import automation_metrics
from automations.models import Action, Automation, Condition, RecallEntry
from automations.preview import automation_preview
from automations.starters import BY_SLUG, STARTERS
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_record
from clinic.svg_chart import Series, bar_chart
from registration.restriction import may_open, refusal

VIEW = "automations.view_automation"
CHANGE = "automations.change_automation"
ADD = "automations.add_automation"


def _labelled(conditions) -> list[Condition]:
    """Each condition with its chosen values as the editor lists them."""
    found = []
    for condition in conditions:
        labels = dict(value_choices(condition.field))
        condition.shown = (
            str(condition.number)
            if condition.number is not None
            else ", ".join(str(labels.get(v, v)) for v in condition.values)
        )
        found.append(condition)
    return found


def _url(name: str, automation: Automation) -> str:
    return reverse(f"automations:{name}", args=[automation.pk])


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


class AutomationListView(RoleRequiredMixin, ListView):
    permission_required = VIEW
    template_name = "automations/automation_list.html"
    context_object_name = "automations"
    paginate_by = 50

    def get_queryset(self):
        return selectors.automation_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["automations"])
        counts = selectors.outcome_counts([a.pk for a in rows])
        for automation in rows:
            found = counts.get(automation.pk, {})
            automation.done_count = found.get("done", 0)
            automation.failed_count = found.get("failed", 0)
        context["rows"] = rows
        return context


class AutomationCreateView(RoleRequiredMixin, View):
    permission_required = ADD
    template_name = "automations/automation_new.html"

    def get(self, request):
        return render(request, self.template_name, {"form": AutomationForm()})

    def post(self, request):
        form = AutomationForm(request.POST)
        if form.is_valid():
            automation = form.save(commit=False)
            try:
                services.automation_save(automation=automation, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Saved. Now add its conditions and actions.")
                )
                return redirect(automation)
        return render(request, self.template_name, {"form": form})


class _AutomationMixin(RoleRequiredMixin):
    permission_required = CHANGE

    def dispatch(self, request, *args, **kwargs):
        self.automation = get_object_or_404(Automation, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect(self.automation)


class AutomationEditView(_AutomationMixin, View):
    """The editor: trigger, conditions, actions; problems that keep it off."""

    permission_required = VIEW
    template_name = "automations/automation_edit.html"

    def context(self, **extra) -> dict:
        automation = self.automation
        return {
            "automation": automation,
            "form": extra.get("form") or AutomationForm(instance=automation),
            "conditions": _labelled(automation.conditions.all()),
            "actions": list(automation.actions.select_related("user", "recall_list")),
            "condition_form": extra.get("condition_form")
            or ConditionForm(refresh_url=_url("condition-form", automation)),
            "action_form": extra.get("action_form")
            or ActionForm(refresh_url=_url("action-form", automation)),
            "problems": services.automation_problems(automation),
            "has_messages": any(
                a.kind == Action.Kind.SEND_MESSAGE for a in automation.actions.all()
            ),
            "preview_form": PreviewForm(),
            "can_change": self.request.user.has_perm(CHANGE),
        }

    def get(self, request, pk):
        return render(request, self.template_name, self.context())

    def post(self, request, pk):
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        form = AutomationForm(request.POST, instance=self.automation)
        if form.is_valid():
            automation = form.save(commit=False)
            try:
                services.automation_save(automation=automation, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return self.back()
        return render(request, self.template_name, self.context(form=form), status=400)


class AutomationToggleView(_AutomationMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            if request.POST.get("on") == "1":
                services.automation_enable(
                    automation=self.automation, actor=request.user
                )
                messages.success(request, _("Switched on."))
            else:
                services.automation_disable(
                    automation=self.automation, actor=request.user
                )
                messages.success(request, _("Switched off; pending waits cancelled."))
        except ValidationError as error:
            messages.error(request, _errors(error))
        if request.POST.get("next") == "list":
            return redirect("automations:list")
        return self.back()


class ConditionFormView(_AutomationMixin, View):
    """htmx: the condition form again, its values fitting the chosen fact."""

    permission_required = VIEW

    def get(self, request, pk):
        form = ConditionForm(
            field=request.GET.get("field"),
            refresh_url=_url("condition-form", self.automation),
        )
        return render(
            request,
            "automations/partials/_condition_form.html",
            {"automation": self.automation, "condition_form": form},
        )


class _StepAddView(_AutomationMixin, View):
    """Add a condition or an action; an invalid form redraws the editor (400)."""

    http_method_names = ["post"]
    form_class = None
    refresh = ""  # URL name of the htmx form redraw
    context_key = ""  # the editor's context name for the form

    def add(self, form) -> None:
        raise NotImplementedError

    def post(self, request, pk):
        form = self.form_class(
            request.POST, refresh_url=_url(self.refresh, self.automation)
        )
        if form.is_valid():
            try:
                self.add(form)
            except ValidationError as error:
                messages.error(request, _errors(error))
            return self.back()
        view = AutomationEditView()
        view.setup(request, pk=pk)
        view.automation = self.automation
        return render(
            request,
            AutomationEditView.template_name,
            view.context(**{self.context_key: form}),
            status=400,
        )


class ConditionAddView(_StepAddView):
    form_class = ConditionForm
    refresh = "condition-form"
    context_key = "condition_form"

    def add(self, form) -> None:
        services.condition_add(
            automation=self.automation,
            data=form.condition_data(),
            actor=self.request.user,
        )


class ConditionRemoveView(RoleRequiredMixin, View):
    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        condition = get_object_or_404(Condition, pk=pk)
        try:
            services.condition_remove(condition=condition, actor=request.user)
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect(condition.automation)


class ActionFormView(_AutomationMixin, View):
    """htmx: the action form again, with the fields of the chosen kind."""

    permission_required = VIEW

    def get(self, request, pk):
        form = ActionForm(
            kind=request.GET.get("kind"),
            refresh_url=_url("action-form", self.automation),
        )
        return render(
            request,
            "automations/partials/_action_form.html",
            {"automation": self.automation, "action_form": form},
        )


class ActionAddView(_StepAddView):
    form_class = ActionForm
    refresh = "action-form"
    context_key = "action_form"

    def add(self, form) -> None:
        services.action_add(
            automation=self.automation,
            data=form.action_data(),
            actor=self.request.user,
        )


class ActionChangeView(RoleRequiredMixin, View):
    """Remove an action or move it up / down."""

    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        action = get_object_or_404(Action, pk=pk)
        what = request.POST.get("do")
        try:
            if what == "remove":
                services.action_remove(action=action, actor=request.user)
            elif what in ("up", "down"):
                services.action_move(action=action, up=what == "up", actor=request.user)
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect(action.automation)


class AutomationCopyView(_AutomationMixin, View):
    permission_required = ADD
    http_method_names = ["post"]

    def post(self, request, pk):
        copy = services.automation_copy(source=self.automation, actor=request.user)
        messages.success(request, _("Copied; the copy is off until you switch it on."))
        return redirect(copy)


class DryRunView(ListAccessLogMixin, _AutomationMixin, TemplateView):
    """What the automation would have done over the last 30 days; nothing is sent."""

    permission_required = VIEW
    template_name = "automations/dry_run.html"
    access_what = "automation dry run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = dry_run(automation=self.automation)
        context.update(automation=self.automation, result=result)
        return context


class PreviewView(_AutomationMixin, View):
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
            access_log_record(
                user=request.user,
                action=AccessLog.Action.VIEW,
                patient=preview.patient,
                obj=self.automation,
                what="automation message preview",
                request=request,
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


class MetricsView(_AutomationMixin, TemplateView):
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


class RunListView(ListAccessLogMixin, RoleRequiredMixin, ListView):
    permission_required = "automations.view_automationrun"
    template_name = "automations/run_list.html"
    context_object_name = "runs"
    paginate_by = 50
    access_what = "automation run log"

    def get_queryset(self):
        self.filter_form = RunFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.runs_filtered(
            automation=data.get("automation"),
            status=data.get("status", ""),
            start=data.get("start"),
            end=data.get("end"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=self.filter_form, querystring=query.urlencode())
        return context


class RunDetailView(PatientAccessLogMixin, RoleRequiredMixin, DetailView):
    permission_required = "automations.view_automationrun"
    template_name = "automations/run_detail.html"
    context_object_name = "run"
    access_what = "automation run"

    def get_object(self, queryset=None):
        try:
            return selectors.run_detail(self.kwargs["pk"])
        except Exception as error:
            raise Http404 from error

    def get_access_patient(self):
        return self.object.event.patient


class LibraryView(RoleRequiredMixin, TemplateView):
    permission_required = VIEW
    template_name = "automations/library.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["starters"] = STARTERS
        return context


class StarterCopyView(RoleRequiredMixin, View):
    permission_required = ADD
    http_method_names = ["post"]

    def post(self, request, slug):
        starter = BY_SLUG.get(slug)
        if starter is None:
            raise Http404
        automation = services.automation_copy(source=starter, actor=request.user)
        messages.success(
            request,
            _("Copied “%(name)s”. Adapt it, try a dry run, then switch it on.")
            % {"name": automation.name},
        )
        return redirect(reverse("automations:edit", args=[automation.pk]))


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
