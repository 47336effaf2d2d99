"""PDFs printed from a patient's MAR: the wristband and the day's MAR."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View

from clinic.clock import day_bounds
from clinic.fields import date_from_query
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from medications import printing, selectors
from medications.views.common import VIEW_MAR
from registration.models import Patient
from registration.selectors import patient_banner


class _PatientPdfView(RoleRequiredMixin, View):
    permission_required = VIEW_MAR
    access_what = ""

    def get(self, request, patient_pk):
        patient = get_object_or_404(Patient, pk=patient_pk)
        content, filename = self.render_pdf(patient)
        access_log_request(
            request,
            action=AccessLog.Action.PRINT,
            patient=patient,
            obj=patient,
            what=self.access_what,
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class WristbandPdfView(_PatientPdfView):
    access_what = "wristband"

    def render_pdf(self, patient):
        content = printing.wristband_pdf(
            banner=patient_banner(patient=patient), clinic_name=settings.CLINIC_NAME
        )
        return content, f"wristband-{patient.mrn}.pdf"


class MarPrintView(_PatientPdfView):
    access_what = "MAR printout"

    def render_pdf(self, patient):
        day = date_from_query(self.request.GET.get("date")) or timezone.localdate()
        start, end = day_bounds(day)
        content = printing.mar_pdf(
            banner=patient_banner(patient=patient),
            day=day,
            doses=selectors.patient_doses(patient=patient, start=start, end=end),
            orders=selectors.patient_orders(patient=patient),
            clinic_name=settings.CLINIC_NAME,
            printed_by=self.request.user,
        )
        return content, f"mar-{patient.mrn}-{day:%Y-%m-%d}.pdf"
