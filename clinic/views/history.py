from django.apps import apps
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin, may_view_record, record_rule
from clinic.selectors import record_history

PAGE_SIZE = 25


class RecordHistoryView(PatientAccessLogMixin, RoleRequiredMixin, TemplateView):
    """Any record's history: who changed which field from what to what, when, why.

    Never wider than the record's own page: it asks what that page asks
    (``clinic.permissions.record_rule``), including a rule about the one record.
    """

    template_name = "clinic/history.html"
    access_what = "history"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
        except (LookupError, ValueError) as exc:
            raise Http404("No such kind of record") from exc
        if not hasattr(self.model, "history"):
            raise Http404("This kind of record keeps no history")
        return super().dispatch(request, *args, **kwargs)

    def get_permission_required(self):
        return list(record_rule(self.model).permissions)

    def has_permission(self) -> bool:
        if not super().has_permission():
            return False
        self.object = get_object_or_404(self.model, pk=self.kwargs["pk"])
        return may_view_record(self.request.user, self.object)

    def get_context_data(self, **kwargs):
        total = self.object.history.count()
        page = Paginator(range(total), PAGE_SIZE).get_page(self.request.GET.get("page"))
        entries, _total = record_history(
            obj=self.object,
            limit=PAGE_SIZE,
            offset=page.start_index() - 1 if total else 0,
        )
        return super().get_context_data(
            object=self.object,
            kind_name=self.model._meta.verbose_name,
            entries=entries,
            page_obj=page,
            **kwargs,
        )
