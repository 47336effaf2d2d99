"""The automation editor (administrators): list, create, edit, switch on and off,
conditions and actions, copy."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView

from automations import selectors, services
from automations.forms import (
    ActionForm,
    AutomationForm,
    ConditionForm,
    PreviewForm,
    value_choices,
)
from automations.models import Action, Automation, Condition
from clinic.edges import PostActionView, ServiceFormMixin
from clinic.permissions import RoleRequiredMixin

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


def editor_context(request, automation: Automation, **extra) -> dict:
    """What the editor page shows; ``extra`` replaces a form with a bound one."""
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
        "can_change": request.user.has_perm(CHANGE),
    }


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


class AutomationCreateView(RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = ADD
    template_name = "automations/automation_new.html"
    form_class = AutomationForm
    success_message = gettext_lazy("Saved. Now add its conditions and actions.")

    def perform(self, form):
        return services.automation_save(
            automation=form.save(commit=False), actor=self.request.user
        )


class AutomationPageMixin(RoleRequiredMixin):
    permission_required = CHANGE

    def dispatch(self, request, *args, **kwargs):
        self.automation = get_object_or_404(Automation, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_redirect_url(self, result=None) -> str:
        return self.automation.get_absolute_url()


class AutomationEditView(AutomationPageMixin, ServiceFormMixin, FormView):
    """The editor: trigger, conditions, actions; problems that keep it off."""

    permission_required = VIEW
    template_name = "automations/automation_edit.html"
    form_class = AutomationForm
    success_message = gettext_lazy("Saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.automation}

    def get_context_data(self, **kwargs):
        return editor_context(self.request, self.automation, form=kwargs.get("form"))

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def perform(self, form):
        return services.automation_save(
            automation=form.save(commit=False), actor=self.request.user
        )


class AutomationToggleView(AutomationPageMixin, PostActionView):
    def perform(self):
        if self.request.POST.get("on") == "1":
            return services.automation_enable(
                automation=self.automation, actor=self.request.user
            )
        return services.automation_disable(
            automation=self.automation, actor=self.request.user
        )

    def get_success_message(self, result) -> str:
        if result.enabled:
            return _("Switched on.")
        return _("Switched off; pending waits cancelled.")

    def get_redirect_url(self, result=None) -> str:
        if self.request.POST.get("next") == "list":
            return reverse("automations:list")
        return super().get_redirect_url(result)


class _StepFormView(AutomationPageMixin, View):
    """htmx: a step's form again, fitted to what was chosen (``choice``)."""

    permission_required = VIEW
    form_class = None
    choice = ""  # the query parameter and form argument: "field" or "kind"
    refresh = ""  # this view's URL name
    context_key = ""
    template_name = ""

    def get(self, request, pk):
        form = self.form_class(
            **{self.choice: request.GET.get(self.choice)},
            refresh_url=_url(self.refresh, self.automation),
        )
        return render(
            request,
            self.template_name,
            {"automation": self.automation, self.context_key: form},
        )


class _ConditionStep:
    """The condition form, its htmx redraw's URL name and its editor context name."""

    form_class = ConditionForm
    refresh = "condition-form"
    context_key = "condition_form"


class _ActionStep:
    """The action form, its htmx redraw's URL name and its editor context name."""

    form_class = ActionForm
    refresh = "action-form"
    context_key = "action_form"


class ConditionFormView(_ConditionStep, _StepFormView):
    """htmx: the condition form again, its values fitting the chosen fact."""

    choice = "field"
    template_name = "automations/partials/_condition_form.html"


class _StepAddView(AutomationPageMixin, PostActionView):
    """Add a condition or an action (``service`` gets the automation and the form's
    ``step_data()``); an invalid form redraws the editor (400), a refusal comes
    back as a message."""

    form_class = None
    refresh = ""  # URL name of the htmx form redraw
    context_key = ""  # the editor's context name for the form

    def get_service_kwargs(self) -> dict:
        return {"automation": self.automation, "data": self.form.step_data()}

    def post(self, request, *args, **kwargs):
        self.form = self.form_class(
            request.POST, refresh_url=_url(self.refresh, self.automation)
        )
        if self.form.is_valid():
            return super().post(request, *args, **kwargs)
        return render(
            request,
            AutomationEditView.template_name,
            editor_context(request, self.automation, **{self.context_key: self.form}),
            status=400,
        )


class ConditionAddView(_ConditionStep, _StepAddView):
    service = staticmethod(services.condition_add)


class _StepChangeView(RoleRequiredMixin, PostActionView):
    """A button on one condition or action (``model``, loaded as ``self.step``);
    ``change()`` makes the change; back to its automation's editor."""

    permission_required = CHANGE
    model = None

    def perform(self):
        self.step = get_object_or_404(self.model, pk=self.kwargs["pk"])
        self.change()

    def change(self) -> None:
        raise NotImplementedError

    def get_redirect_url(self, result=None) -> str:
        return self.step.automation.get_absolute_url()


class ConditionRemoveView(_StepChangeView):
    model = Condition

    def change(self) -> None:
        services.condition_remove(condition=self.step, actor=self.request.user)


class ActionFormView(_ActionStep, _StepFormView):
    """htmx: the action form again, with the fields of the chosen kind."""

    choice = "kind"
    template_name = "automations/partials/_action_form.html"


class ActionAddView(_ActionStep, _StepAddView):
    service = staticmethod(services.action_add)


class ActionChangeView(_StepChangeView):
    """Remove an action or move it up / down."""

    model = Action

    def change(self) -> None:
        what = self.request.POST.get("do")
        if what == "remove":
            services.action_remove(action=self.step, actor=self.request.user)
        elif what in ("up", "down"):
            services.action_move(
                action=self.step, up=what == "up", actor=self.request.user
            )


class AutomationCopyView(AutomationPageMixin, PostActionView):
    permission_required = ADD
    success_message = gettext_lazy("Copied; the copy is off until you switch it on.")

    def perform(self):
        return services.automation_copy(source=self.automation, actor=self.request.user)

    def get_redirect_url(self, result=None) -> str:
        return (result or self.automation).get_absolute_url()
