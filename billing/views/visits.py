"""Charge review: a completed visit's diagnoses and charges, then its claim."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, ListView, TemplateView

from billing import selectors, services
from billing.forms import ChargeForm, DiagnosisForm, VisitFilterForm
from billing.icd10cm import TABLE_RELEASE, icd10cm_search
from billing.models import Charge, VisitDiagnosis
from billing.views.common import (
    BillingActionView,
    FormOnPageMixin,
)
from careplans import selectors as careplans
from careplans import services as problem_list
from clinic.edges import FilteredListMixin, ServiceFormMixin, found_or_404
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request

VIEW_CHARGES = "billing.view_charge"
CHANGE_CHARGES = "billing.change_charge"
EDIT_DIAGNOSES = "billing.add_visitdiagnosis"


class VisitMixin(RoleRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        self.visit = found_or_404(selectors.visit_for_billing, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"appointment": self.visit}

    def get_success_url(self):
        return self.visit_url()

    def get_back_url(self):
        return self.visit_url()

    def visit_url(self):
        return visit_charges_url(self.visit.pk)


def visit_charges_url(visit_id: int) -> str:
    return reverse("billing:visit-charges", args=[visit_id])


class VisitListView(RoleRequiredMixin, ListAccessLogMixin, FilteredListMixin, ListView):
    permission_required = VIEW_CHARGES
    template_name = "billing/visit_list.html"
    context_object_name = "visits"
    paginate_by = 25
    access_what = "visits to bill"
    filter_form_class = VisitFilterForm
    extra_context = {"tab": "visits"}

    def get_queryset(self):
        return selectors.visits_to_bill(**self.filter_arguments(q="query"))


class VisitChargesView(VisitMixin, TemplateView):
    permission_required = VIEW_CHARGES
    template_name = "billing/visit_charges.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_request(
            request, patient=self.visit.patient, obj=self.visit, what="visit charges"
        )
        return response

    def get_context_data(self, **kwargs):
        user = self.request.user
        editable = services.visit_is_editable(appointment=self.visit)
        charges = list(self.visit.charges.all())
        return super().get_context_data(
            visit=self.visit,
            patient=self.visit.patient,
            charges=charges,
            total=sum(c.amount for c in charges),
            diagnoses=list(self.visit.diagnoses.all()),
            claims=list(self.visit.claims.all()),
            editable=editable,
            can_change_charges=editable and user.has_perm(CHANGE_CHARGES),
            can_edit_diagnoses=editable and user.has_perm(EDIT_DIAGNOSES),
            can_add_problem=user.has_perm(ADD_PROBLEM),
            listed_codes=set(
                careplans.patient_problems(
                    patient=self.visit.patient, include_resolved=False
                ).values_list("code", flat=True)
            ),
            can_bill=user.has_perm("billing.add_claim")
            and not any(c.frequency_code == "1" for c in self.visit.claims.all()),
            charge_form=kwargs.pop("charge_form", None) or ChargeForm(),
            diagnosis_form=kwargs.pop("diagnosis_form", None) or DiagnosisForm(),
            **kwargs,
        )


class VisitPageFormView(VisitMixin, FormOnPageMixin, ServiceFormMixin, FormView):
    """A form posted from the visit's charges page."""

    page_view_class = VisitChargesView
    page_record = "visit"

    def get_result_url(self, result) -> str:
        return self.visit_url()


class ChargeAddView(VisitPageFormView):
    permission_required = CHANGE_CHARGES
    form_class = ChargeForm
    context_form_name = "charge_form"
    success_message = gettext_lazy("Charge added.")
    invalid_message = gettext_lazy("The charge was not added: see the form.")
    service = staticmethod(services.charge_add)


class ChargeEditView(RoleRequiredMixin, ServiceFormMixin, FormView):
    permission_required = CHANGE_CHARGES
    template_name = "billing/charge_form.html"
    success_message = gettext_lazy("Charge saved.")

    def dispatch(self, request, *args, **kwargs):
        self.charge = get_object_or_404(
            Charge.objects.select_related("appointment", "patient"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_request(
            request, patient=self.charge.patient, obj=self.charge, what="charge"
        )
        return response

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return ChargeForm.for_charge(self.charge, data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(charge=self.charge, **kwargs)

    def perform(self, form):
        fields = dict(form.cleaned_data)
        if fields.get("unit_price") is None:
            fields.pop("unit_price")
        return services.charge_update(
            charge=self.charge, actor=self.request.user, **fields
        )

    def get_result_url(self, result) -> str:
        return visit_charges_url(self.charge.appointment_id)


ADD_PROBLEM = "careplans.add_problem"


class VisitRecordActionView(RoleRequiredMixin, BillingActionView):
    """A button on one of a visit's records (``model``: a charge, a diagnosis);
    back to the visit's charges page."""

    model = None

    @cached_property
    def record(self):
        return get_object_or_404(self.model, pk=self.kwargs["pk"])

    def get_back_url(self):
        return visit_charges_url(self.record.appointment_id)


class ChargeRemoveView(VisitRecordActionView):
    permission_required = CHANGE_CHARGES
    model = Charge
    success_message = gettext_lazy("Charge removed.")

    def perform(self):
        return services.charge_remove(charge=self.record, actor=self.request.user)


class DiagnosisAddView(VisitPageFormView):
    permission_required = EDIT_DIAGNOSES
    form_class = DiagnosisForm
    context_form_name = "diagnosis_form"
    success_message = gettext_lazy("Diagnosis added.")
    invalid_message = gettext_lazy("The diagnosis was not added: see the form.")
    service = staticmethod(services.diagnosis_add)


class Icd10cmSearchView(RoleRequiredMixin, TemplateView):
    """The visit page's diagnosis search (htmx): billable codes by code or words."""

    permission_required = EDIT_DIAGNOSES
    template_name = "billing/partials/_icd10cm_results.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("code", "")[:120]
        return super().get_context_data(
            query=query.strip(),
            results=icd10cm_search(query),
            release=TABLE_RELEASE,
            **kwargs,
        )


class DiagnosisRemoveView(VisitRecordActionView):
    permission_required = EDIT_DIAGNOSES
    model = VisitDiagnosis
    success_message = gettext_lazy("Diagnosis removed.")

    def perform(self):
        services.diagnosis_remove(diagnosis=self.record, actor=self.request.user)


class DiagnosisToProblemView(VisitRecordActionView):
    """A visit's diagnosis goes on the patient's problem list (clinicians)."""

    permission_required = ADD_PROBLEM
    model = VisitDiagnosis

    def perform(self):
        visit = self.record.appointment
        return problem_list.problem_add(
            patient=visit.patient,
            code=self.record.code,
            description=self.record.words,
            appointment=visit,
            actor=self.request.user,
        )

    def get_success_message(self, problem) -> str:
        return gettext_lazy("%(problem)s is on the problem list.") % {
            "problem": problem
        }

    def get_redirect_url(self, result=None) -> str:
        return self.get_back_url()


class ClaimCreateView(VisitMixin, BillingActionView):
    permission_required = "billing.add_claim"
    success_message = gettext_lazy("Claim created from the visit's charges.")
    service = staticmethod(services.claims_create_for_visit)
