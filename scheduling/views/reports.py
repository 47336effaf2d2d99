from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from clinic.csvfile import csv_response
from clinic.permissions import RoleRequiredMixin
from clinic.svg_chart import Series, bar_chart
from scheduling.forms import MetricsFilterForm
from scheduling.metrics import clinic_metrics, metrics_csv_rows

CHART_SERIES = (
    Series(
        _("utilisation (booked ÷ available)"),
        "chart-primary",
        top=150,
        value_format="{}%",
    ),
    Series(_("no-show rate"), "chart-alert", top=100, value_format="{}%"),
)


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
            return csv_response(
                filename=f"scheduling-metrics-{start}-{end}.csv",
                rows=metrics_csv_rows(metrics),
            )
        query = request.GET.copy()
        query["format"] = "csv"
        chart = bar_chart(rows=metrics["chart_rows"], series=CHART_SERIES)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                start=start,
                end=end,
                csv_query=query.urlencode(),
                chart=chart,
                **metrics,
            )
        )
