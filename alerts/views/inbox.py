from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from alerts import hooks, selectors, services
from alerts.forms import InboxFilterForm, ResolveForm
from alerts.kinds import alerts_shown, kind_of
from alerts.models import StaffAlert
from clinic.edges import FilteredListMixin, PostActionView, ServiceFormMixin
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin

PERMISSION = "alerts.view_staffalert"


class InboxView(RoleRequiredMixin, ListAccessLogMixin, FilteredListMixin, ListView):
    """The user's and their role's alerts and tasks, most urgent first (titles
    name patients and results: an access-log row per look)."""

    permission_required = PERMISSION
    template_name = "alerts/inbox.html"
    context_object_name = "alerts"
    paginate_by = 25
    filter_form_class = InboxFilterForm

    def get_queryset(self):
        filters = self.filter_arguments("status", "kind", "priority", q="query")
        return selectors.inbox_for(user=self.request.user, **filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Titles name the patient: a restricted one shows as such, without a grant.
        context["alerts"] = alerts_shown(context["alerts"], user=self.request.user)
        return context


class _AlertMixin(RoleRequiredMixin):
    permission_required = PERMISSION

    def dispatch(self, request, *args, **kwargs):
        self.alert = get_object_or_404(
            StaffAlert.objects.select_related("patient"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def has_permission(self) -> bool:
        """Only the user or role the alert is for may act on it."""
        return super().has_permission() and selectors.alert_visible_to(
            alert=self.alert, user=self.request.user
        )


class AlertAcknowledgeView(_AlertMixin, PostActionView):
    """Acknowledge; with htmx the row is redrawn in place."""

    acknowledged = None

    def perform(self):
        self.acknowledged = services.alert_acknowledge(
            alert=self.alert, actor=self.request.user
        )
        return self.acknowledged

    def get_success_message(self, result) -> str:
        if self.request.htmx:
            return ""  # the redrawn row says it
        return _("Acknowledged: %(title)s") % {"title": result.title}

    def get_redirect_url(self, result=None) -> str:
        return reverse("alerts:inbox")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        alert = self.acknowledged
        if request.htmx and alert is not None:
            alerts_shown([alert], user=request.user)
            return render(request, "alerts/partials/_alert_row.html", {"alert": alert})
        return response


class AlertResolveView(PatientAccessLogMixin, _AlertMixin, ServiceFormMixin, FormView):
    """Resolve with a note; a refusal (resolved meanwhile) stays on the form with
    the note typed."""

    template_name = "alerts/resolve.html"
    form_class = ResolveForm
    access_what = "alert"
    service = staticmethod(services.alert_resolve)

    def get_access_object(self):
        return self.alert

    def get_context_data(self, **kwargs):
        self.alert.kind_label = kind_of(self.alert.kind).label
        hooks.patients_hide([self.alert], user=self.request.user)
        if self.alert.patient is not None:
            kwargs["banner"] = hooks.patient_banner(patient=self.alert.patient)
        return super().get_context_data(alert=self.alert, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"alert": self.alert}

    def get_success_message(self, result) -> str:
        return _("Resolved: %(title)s") % {"title": result.title}

    def get_result_url(self, result) -> str:
        return reverse("alerts:inbox")
