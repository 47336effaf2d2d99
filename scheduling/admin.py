from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.mixins import AdminAccessLogMixin
from scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    AvailabilityRule,
    Location,
    Provider,
    Room,
    WaitlistEntry,
)


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


class AvailabilityRuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 0


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credentials", "npi", "specialty", "is_active"]
    list_filter = ["is_active", "specialty"]
    search_fields = ["name", "npi"]
    exclude = ["feed_token"]
    inlines = [AvailabilityRuleInline]


@admin.register(Room)
class RoomAdmin(SimpleHistoryAdmin):
    list_display = ["name", "location", "kind", "is_active"]
    list_filter = ["location", "kind", "is_active"]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "duration_minutes", "colour", "room_kind", "billing_code"]
    filter_horizontal = ["providers"]


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "location", "weekday", "start_time", "end_time"]
    list_filter = ["location", "weekday"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "provider", "start", "end", "reason"]
    list_filter = ["kind"]


@admin.register(Appointment)
class AppointmentAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    """Read-only: appointments change through the scheduling pages (services)."""

    list_display = ["start", "provider", "appointment_type", "status"]
    list_filter = ["status"]
    date_hierarchy = "start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(AdminAccessLogMixin, SimpleHistoryAdmin):
    pass
