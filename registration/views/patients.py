"""Finding, registering, editing and merging patients, and the chart."""

import re
from operator import attrgetter

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from clinic.edges import ServiceFormMixin, querystring
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from registration import selectors, services
from registration.banner import NO_STORE
from registration.chart_panel import chart_alerts, chart_panels
from registration.exceptions import PossibleDuplicates
from registration.forms import (
    DuplicateProbeForm,
    MergeForm,
    PatientEditForm,
    RegistrationForm,
)
from registration.models import Patient
from registration.restriction import mark_hidden, may_open, refusal


def _page_number(text) -> int:
    """The page asked for; anything that is not a page number is the first."""
    try:
        return max(1, min(int(text or 1), 1000))
    except ValueError:
        return 1


class PatientListView(RoleRequiredMixin, ListAccessLogMixin, TemplateView):
    """The search page; the header box asks it for its top results (htmx).

    A search (and each suggestion list) writes an access-log row naming what was
    searched; the empty page shows no one and writes none."""

    permission_required = "registration.view_patient"
    template_name = "registration/patient_list.html"
    suggestion_template = "registration/partials/_search_suggestions.html"
    SUGGESTIONS = 8

    def get_template_names(self):
        if self.request.htmx and self.request.GET.get("suggest"):
            return [self.suggestion_template]
        return [self.template_name]

    def get_access_what(self) -> str:
        return f"patient search: {self.request.GET.get('q', '')}"

    def access_logged(self) -> bool:
        return bool(self.request.GET.get("q", "").strip())

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")
        suggest = bool(self.request.GET.get("suggest"))
        limit = self.SUGGESTIONS if suggest else selectors.SEARCH_LIMIT
        page = 1 if suggest else _page_number(self.request.GET.get("page"))
        results = selectors.patient_search(
            query=query, limit=limit, offset=(page - 1) * limit
        )
        mark_hidden(
            results.patients,
            user=self.request.user,
            patient_id=attrgetter("pk"),
            restricted=attrgetter("restriction"),
        )
        return super().get_context_data(
            query=query,
            results=results,
            cap=selectors.SEARCH_CANDIDATE_CAP,
            page=page,
            first_shown=(page - 1) * limit + 1,
            last_shown=(page - 1) * limit + len(results.patients),
            has_previous=page > 1,
            has_next=page * limit
            < min(results.matched, selectors.SEARCH_CANDIDATE_CAP),
            querystring=querystring(self.request),
            can_register=self.request.user.has_perm("registration.add_patient"),
            **kwargs,
        )


class PatientCreateView(RoleRequiredMixin, ServiceFormMixin, FormView):
    """Register a patient on one page; the service looks for the same person and
    the page shows whom it found (``matches``) and asks why this one is new."""

    permission_required = "registration.add_patient"
    template_name = "registration/patient_form.html"
    form_class = RegistrationForm
    refusal_fields = {PossibleDuplicates: "duplicate_reason"}
    matches = ()

    def perform(self, form):
        data = form.cleaned_data
        try:
            return services.patient_register(
                data=form.patient_data(),
                coverage=form.coverage_data(),
                actor=self.request.user,
                duplicate_override_reason=data.get("duplicate_reason", ""),
                duplicates_shown=[
                    m for m in data.get("duplicates_shown", "").split(",") if m
                ],
            )
        except PossibleDuplicates as error:
            # Shown above the form; the next post confirms these very matches.
            self.matches = error.matches
            form.data = form.data.copy()
            form.data["duplicates_shown"] = ",".join(error.mrns)
            raise

    def get_context_data(self, **kwargs):
        return super().get_context_data(matches=self.matches, **kwargs)

    def get_success_message(self, patient) -> str:
        return _("%(name)s registered with MRN %(mrn)s.") % {
            "name": patient.display_name,
            "mrn": patient.mrn,
        }


class DuplicateCheckView(RoleRequiredMixin, View):
    """While the clerk types (htmx): existing patients who may be this person."""

    permission_required = "registration.add_patient"
    http_method_names = ["post"]

    def post(self, request):
        form = DuplicateProbeForm(request.POST)
        matches = []
        if form.is_valid() and form.has_enough():
            data = form.cleaned_data
            matches = selectors.patient_possible_duplicates(
                given_name=data["given_name"],
                family_name=data["family_name"],
                birth_date=data["birth_date"],
                phones=[data["phone_mobile"], data["phone_home"]],
                member_id=data["member_id"],
            )
        return render(
            request,
            "registration/partials/_live_duplicates.html",
            {"matches": matches},
        )


LOOKUP_FIELD = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


class PatientLookupView(RoleRequiredMixin, View):
    """Whose MRN this is, while it is typed or scanned into a form (htmx): the
    patient banner and the MRN it showed, or a refusal. Each answer that names a
    patient is an access-log row."""

    permission_required = "registration.view_patient"
    http_method_names = ["get"]

    def get(self, request):
        field = request.GET.get("field", "")
        field = field if LOOKUP_FIELD.match(field) else "patient"
        typed = request.GET.get(field, "").strip()[:32]
        patient = selectors.patient_by_mrn(mrn=typed)
        if patient is not None and not may_open(
            user=request.user, patient=patient, request=request
        ):
            return refusal(request, patient.pk)
        if patient is not None:
            access_log_request(
                request, patient=patient, obj=patient, what="patient by MRN"
            )
        response = render(
            request,
            "registration/partials/_patient_lookup.html",
            {
                "banner": selectors.patient_banner(patient=patient)
                if patient
                else None,
                "field": field,
                "typed": typed,
            },
        )
        response["Cache-Control"] = NO_STORE
        return response


class PatientMixin(PatientAccessLogMixin):
    """Views under /patients/<pk>/: ``self.patient`` is that patient; showing the
    page writes an access-log row (``access_what`` says which page)."""

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.patient

    def get_context_data(self, **kwargs):
        return super().get_context_data(patient=self.patient, **kwargs)


class PatientChartView(PatientAccessLogMixin, RoleRequiredMixin, TemplateView):
    """The chart: who this is, what they react to, their insurance, their record."""

    permission_required = "registration.view_patient"
    template_name = "registration/patient_chart.html"
    access_what = "chart"

    def get_context_data(self, **kwargs):
        try:
            self.object = selectors.patient_for_chart(pk=self.kwargs["pk"])
        except Patient.DoesNotExist as exc:
            raise Http404 from exc
        patient = self.object
        banner = selectors.patient_banner(patient=patient)
        panels = chart_panels(self.request, patient)
        coverage_panel = next((p for p in panels if p.key == "coverage"), None)
        primary = None
        if coverage_panel and coverage_panel.context["coverages"]:
            first = coverage_panel.context["coverages"][0]
            if first.is_active:
                primary = first
        return super().get_context_data(
            patient=patient,
            banner=banner,
            allergies=banner.allergies,
            primary_coverage=primary,
            panels=panels,
            open_alerts=chart_alerts(self.request, patient),
            can_merge=self.request.user.has_perm("registration.merge_patient"),
            can_edit=self.request.user.has_perm("registration.change_patient"),
            **kwargs,
        )


class PatientUpdateView(PatientMixin, RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "registration.change_patient"
    template_name = "registration/patient_edit.html"
    form_class = PatientEditForm
    access_what = "edit demographics"
    success_message = _("Patient record saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.patient}

    def perform(self, form):
        data = {
            name: value
            for name, value in form.cleaned_data.items()
            if name != "change_reason"
        }
        return services.patient_update(
            patient=self.patient,
            data=data,
            actor=self.request.user,
            reason=form.cleaned_data.get("change_reason", ""),
        )


class PatientMergeView(PatientMixin, RoleRequiredMixin, ServiceFormMixin, FormView):
    """Merge this (duplicate) record into another: administrators only."""

    permission_required = "registration.merge_patient"
    template_name = "registration/patient_merge.html"
    form_class = MergeForm
    access_what = "merge form"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "duplicate": self.patient}

    def perform(self, form):
        self.moved = services.patient_merge(
            survivor=form.survivor,
            duplicate=self.patient,
            reason=form.cleaned_data["reason"],
            actor=self.request.user,
        )
        return form.survivor

    def get_success_message(self, survivor) -> str:
        return _("%(dup)s merged into %(keep)s (%(rows)d records moved).") % {
            "dup": self.patient.mrn,
            "keep": survivor.mrn,
            "rows": sum(self.moved.values()),
        }
