"""Reminder rules (administrators): list, create, edit, preview."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from alerts import reminders, services
from alerts.forms import PreviewForm, ReminderRuleForm, variant_formset
from alerts.models import ReminderRule
from clinic.permissions import RoleRequiredMixin


class RuleListView(RoleRequiredMixin, ListView):
    permission_required = "alerts.view_reminderrule"
    template_name = "alerts/rule_list.html"
    context_object_name = "rules"
    paginate_by = 50

    def get_queryset(self):
        return ReminderRule.objects.prefetch_related("appointment_types", "variants")


class _RuleFormView(RoleRequiredMixin, View):
    """Create (no pk) or edit a rule with its language variants."""

    template_name = "alerts/rule_form.html"

    def _rule(self):
        if "pk" in self.kwargs:
            return get_object_or_404(ReminderRule, pk=self.kwargs["pk"])
        return None

    def _render(self, form, variants, rule):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "variants": variants,
                "rule": rule,
                "preview_form": PreviewForm(),
            },
        )

    def get(self, request, pk=None):
        rule = self._rule()
        return self._render(
            ReminderRuleForm(instance=rule), variant_formset(rule=rule), rule
        )

    def post(self, request, pk=None):
        rule = self._rule()
        form = ReminderRuleForm(request.POST, instance=rule)
        variants = variant_formset(data=request.POST, rule=rule)
        if not (form.is_valid() and variants.is_valid()):
            return self._render(form, variants, rule)
        texts = [
            (
                f.cleaned_data["language"].strip(),
                f.cleaned_data["subject"],
                f.cleaned_data["body"],
            )
            for f in variants.forms
            if f.cleaned_data.get("language")
        ]
        try:
            saved = services.reminder_rule_save(
                rule=form.save(commit=False),
                appointment_types=form.cleaned_data["appointment_types"],
                variants=texts,
                actor=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return self._render(form, variants, rule)
        messages.success(request, _("Reminder rule saved: %(name)s") % {"name": saved})
        return redirect("alerts:rule-list")


class RuleCreateView(_RuleFormView):
    permission_required = "alerts.add_reminderrule"


class RuleUpdateView(_RuleFormView):
    permission_required = "alerts.change_reminderrule"


def sample_visit(appointment_types) -> reminders.VisitFacts:
    """A made-up visit (no patient's data) next Tuesday at 09:30 for the preview."""
    from scheduling.models import Location, Provider

    today = timezone.localdate()
    day = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    start = datetime.combine(day, time(9, 30), tzinfo=reminders.clinic_zone())
    location = Location.objects.filter(is_active=True).order_by("name").first()
    provider = Provider.objects.filter(is_active=True).order_by("name").first()
    kind = next(iter(appointment_types), None)
    return reminders.VisitFacts(
        first_name="Maria",
        start=start,
        location=location.name if location else "Main Street Clinic",
        address=location.address if location else "1 Main Street",
        provider=provider.name if provider else "Dr Example",
        appointment_type=kind.name if kind else _("Follow-up visit"),
    )


class RulePreviewView(RoleRequiredMixin, View):
    """The exact text for a sample visit, its SMS segment count and when it goes
    out; htmx posts the rule form here as it is being written."""

    permission_required = "alerts.view_reminderrule"
    http_method_names = ["post"]

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
            return render(request, "alerts/partials/_rule_preview.html", context)
        data = form.cleaned_data
        facts = sample_visit(data.get("appointment_types") or [])
        texts = {
            f.cleaned_data["language"]: (
                f.cleaned_data["subject"],
                f.cleaned_data["body"],
            )
            for f in variants.forms
            if f.cleaned_data.get("language")
        }
        subject, body = reminders.pick_variant(
            language=language,
            default=(data.get("subject", ""), data.get("body", "")),
            variants=texts,
        )
        values = reminders.template_context(facts, language=language)
        text = reminders.render(body, values)
        when = reminders.send_time(
            start=facts.start,
            hours_before=data["hours_before"],
            quiet_start=data["quiet_start"],
            quiet_end=data["quiet_end"],
            now=facts.start - timedelta(days=60),
        )
        context.update(
            facts=facts,
            subject=reminders.render(subject or data.get("subject", ""), values),
            text=text,
            channel=data.get("channel"),
            segments=reminders.sms_segments(text),
            send_at=when,
        )
        return render(request, "alerts/partials/_rule_preview.html", context)
