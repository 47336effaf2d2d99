"""The home medication list and its review with the patient (reconciliation):
nurses and clinicians keep it; the chart shows when it was last reviewed."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from clinic.edges import PostActionView, ServiceFormMixin
from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from medications import selectors, services
from medications.allergies import active_allergy_substances, substances_in
from medications.home_forms import DecisionForm, HomeMedicationForm
from medications.models import HomeMedication
from registration.banner import PatientBannerMixin, UrlPatientMixin
from registration.models import Patient

VIEW_HOME = "medications.view_homemedication"
RECONCILE = "medications.add_medicationreconciliation"
ADD_HOME = "medications.add_homemedication"


def allergy_flags(homes, patient) -> dict[int, list[str]]:
    """Home medication id → the patient's allergy substances it contains."""
    substances = active_allergy_substances(patient)
    flags = {}
    for home in homes:
        found = substances_in(substances, [*home.ingredient_names, home.drug_name])
        if found:
            flags[home.pk] = found
    return flags


class HomePatientMixin(
    UrlPatientMixin, RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin
):
    permission_required = VIEW_HOME
    patient_kwarg = "patient_pk"

    def get_context_data(self, **kwargs):
        homes = list(
            selectors.home_medications(patient=self.patient, include_stopped=True)
        )
        return super().get_context_data(
            patient=self.patient,
            homes=homes,
            flags=allergy_flags(homes, self.patient),
            orders=selectors.patient_orders(patient=self.patient),
            last_review=selectors.reconciliation_last(patient=self.patient),
            review=selectors.reconciliation_open(patient=self.patient),
            can_reconcile=self.request.user.has_perm(RECONCILE),
            **kwargs,
        )


class HomeMedicationListView(HomePatientMixin, ServiceFormMixin, FormView):
    """The list, the clinic's own orders beside it, and the add form (inside an
    open review the drug is recorded as "new")."""

    template_name = "medications/home_list.html"
    form_class = HomeMedicationForm
    access_what = "home medications"

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(ADD_HOME):
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.home_medication_add(
            patient=self.patient,
            drug=services.HomeDrug(**{k: v for k, v in data.items() if v is not None}),
            actor=self.request.user,
            reconciliation=selectors.reconciliation_open(patient=self.patient),
        )
        return self.patient

    def get_result_url(self, result) -> str:
        return reverse("medications:home-list", args=[self.patient.pk])

    def get_success_message(self, result) -> str:
        return _("Added to the home list.")


class ReconciliationStartView(RoleRequiredMixin, PostActionView):
    permission_required = RECONCILE

    def perform(self):
        self.patient = get_object_or_404(Patient, pk=self.kwargs["patient_pk"])
        return services.reconciliation_start(
            patient=self.patient, actor=self.request.user
        )

    def get_redirect_url(self, result=None) -> str:
        return reverse("medications:home-list", args=[self.kwargs["patient_pk"]])


class ReconciliationDecideView(RoleRequiredMixin, PostActionView):
    """One decision of the open review about one home medication."""

    permission_required = RECONCILE

    def perform(self):
        self.home = get_object_or_404(HomeMedication, pk=self.kwargs["pk"])
        form = DecisionForm(self.request.POST)
        review = selectors.reconciliation_open(patient=self.home.patient)
        if not form.is_valid() or review is None:
            raise ValidationError(_("Start a review and choose a decision."))
        return services.reconciliation_decide(
            reconciliation=review,
            home_medication=self.home,
            actor=self.request.user,
            **form.cleaned_data,
        )

    def get_redirect_url(self, result=None) -> str:
        return reverse("medications:home-list", args=[self.home.patient_id])


class ReconciliationCompleteView(RoleRequiredMixin, PostActionView):
    permission_required = RECONCILE

    def perform(self):
        self.patient = get_object_or_404(Patient, pk=self.kwargs["patient_pk"])
        review = selectors.reconciliation_open(patient=self.patient)
        if review is None:
            return None
        return services.reconciliation_complete(
            reconciliation=review, actor=self.request.user
        )

    def get_success_message(self, result) -> str:
        return _("Medication review completed.") if result else ""

    def get_redirect_url(self, result=None) -> str:
        return reverse("medications:home-list", args=[self.kwargs["patient_pk"]])
