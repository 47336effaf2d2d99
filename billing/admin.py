from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from billing.models import BillingProvider, FeeScheduleEntry, PayerBillingProfile


@admin.register(BillingProvider)
class BillingProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "npi", "tax_id", "taxonomy_code", "is_active"]


@admin.register(FeeScheduleEntry)
class FeeScheduleEntryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "modifiers", "description", "price", "is_active"]
    search_fields = ["code", "description"]
    list_filter = ["is_active"]


@admin.register(PayerBillingProfile)
class PayerBillingProfileAdmin(SimpleHistoryAdmin):
    list_display = ["payer", "timely_filing_days", "paper_claims"]
