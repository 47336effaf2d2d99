from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from diagnostics.models import Panel, ReferenceRange, TestDefinition


class ReferenceRangeInline(admin.TabularInline):
    model = ReferenceRange
    extra = 0


@admin.register(TestDefinition)
class TestDefinitionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "loinc", "specimen_type", "result_type", "unit"]
    list_filter = ["specimen_type", "result_type", "active"]
    search_fields = ["code", "name", "loinc"]
    inlines = [ReferenceRangeInline]


@admin.register(Panel)
class PanelAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "loinc"]
    filter_horizontal = ["tests"]
