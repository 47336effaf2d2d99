from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from clinic.models import AccessLog, ReportExport
from clinic.permissions import RoleRequiredMixin
from clinic.reports import all_reports, get_report
from clinic.reports.base import Filters, ReportFilterForm
from clinic.reports.csv_output import csv_chunks
from clinic.reports.exports import report_export_request
from clinic.services import access_log_first_broken, access_log_request
from clinic.storage import exports_storage, stored_download

PERMISSION = "clinic.view_reports"
PAGE_SIZE = 50


class _ReportMixin(RoleRequiredMixin):
    permission_required = PERMISSION

    def bind_filters(self):
        self.report = get_report(self.kwargs["slug"])
        self.form = ReportFilterForm(
            self.request.GET or self.request.POST or None,
            kind_choices=self.report.kind_choices(),
            locations=self.report.locations(),
        )
        if self.form.is_bound and self.form.is_valid():
            return Filters.from_form(self.form.cleaned_data)
        if self.form.is_bound:
            return None
        return Filters()


class ReportListView(RoleRequiredMixin, TemplateView):
    permission_required = PERMISSION
    template_name = "clinic/reports/report_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            reports=all_reports(),
            exports=ReportExport.objects.filter(requested_by=self.request.user)[:10],
            **kwargs,
        )


class ReportView(_ReportMixin, TemplateView):
    """A report on screen, filtered and paged; each page viewed is logged."""

    template_name = "clinic/reports/report.html"

    def get_context_data(self, **kwargs):
        filters = self.bind_filters()
        context = super().get_context_data(report=self.report, form=self.form, **kwargs)
        if filters is None:
            return context
        paginator = Paginator(self.report.rows(filters), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        if hasattr(self.report, "with_changes"):
            rows = [self.report.with_changes(row) for row in rows]
        if hasattr(self.report, "decorate"):
            rows = self.report.decorate(rows)
        access_log_request(
            self.request,
            patient=filters.patient,
            what=f"report {self.report.slug} page {page.number}: {filters.describe()}",
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=filters,
            page_obj=page,
            headers=[column.header for column in self.report.columns],
            table=[self.report.cells(row) for row in rows],
            querystring=query.urlencode(),
        )
        return context


class ReportCsvView(_ReportMixin, View):
    """The whole report as CSV, streamed: memory stays flat however many rows."""

    def get(self, request, slug):
        filters = self.bind_filters()
        if filters is None:
            messages.error(request, _("Fix the filters first."))
            return redirect("clinic:report", slug=slug)
        access_log_request(
            request,
            action=AccessLog.Action.EXPORT,
            patient=filters.patient,
            what=f"report {self.report.slug} (csv): {filters.describe()}",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            csv_chunks(self.report, filters), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.report.slug}-{stamp}.csv"'
        )
        return response


class ReportExportCreateView(_ReportMixin, View):
    http_method_names = ["post"]

    def post(self, request, slug):
        filters = self.bind_filters()
        fmt = request.POST.get("format", "")
        if filters is None or fmt not in ReportExport.Format.values:
            messages.error(request, _("Fix the filters and choose CSV or PDF."))
            return redirect("clinic:report", slug=slug)
        export = report_export_request(
            report=self.report,
            filters=filters,
            fmt=fmt,
            actor=request.user,
            request=request,
        )
        return redirect("clinic:export-detail", pk=export.pk)


class _OwnExportMixin(RoleRequiredMixin):
    """Only the administrator who asked for an export may see or download it."""

    permission_required = PERMISSION

    def get_export(self) -> ReportExport:
        export = get_object_or_404(ReportExport, pk=self.kwargs["pk"])
        if export.requested_by_id != self.request.user.pk:
            raise PermissionDenied
        return export


class ReportExportDetailView(_OwnExportMixin, View):
    def get(self, request, pk):
        export = self.get_export()
        template = (
            "clinic/reports/partials/_export_progress.html"
            if request.htmx
            else "clinic/reports/export_detail.html"
        )
        return render(
            request, template, {"export": export, "report": get_report(export.report)}
        )


class ReportExportDownloadView(_OwnExportMixin, View):
    def get(self, request, pk):
        export = self.get_export()
        if export.status != ReportExport.Status.DONE:
            raise Http404("This export is not ready or has expired.")
        try:
            # The stored name is random; the download is named for what it holds.
            response = stored_download(
                exports_storage(),
                export.file_name,
                filename=f"{export.report}-{export.pk}.{export.format}",
            )
        except FileNotFoundError:
            raise Http404("The file is gone; request the export again.") from None
        access_log_request(
            request,
            action=AccessLog.Action.DOWNLOAD,
            obj=export,
            what=f"export #{export.pk} of {export.report}: {export.filters_text}",
        )
        return response


class AccessLogIntegrityView(RoleRequiredMixin, TemplateView):
    """The hash-chain check over a chosen range of the access log."""

    permission_required = PERMISSION
    template_name = "clinic/reports/integrity.html"

    def get_context_data(self, **kwargs):
        form = ReportFilterForm(self.request.GET or None)
        context = super().get_context_data(form=form, **kwargs)
        if not form.is_bound or not form.is_valid():
            return context
        filters = Filters.from_form(form.cleaned_data)
        rows = AccessLog.objects.all()
        if filters.date_from:
            rows = rows.filter(created_at__gte=filters.date_from)
        if filters.date_to:
            rows = rows.filter(created_at__lt=filters.date_to)
        ids = rows.order_by("id").values_list("id", flat=True)
        first_id, last_id = (
            ids.first(),
            rows.order_by("-id").values_list("id", flat=True).first(),
        )
        broken = None
        if first_id is not None:
            broken = access_log_first_broken(start_id=first_id, end_id=last_id)
        context.update(
            checked=rows.count(),
            first_id=first_id,
            last_id=last_id,
            broken=broken,
            filters=filters,
        )
        return context
