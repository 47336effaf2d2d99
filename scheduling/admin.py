from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scheduling.models import Location


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
