"""A patient's insurance and allergies: add, verify, view a card, change status."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from clinic.edges import PostActionView, ServiceFormMixin
from clinic.permissions import RoleRequiredMixin
from registration import services
from registration.card_files import card_response
from registration.forms import AllergyForm, CoverageForm
from registration.models import Allergy, Coverage, Patient
from registration.views.patients import PatientMixin


class CoverageCreateView(PatientMixin, RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "registration.add_coverage"
    template_name = "registration/coverage_form.html"
    form_class = CoverageForm
    access_what = "add coverage form"
    success_message = _("Coverage added.")

    def perform(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        for side in ("card_front", "card_back"):
            if not data[side]:
                data.pop(side)
        data["subscriber_sex"] = data["subscriber_sex"] or ""
        services.coverage_add(patient=self.patient, data=data, actor=self.request.user)
        return self.patient


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
        coverage = get_object_or_404(Coverage.objects.select_related("patient"), pk=pk)
        return card_response(request, coverage, side, what="insurance card")


class AllergyCreateView(PatientMixin, RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "registration.add_allergy"
    template_name = "registration/allergy_form.html"
    form_class = AllergyForm
    access_what = "add allergy form"
    success_message = _("Allergy recorded.")

    def perform(self, form):
        services.allergy_add(
            patient=self.patient, data=form.cleaned_data, actor=self.request.user
        )
        return self.patient


class NoKnownAllergiesView(RoleRequiredMixin, PostActionView):
    permission_required = "registration.add_allergy"
    success_message = _("Recorded: no known allergies.")

    def perform(self):
        return services.allergy_mark_no_known(
            patient=self.patient, actor=self.request.user
        )

    def post(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def get_redirect_url(self, result=None) -> str:
        return self.patient.get_absolute_url()


class AllergyStatusView(RoleRequiredMixin, PostActionView):
    """Mark an allergy inactive, resolved or entered in error (with a reason)."""

    permission_required = "registration.change_allergy"

    def post(self, request, *args, **kwargs):
        self.allergy = get_object_or_404(
            Allergy.objects.select_related("patient"), pk=kwargs["pk"]
        )
        return super().post(request, *args, **kwargs)

    def perform(self):
        return services.allergy_set_status(
            allergy=self.allergy,
            status=self.request.POST.get("status", ""),
            reason=self.request.POST.get("reason", "")[:100],
            actor=self.request.user,
        )

    def get_success_message(self, allergy) -> str:
        return _("%(substance)s: %(status)s.") % {
            "substance": allergy.substance,
            "status": allergy.get_status_display(),
        }

    def get_redirect_url(self, result=None) -> str:
        return self.allergy.patient.get_absolute_url()
