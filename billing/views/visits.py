"""Charge review: a completed visit's diagnoses and charges, then its claim."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from billing import selectors, services
from billing.exceptions import BillingError
from billing.forms import ChargeForm, DiagnosisForm, VisitFilterForm
from billing.models import Charge, VisitDiagnosis
from billing.views.common import log_patient_access, querystring, run_action
from clinic.forms import add_validation_error
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from scheduling.models import Appointment

VIEW_CHARGES = "billing.view_charge"
CHANGE_CHARGES = "billing.change_charge"
EDIT_DIAGNOSES = "billing.add_visitdiagnosis"


class VisitMixin(RoleRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        try:
            self.visit = selectors.visit_for_billing(pk=kwargs["pk"])
        except Appointment.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return self.visit_url()

    def visit_url(self):
        from django.urls import reverse

        return reverse("billing:visit-charges", args=[self.visit.pk])


class VisitListView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    permission_required = VIEW_CHARGES
    template_name = "billing/visit_list.html"
    context_object_name = "visits"
    paginate_by = 25
    access_what = "visits to bill"

    def get_queryset(self):
        self.filter_form = VisitFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.visits_to_bill(query=data.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            querystring=querystring(self.request),
            tab="visits",
            **kwargs,
        )


class VisitChargesView(VisitMixin, TemplateView):
    permission_required = VIEW_CHARGES
    template_name = "billing/visit_charges.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_patient_access(
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
            can_bill=user.has_perm("billing.add_claim")
            and not any(c.frequency_code == "1" for c in self.visit.claims.all()),
            charge_form=kwargs.pop("charge_form", None) or ChargeForm(),
            diagnosis_form=kwargs.pop("diagnosis_form", None) or DiagnosisForm(),
            **kwargs,
        )


class ChargeAddView(VisitMixin, FormView):
    permission_required = CHANGE_CHARGES
    form_class = ChargeForm
    template_name = "billing/visit_charges.html"
    http_method_names = ["post"]

    def form_valid(self, form):
        try:
            services.charge_add(
                appointment=self.visit, actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        except BillingError as exc:
            messages.error(self.request, exc.message)
            return redirect(self.visit_url())
        messages.success(self.request, _("Charge added."))
        return redirect(self.visit_url())

    def form_invalid(self, form):
        messages.error(self.request, _("The charge was not added: see the form."))
        view = VisitChargesView()
        view.setup(self.request, pk=self.visit.pk)
        view.visit = self.visit
        return self.response_class(
            request=self.request,
            template=[self.template_name],
            context=view.get_context_data(charge_form=form),
        )


class ChargeEditView(RoleRequiredMixin, FormView):
    permission_required = CHANGE_CHARGES
    template_name = "billing/charge_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.charge = get_object_or_404(
            Charge.objects.select_related("appointment", "patient"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_patient_access(
            request, patient=self.charge.patient, obj=self.charge, what="charge"
        )
        return response

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return ChargeForm.for_charge(self.charge, data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(charge=self.charge, **kwargs)

    def form_valid(self, form):
        fields = dict(form.cleaned_data)
        if fields.get("unit_price") is None:
            fields.pop("unit_price")
        try:
            services.charge_update(
                charge=self.charge, actor=self.request.user, **fields
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        except BillingError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Charge saved."))
        return redirect("billing:visit-charges", self.charge.appointment_id)


class ChargeRemoveView(RoleRequiredMixin, View):
    permission_required = CHANGE_CHARGES
    http_method_names = ["post"]

    def post(self, request, pk):
        charge = get_object_or_404(Charge, pk=pk)
        target = ("billing:visit-charges", charge.appointment_id)

        def act():
            services.charge_remove(charge=charge, actor=request.user)

        from django.urls import reverse

        return run_action(
            request, act, _("Charge removed."), reverse(target[0], args=[target[1]])
        )


class DiagnosisAddView(VisitMixin, View):
    permission_required = EDIT_DIAGNOSES
    http_method_names = ["post"]

    def post(self, request, pk):
        form = DiagnosisForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("code", [])))
            return redirect(self.visit_url())
        return run_action(
            request,
            lambda: services.diagnosis_add(
                appointment=self.visit, actor=request.user, **form.cleaned_data
            ),
            _("Diagnosis added."),
            self.visit_url(),
        )


class DiagnosisRemoveView(RoleRequiredMixin, View):
    permission_required = EDIT_DIAGNOSES
    http_method_names = ["post"]

    def post(self, request, pk):
        from django.urls import reverse

        diagnosis = get_object_or_404(VisitDiagnosis, pk=pk)
        target = reverse("billing:visit-charges", args=[diagnosis.appointment_id])
        return run_action(
            request,
            lambda: services.diagnosis_remove(diagnosis=diagnosis, actor=request.user),
            _("Diagnosis removed."),
            target,
        )


class ClaimCreateView(VisitMixin, View):
    permission_required = "billing.add_claim"
    http_method_names = ["post"]

    def post(self, request, pk):
        return run_action(
            request,
            lambda: services.claims_create_for_visit(
                appointment=self.visit, actor=request.user
            ),
            _("Claim created from the visit's charges."),
            self.visit_url(),
        )
