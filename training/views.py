from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from clinic.csvfile import csv_response
from clinic.edges import FilteredListMixin
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import AnyStaffMixin, RoleRequiredMixin
from clinic.svg_chart import Row, Series, bar_chart
from training import exercises, pain_points, selectors, services
from training.forms import PracticeOutboxFilterForm
from training.tours import TOURS, tour_url

User = get_user_model()


class PainPointsView(RoleRequiredMixin, TemplateView):
    """Where the clinic's time goes, for administrators; ``?csv=<slug>`` downloads
    one chart's weeks."""

    permission_required = "clinic.manage_staff"
    template_name = "training/pain_points.html"

    def get(self, request, *args, **kwargs):
        slug = request.GET.get("csv")
        if slug is None:
            return super().get(request, *args, **kwargs)
        trends = {t.slug: t for t in pain_points.pain_points()}
        if slug not in trends:
            raise Http404("No such chart.")
        found = trends[slug]
        rows = [["week starting", f"{found.title} ({found.unit})"]]
        rows += [[monday.isoformat(), value] for monday, value in found.weeks]
        rows.append(["last quarter", found.last_quarter])
        return csv_response(filename=f"pain-points-{slug}.csv", rows=rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        charts = []
        for found in pain_points.pain_points():
            rows = [Row(m.strftime("%d %b"), (v,)) for m, v in found.weeks]
            rows.append(Row("Last quarter", (found.last_quarter,), highlight=True))
            charts.append(
                (found, bar_chart(rows=rows, series=[Series(name=found.unit)]))
            )
        context["charts"] = charts
        context["past_due_by_role"] = pain_points.open_past_due_by_role(
            now=timezone.now()
        )
        context["effects"] = pain_points.automation_effects()
        return context


class TourStartView(AnyStaffMixin, View):
    """ "Show me how": to the page where the tour resumes, asking for the tour."""

    def get(self, request, slug):
        if slug not in TOURS:
            raise Http404("No such tour.")
        resume = services.tour_resume_step(user=request.user, tour=slug)
        return redirect(tour_url(TOURS[slug], resume))


class TourProgressView(AnyStaffMixin, View):
    """tours.js posts each step shown (``step``) and the end (``done=1``)."""

    http_method_names = ["post"]

    def post(self, request, slug):
        try:
            step = int(request.POST.get("step", ""))
            services.tour_progress_record(
                actor=request.user,
                tour=slug,
                step=step,
                done=request.POST.get("done") == "1",
            )
        except (ValueError, ValidationError):
            return HttpResponseBadRequest(services.BAD_STEP)
        return HttpResponse(status=204)


class ExerciseListView(RoleRequiredMixin, TemplateView):
    """Who completed which practice exercise (since their account was made: the
    practice copy's accounts are made after its reset)."""

    permission_required = "clinic.manage_staff"
    template_name = "training/exercises.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for exercise in exercises.EXERCISES.values():
            for user in User.objects.filter(
                groups__name=exercise.role, is_active=True
            ).order_by("username"):
                done = exercises.completion(
                    exercise=exercise, user=user, since=user.date_joined
                )
                rows.append((exercise, user, done))
        context["rows"] = rows
        return context


class PracticeOutboxView(
    RoleRequiredMixin, ListAccessLogMixin, FilteredListMixin, ListView
):
    """The texts and e-mails the practice clinic kept instead of sending."""

    permission_required = "clinic.manage_staff"
    template_name = "training/practice_outbox.html"
    context_object_name = "messages_kept"
    paginate_by = 50
    access_what = "practice outbox"
    filter_form_class = PracticeOutboxFilterForm

    def get_queryset(self):
        return selectors.practice_outbox(**self.filter_arguments("channel", q="query"))
