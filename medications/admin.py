from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from medications.models import (
    Administration,
    Medication,
    MedicationOrder,
    ScheduledDose,
)


@admin.register(Medication)
class MedicationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "strength", "unit", "form", "barcode", "is_high_alert"]
    search_fields = ["name", "barcode", "rxnorm_code"]


@admin.register(MedicationOrder)
class MedicationOrderAdmin(SimpleHistoryAdmin):
    list_display = ["patient", "medication", "dose", "dose_unit", "route", "status"]
    list_filter = ["status", "frequency", "location"]
    raw_id_fields = ["patient", "ordered_by"]


@admin.register(ScheduledDose)
class ScheduledDoseAdmin(SimpleHistoryAdmin):
    list_display = ["order", "due_at", "status"]
    list_filter = ["status"]
    raw_id_fields = ["order", "status_changed_by"]


@admin.register(Administration)
class AdministrationAdmin(SimpleHistoryAdmin):
    list_display = ["dose", "given_at", "given_by", "witness"]
    raw_id_fields = ["dose", "given_by", "witness"]
