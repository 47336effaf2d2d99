"""Reminder rules (administrators): list, create, edit, preview."""

from datetime import timedelta
from functools import cached_property

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from alerts.models import ReminderRule
from alerts.quiet_hours import send_time
from alerts.sms_segments import sms_segments
from automations.reminders.editing import (
    reminder_rule_rows,
    reminder_rule_save,
    rule_automation,
)
from automations.reminders.forms import (
    PreviewForm,
    ReminderRuleForm,
    variant_formset,
    variant_texts,
)
from automations.reminders.rules import pick_variant
from automations.sources import sample_visit
from automations.texts import render as render_text
from automations.texts import text_context
from clinic.edges import ServiceFormMixin
from clinic.permissions import RoleRequiredMixin


class RuleListView(RoleRequiredMixin, ListView):
    permission_required = "alerts.view_reminderrule"
    template_name = "automations/reminders/rule_list.html"
    context_object_name = "rows"
    paginate_by = 50

    def get_queryset(self):
        return reminder_rule_rows()


class _RuleFormView(RoleRequiredMixin, ServiceFormMixin, FormView):
    """Create (no pk) or edit a rule with its language variants."""

    template_name = "automations/reminders/rule_form.html"
    form_class = ReminderRuleForm

    @cached_property
    def rule(self):
        if "pk" in self.kwargs:
            return get_object_or_404(ReminderRule, pk=self.kwargs["pk"])
        return None

    @cached_property
    def variants(self):
        data = self.request.POST if self.request.method == "POST" else None
        return variant_formset(data=data, rule=self.rule)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.rule
        if self.rule is not None:
            kwargs["automation"] = rule_automation(self.rule)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            variants=self.variants, rule=self.rule, preview_form=PreviewForm(), **kwargs
        )

    def form_valid(self, form):
        if not self.variants.is_valid():
            return self.form_invalid(form)
        return super().form_valid(form)

    def perform(self, form):
        data = form.cleaned_data
        return reminder_rule_save(
            rule=form.save(commit=False),
            hours_before=data["hours_before"],
            is_active=data["is_active"],
            appointment_type_ids=data["appointment_types"],
            variants=variant_texts(self.variants),
            actor=self.request.user,
        )

    def get_success_message(self, result) -> str:
        return _("Reminder rule saved: %(name)s") % {"name": result}

    def get_result_url(self, result) -> str:
        return reverse("automations:rule-list")


class RuleCreateView(_RuleFormView):
    permission_required = "alerts.add_reminderrule"


class RuleUpdateView(_RuleFormView):
    permission_required = "alerts.change_reminderrule"


class RulePreviewView(RoleRequiredMixin, View):
    """The exact text for a sample visit, its SMS segment count and when it goes
    out; htmx posts the rule form here as it is being written."""

    permission_required = "alerts.view_reminderrule"
    http_method_names = ["post"]
    template_name = "automations/reminders/partials/_rule_preview.html"

    def post(self, request):
        form = ReminderRuleForm(request.POST)
        variants = variant_formset(data=request.POST)
        preview = PreviewForm(request.POST)
        language = (
            preview.cleaned_data["language"] if preview.is_valid() else ""
        ) or "en"
        context = {"language": language}
        form.is_valid()
        variants.is_valid()
        problems = [
            str(error)
            for name in ("body", "subject", "hours_before", "quiet_start", "quiet_end")
            for error in form.errors.get(name, [])
        ] + [
            str(error)
            for f in variants.forms
            for errors in f.errors.values()
            for error in errors
        ]
        if problems:
            context["problems"] = problems
            return render(request, self.template_name, context)
        data = form.cleaned_data
        visit = sample_visit(data.get("appointment_types") or [])
        chosen, subject, body = pick_variant(
            language=language,
            default=(data.get("subject", ""), data.get("body", "")),
            variants={code: (s, b) for code, s, b in variant_texts(variants)},
        )
        values = text_context(patient=_SamplePatient(), visit=visit, language=chosen)
        text = render_text(body, values)
        context.update(
            visit=visit,
            written_in=chosen,
            subject=render_text(subject or data.get("subject", ""), values),
            text=text,
            channel=data.get("channel"),
            segments=sms_segments(text),
            send_at=send_time(
                start=visit.start,
                hours_before=data["hours_before"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                now=visit.start - timedelta(days=60),
            ),
        )
        return render(request, self.template_name, context)


class _SamplePatient:
    """A made-up patient for the preview (no patient's data)."""

    preferred_name = ""
    given_name = "Maria"
    family_name = "Example"
    mrn = "000000"
