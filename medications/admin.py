from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.mixins import AdminAccessLogMixin
from medications.models import (
    Administration,
    Medication,
    MedicationOrder,
    ScheduledDose,
)


@admin.register(Medication)
class MedicationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "strength_label", "form", "barcode", "is_high_alert"]
    search_fields = ["name", "barcode", "rxnorm_code"]

    @admin.display(description="strength", ordering="strength")
    def strength_label(self, medication) -> str:
        return f"{medication.strength.normalize():f} {medication.unit}"


@admin.register(MedicationOrder)
class MedicationOrderAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    list_display = ["patient", "medication", "dose_label", "route", "status"]
    list_filter = ["status", "frequency", "location"]
    raw_id_fields = ["patient", "ordered_by"]


@admin.register(ScheduledDose)
class ScheduledDoseAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    access_patient_path = "order.patient"
    list_display = ["order", "due_at", "status"]
    list_filter = ["status"]
    raw_id_fields = ["order", "status_changed_by"]


@admin.register(Administration)
class AdministrationAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    access_patient_path = "dose.order.patient"
    list_display = ["dose", "given_at", "given_by", "witness"]
    raw_id_fields = ["dose", "given_by", "witness"]
