from datetime import timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from clinic.csvfile import csv_writer
from clinic.permissions import RoleRequiredMixin
from scheduling.forms import MetricsFilterForm
from scheduling.metrics import clinic_metrics


class MetricsView(RoleRequiredMixin, TemplateView):
    """No-show rate, cancellations, lead time, utilisation; CSV with ?format=csv."""

    permission_required = "scheduling.view_scheduling_metrics"
    template_name = "scheduling/metrics.html"

    def get(self, request, *args, **kwargs):
        form = MetricsFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=27)
        if start > end:
            start, end = end, start
        metrics = clinic_metrics(start=start, end=end)
        if request.GET.get("format") == "csv":
            return self.csv(metrics, start, end)
        query = request.GET.copy()
        query["format"] = "csv"
        return self.render_to_response(
            self.get_context_data(
                form=form, start=start, end=end, csv_query=query.urlencode(), **metrics
            )
        )

    def csv(self, metrics, start, end) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="scheduling-metrics-{start}-{end}.csv"'
        )
        writer = csv_writer(response)
        writer.writerow(
            [
                "section",
                "name",
                "week",
                "visits",
                "no_shows",
                "no_show_rate",
                "cancelled",
                "cancel_rate",
                "mean_lead_days",
                "booked_minutes",
                "available_minutes",
                "utilisation",
            ]
        )
        for section, rows in (
            ("provider", metrics["by_provider"]),
            ("type", metrics["by_type"]),
        ):
            for row in rows:
                writer.writerow(
                    [
                        section,
                        row.label,
                        "",
                        row.total,
                        row.no_show,
                        f"{row.no_show_rate:.3f}",
                        row.cancelled,
                        f"{row.cancel_rate:.3f}",
                        f"{row.lead_days:.1f}",
                        "",
                        "",
                        "",
                    ]
                )
        for item in metrics["utilisation"]:
            writer.writerow(
                [
                    "utilisation",
                    item["provider"],
                    item["week"],
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    item["booked"],
                    item["available"],
                    "" if item["rate"] is None else f"{item['rate']:.3f}",
                ]
            )
        return response
