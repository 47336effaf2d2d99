"""Billing reports: A/R aging by payer (chart, CSV), collections, denial rates; the
CMS-1500 printout of a claim."""

from django.http import HttpResponse
from django.views import View
from django.views.generic import TemplateView

from billing import selectors
from billing.cms1500 import claim_pdf
from billing.views.common import VIEW_CLAIMS, ClaimMixin, log_patient_access
from clinic.csvfile import csv_writer
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin

REPORTS = "billing.view_billing_reports"


class BillingReportsView(RoleRequiredMixin, TemplateView):
    permission_required = REPORTS
    template_name = "billing/reports.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return aging_csv()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            aging=selectors.ar_aging(),
            buckets=[label for label, _lo, _hi in selectors.AGING_BUCKETS],
            collections=selectors.collections_by_month(),
            denials=selectors.denial_rates(),
            tab="reports",
            **kwargs,
        )


def aging_csv() -> HttpResponse:
    aging = selectors.ar_aging()
    labels = [label for label, _lo, _hi in selectors.AGING_BUCKETS]
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="ar-aging.csv"'
    writer = csv_writer(response)
    writer.writerow(["Payer", *labels, "Total"])
    for row in aging["rows"]:
        writer.writerow([row["payer"], *(row[label] for label in labels), row["total"]])
    writer.writerow(
        [
            "All payers",
            *(aging["totals"][label] for label in labels),
            aging["grand_total"],
        ]
    )
    return response


class ClaimPdfView(ClaimMixin, View):
    permission_required = VIEW_CLAIMS

    def get(self, request, pk):
        log_patient_access(
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
