"""Catalogue and turnaround report."""

from datetime import datetime, time, timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from clinic.permissions import RoleRequiredMixin
from clinic.svg_chart import Series, bar_chart
from diagnostics import selectors, turnaround
from diagnostics.forms import (
    TurnaroundForm,
)


class CatalogueView(RoleRequiredMixin, TemplateView):
    permission_required = "diagnostics.view_testdefinition"
    template_name = "diagnostics/catalogue.html"

    def get_context_data(self, **kwargs):
        tests, panels = selectors.catalogue()
        return super().get_context_data(
            tests=tests,
            panels=panels,
            can_edit=self.request.user.has_perm("diagnostics.change_testdefinition"),
            **kwargs,
        )


class TurnaroundView(RoleRequiredMixin, TemplateView):
    permission_required = "diagnostics.view_turnaround"
    template_name = "diagnostics/turnaround.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        form = TurnaroundForm(
            request.GET or None,
            initial={"start": today - timedelta(days=30), "end": today},
        )
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            start, end = today - timedelta(days=30), today
        tz = timezone.get_current_timezone()
        rows = turnaround.turnaround_rows(
            start=datetime.combine(start, time.min, tzinfo=tz),
            end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
        )
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                turnaround.turnaround_csv(rows), content_type="text/csv"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="turnaround-{start}-{end}.csv"'
            )
            return response
        context = self.get_context_data(
            form=form,
            rows=rows,
            chart=bar_chart(
                rows=turnaround.turnaround_chart_rows(rows),
                series=[Series(_("median minutes from order to result"))],
            ),
            start=start,
            end=end,
            stages=turnaround.STAGES,
            csv_query=f"start={start}&end={end}&format=csv",
        )
        return self.render_to_response(context)
