"""The bedside forms: give a scheduled dose, give a PRN dose, hold or refuse."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from clinic.edges import ServiceFormMixin
from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from medications import selectors, services
from medications.forms import DoseStatusForm, GiveDoseForm
from medications.models import MedicationOrder, ScheduledDose
from medications.views.common import ADMINISTER, CHART_DOSE
from registration.banner import PatientBannerMixin

GIVEN = _("Given: %(drug)s %(dose)s %(route)s to %(patient)s at %(time)s.")
DOSE_CHARTED = _("%(drug)s due %(time)s: %(status)s.")


class _BedsideMixin(
    RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin, ServiceFormMixin
):
    """A form about one dose; a refusal stays on the form; success goes back to
    the patient's MAR."""

    access_what = "bedside charting"

    def get_banner_patient(self):
        return self.dose.order.patient

    def get_access_object(self):
        return self.dose

    def get_access_patient(self):
        return self.dose.order.patient

    def dispatch(self, request, *args, **kwargs):
        self.dose = get_object_or_404(
            ScheduledDose.objects.select_related(
                "order__patient", "order__medication", "order__location"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        selectors.dose_decorate(self.dose, timezone.now())
        return super().get_context_data(
            dose=self.dose,
            order=self.dose.order,
            patient=self.dose.order.patient,
            **kwargs,
        )

    def get_result_url(self, result) -> str:
        return reverse(
            "medications:patient-mar", kwargs={"patient_pk": self.dose.order.patient_id}
        )


def _bedside_entry(data) -> services.Bedside:
    return services.Bedside(
        wristband=data["wristband"],
        barcode=data["barcode"],
        amount=data["amount"],
        unit=data["unit"],
        route=data["route"],
        site=data.get("site", ""),
        reason=data.get("reason", ""),
        note=data.get("note", ""),
        witness_username=data.get("witness_username", ""),
        witness_password=data.get("witness_password", ""),
    )


class GiveDoseView(_BedsideMixin, FormView):
    """Scan the wristband and the medication, check the five rights, record."""

    permission_required = ADMINISTER
    template_name = "medications/give_dose.html"
    form_class = GiveDoseForm

    def get_order(self) -> MedicationOrder:
        return self.dose.order

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["high_alert"] = self.get_order().medication.is_high_alert
        return kwargs

    def get_initial(self):
        order = self.get_order()
        return {
            "amount": f"{order.dose.normalize():f}",
            "unit": order.dose_unit,
            "route": order.route,
            "wristband": self.request.GET.get("wristband", ""),
        }

    def perform(self, form):
        return services.dose_administer(
            dose=self.dose,
            entry=_bedside_entry(form.cleaned_data),
            actor=self.request.user,
        )

    def get_success_message(self, given) -> str:
        order = self.get_order()
        return GIVEN % {
            "drug": order.medication.name,
            "dose": order.dose_label,
            "route": order.route,
            "patient": f"{order.patient.given_name} {order.patient.family_name}",
            "time": f"{timezone.localtime(given.given_at):%H:%M}",
        }


class GivePrnView(GiveDoseView):
    """An as-needed dose, given now within the order's PRN limits."""

    def dispatch(self, request, *args, **kwargs):
        self.order = get_object_or_404(
            MedicationOrder.objects.select_related("patient", "medication", "location"),
            pk=kwargs["pk"],
        )
        self.dose = ScheduledDose(order=self.order, due_at=timezone.now())
        return super(_BedsideMixin, self).dispatch(request, *args, **kwargs)

    def get_access_object(self):
        return self.order

    def get_order(self):
        return self.order

    def get_context_data(self, **kwargs):
        return super().get_context_data(prn=True, **kwargs)

    def perform(self, form):
        return services.prn_administer(
            order=self.order,
            entry=_bedside_entry(form.cleaned_data),
            actor=self.request.user,
        )


class DoseStatusView(_BedsideMixin, FormView):
    """Hold a dose, or record that the patient refused it, with a reason."""

    permission_required = CHART_DOSE
    template_name = "medications/dose_status.html"
    form_class = DoseStatusForm

    def perform(self, form):
        action = {"hold": services.dose_hold, "refuse": services.dose_refuse}[
            form.cleaned_data["action"]
        ]
        return action(
            dose=self.dose, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, dose) -> str:
        return DOSE_CHARTED % {
            "drug": self.dose.order.medication.name,
            "time": f"{timezone.localtime(dose.due_at):%H:%M}",
            "status": dose.get_status_display().lower(),
        }
