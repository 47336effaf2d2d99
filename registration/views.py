import re
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from clinic.exceptions import ApplicationError
from clinic.forms import add_validation_error
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_record
from registration import selectors, services
from registration.banner import NO_STORE
from registration.chart_panel import chart_alerts, chart_panels
from registration.forms import (
    DUPLICATE_REASON_REQUIRED,
    AllergyForm,
    CoverageForm,
    DuplicateProbeForm,
    MergeForm,
    PatientEditForm,
    RegistrationForm,
)
from registration.models import Allergy, Coverage, Patient
from registration.restriction import mark_hidden, may_open, refusal
from registration.validators import card_content_type


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
        limit = self.SUGGESTIONS if self.request.GET.get("suggest") else None
        results = selectors.patient_search(
            query=query, **({"limit": limit} if limit else {})
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
            can_register=self.request.user.has_perm("registration.add_patient"),
            **kwargs,
        )


class PatientCreateView(RoleRequiredMixin, FormView):
    """Register a patient on one page, after looking for the same person."""

    permission_required = "registration.add_patient"
    template_name = "registration/patient_form.html"
    form_class = RegistrationForm

    def form_valid(self, form):
        data = form.cleaned_data
        matches = selectors.patient_possible_duplicates(
            given_name=data["given_name"],
            family_name=data["family_name"],
            birth_date=data["birth_date"],
            phones=[data.get("phone_mobile"), data.get("phone_home")],
            member_id=data.get("member_id", ""),
        )
        shown = [match.patient.mrn for match in matches]
        reason = data.get("duplicate_reason", "").strip()
        previously_shown = [m for m in data.get("duplicates_shown", "").split(",") if m]
        confirmed = bool(reason) and set(shown) <= set(previously_shown)
        if matches and not confirmed:
            if previously_shown and not reason:
                form.add_error("duplicate_reason", DUPLICATE_REASON_REQUIRED)
            return self._with_matches(form, matches, shown)
        try:
            patient = services.patient_register(
                data=form.patient_data(),
                coverage=form.coverage_data(),
                actor=self.request.user,
                duplicate_override_reason=reason if matches else "",
                duplicates_shown=shown,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s registered with MRN %(mrn)s.")
            % {"name": patient.display_name, "mrn": patient.mrn},
        )
        return redirect(patient)

    def _with_matches(self, form, matches, shown):
        data = form.data.copy()
        data["duplicates_shown"] = ",".join(shown)
        form.data = data
        return self.render_to_response(
            self.get_context_data(form=form, matches=matches)
        )


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
            access_log_record(
                user=request.user,
                action=AccessLog.Action.VIEW,
                patient=patient,
                obj=patient,
                what="patient by MRN",
                request=request,
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


class PatientUpdateView(PatientMixin, RoleRequiredMixin, FormView):
    permission_required = "registration.change_patient"
    template_name = "registration/patient_edit.html"
    form_class = PatientEditForm
    access_what = "edit demographics"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.patient}

    def form_valid(self, form):
        data = {
            name: value
            for name, value in form.cleaned_data.items()
            if name != "change_reason"
        }
        try:
            services.patient_update(
                patient=self.patient,
                data=data,
                actor=self.request.user,
                reason=form.cleaned_data.get("change_reason", ""),
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Patient record saved."))
        return redirect(self.patient)


class CoverageCreateView(PatientMixin, RoleRequiredMixin, FormView):
    permission_required = "registration.add_coverage"
    template_name = "registration/coverage_form.html"
    form_class = CoverageForm
    access_what = "add coverage form"

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        for side in ("card_front", "card_back"):
            if not data[side]:
                data.pop(side)
        data["subscriber_sex"] = data["subscriber_sex"] or ""
        try:
            services.coverage_add(
                patient=self.patient, data=data, actor=self.request.user
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Coverage added."))
        return redirect(self.patient)


class CoverageVerifyView(RoleRequiredMixin, View):
    """Ask the payer whether a coverage is active (a background job)."""

    permission_required = "registration.add_eligibilitycheck"
    http_method_names = ["post"]

    def post(self, request, pk):
        coverage = get_object_or_404(Coverage.objects.select_related("patient"), pk=pk)
        check = services.eligibility_check_request(
            coverage=coverage, actor=request.user
        )
        check.refresh_from_db()
        if check.result == check.Result.PENDING:
            messages.info(request, _("Verification sent to the payer."))
        else:
            messages.info(
                request,
                _("Payer answered: %(result)s")
                % {"result": check.get_result_display()},
            )
        return redirect(coverage.patient)


class CoverageCardView(RoleRequiredMixin, View):
    """A card image, to logged-in staff only, with an access-log row per look."""

    permission_required = "registration.view_coverage"

    def get(self, request, pk, side):
        if side not in ("front", "back"):
            raise Http404
        coverage = get_object_or_404(Coverage.objects.select_related("patient"), pk=pk)
        stored = getattr(coverage, f"card_{side}")
        if not stored:
            raise Http404(_("No card image on file."))
        handle = stored.open("rb")
        head = handle.read(16)
        handle.seek(0)
        content_type = card_content_type(head) or "application/octet-stream"
        access_log_record(
            user=request.user,
            action=AccessLog.Action.DOWNLOAD,
            patient=coverage.patient,
            obj=coverage,
            what=f"insurance card {side}",
            request=request,
        )
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, no-store"
        return response


class AllergyCreateView(PatientMixin, RoleRequiredMixin, FormView):
    permission_required = "registration.add_allergy"
    template_name = "registration/allergy_form.html"
    form_class = AllergyForm
    access_what = "add allergy form"

    def form_valid(self, form):
        try:
            services.allergy_add(
                patient=self.patient,
                data=form.cleaned_data,
                actor=self.request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Allergy recorded."))
        return redirect(self.patient)


class NoKnownAllergiesView(RoleRequiredMixin, View):
    permission_required = "registration.add_allergy"
    http_method_names = ["post"]

    def post(self, request, pk):
        patient = get_object_or_404(Patient, pk=pk)
        try:
            services.allergy_mark_no_known(patient=patient, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Recorded: no known allergies."))
        return redirect(patient)


class AllergyStatusView(RoleRequiredMixin, View):
    """Mark an allergy inactive, resolved or entered in error (with a reason)."""

    permission_required = "registration.change_allergy"
    http_method_names = ["post"]

    def post(self, request, pk):
        allergy = get_object_or_404(Allergy.objects.select_related("patient"), pk=pk)
        try:
            services.allergy_set_status(
                allergy=allergy,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", "")[:100],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(substance)s: %(status)s.")
                % {
                    "substance": allergy.substance,
                    "status": allergy.get_status_display(),
                },
            )
        return redirect(allergy.patient)


class PatientMergeView(PatientMixin, RoleRequiredMixin, FormView):
    """Merge this (duplicate) record into another: administrators only."""

    permission_required = "registration.merge_patient"
    template_name = "registration/patient_merge.html"
    form_class = MergeForm
    access_what = "merge form"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "duplicate": self.patient}

    def form_valid(self, form):
        try:
            moved = services.patient_merge(
                survivor=form.survivor,
                duplicate=self.patient,
                reason=form.cleaned_data["reason"],
                actor=self.request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(dup)s merged into %(keep)s (%(rows)d records moved).")
            % {
                "dup": self.patient.mrn,
                "keep": form.survivor.mrn,
                "rows": sum(moved.values()),
            },
        )
        return redirect(form.survivor)
