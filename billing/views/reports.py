"""Billing reports: A/R aging by payer (chart, CSV), collections, denial rates; the
CMS-1500 printout of a claim."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from billing import selectors
from billing.aging import aging_csv_rows, aging_labels, ar_aging
from billing.cms1500 import claim_pdf
from billing.views.common import VIEW_CLAIMS, ClaimMixin
from clinic.csvfile import csv_response
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from clinic.svg_chart import Series, bar_chart

REPORTS = "billing.view_billing_reports"


class BillingReportsView(RoleRequiredMixin, TemplateView):
    permission_required = REPORTS
    template_name = "billing/reports.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return csv_response(
                filename="ar-aging.csv", rows=aging_csv_rows(ar_aging())
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        aging = ar_aging()
        return super().get_context_data(
            aging=aging,
            aging_chart=bar_chart(
                rows=aging["chart_rows"],
                series=[Series(_("open balance"), value_format="${}")],
                label_width=52,
                bar_width=300,
            ),
            buckets=aging_labels(),
            collections=selectors.collections_by_month(),
            denials=selectors.denial_rates(),
            tab="reports",
            **kwargs,
        )


class ClaimPdfView(ClaimMixin, View):
    permission_required = VIEW_CLAIMS

    def get(self, request, pk):
        access_log_request(
            request,
            patient=self.claim.patient,
            obj=self.claim,
            what="CMS-1500 printout",
            action=AccessLog.Action.EXPORT,
        )
        response = HttpResponse(claim_pdf(self.claim), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="cms1500-{self.claim.claim_number}.pdf"'
        )
        return response
