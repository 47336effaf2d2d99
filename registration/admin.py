from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinic.mixins import AdminAccessLogMixin
from registration.models import Allergy, Coverage, EligibilityCheck, Patient, Payer


@admin.register(Patient)
class PatientAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    access_patient_path = ""
    list_display = ["mrn", "family_name", "given_name", "birth_date", "status"]
    list_filter = ["status"]
    search_fields = ["=mrn", "family_name", "given_name"]
    show_full_result_count = False
    raw_id_fields = ["merged_into", "sms_consent_recorded_by"]
    readonly_fields = ["mrn", "merge_link"]

    @admin.display(description="Merge")
    def merge_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("registration:patient-merge", args=[obj.pk])
        return format_html('<a href="{}">Merge this record into another…</a>', url)


@admin.register(Payer)
class PayerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "payer_id", "claim_filing_indicator", "is_active"]
    search_fields = ["name", "payer_id"]


@admin.register(Coverage)
class CoverageAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    list_display = ["patient", "payer", "member_id", "priority", "is_active"]
    raw_id_fields = ["patient"]
    search_fields = ["=member_id"]


@admin.register(Allergy)
class AllergyAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    list_display = ["patient", "substance", "severity", "status"]
    raw_id_fields = ["patient", "recorded_by"]


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    list_display = ["coverage", "result", "requested_at", "completed_at"]
    raw_id_fields = ["coverage", "patient", "requested_by"]
