from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from alerts import selectors, services
from alerts.forms import InboxFilterForm, ResolveForm
from alerts.kinds import kind_of
from alerts.models import StaffAlert
from clinic.exceptions import ApplicationError
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration.banner import PatientBannerMixin
from registration.restriction import mark_hidden

PERMISSION = "alerts.view_staffalert"


class InboxView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    """The user's and their role's alerts and tasks, most urgent first (titles
    name patients and results: an access-log row per look)."""

    permission_required = PERMISSION
    template_name = "alerts/inbox.html"
    context_object_name = "alerts"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = InboxFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.inbox_for(
            user=self.request.user,
            status=data.get("status", ""),
            kind=data.get("kind", ""),
            priority=data.get("priority"),
            query=data.get("q", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        for alert in context["alerts"]:
            alert.kind_label = kind_of(alert.kind).label
        # Titles name the patient: a restricted one shows as such, without a grant.
        mark_hidden(context["alerts"], user=self.request.user)
        context.update(filter_form=self.filter_form, querystring=query.urlencode())
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


class AlertAcknowledgeView(_AlertMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            alert = services.alert_acknowledge(alert=self.alert, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("alerts:inbox")
        if request.htmx:
            alert.kind_label = kind_of(alert.kind).label
            mark_hidden([alert], user=request.user)
            return render(request, "alerts/partials/_alert_row.html", {"alert": alert})
        messages.success(request, _("Acknowledged: %(title)s") % {"title": alert.title})
        return redirect("alerts:inbox")


class AlertResolveView(
    PatientAccessLogMixin, _AlertMixin, PatientBannerMixin, FormView
):
    template_name = "alerts/resolve.html"
    form_class = ResolveForm
    access_what = "alert"

    def get_access_object(self):
        return self.alert

    def get_banner_patient(self):
        return self.alert.patient

    def get_context_data(self, **kwargs):
        self.alert.kind_label = kind_of(self.alert.kind).label
        mark_hidden([self.alert], user=self.request.user)
        return super().get_context_data(alert=self.alert, **kwargs)

    def form_valid(self, form):
        try:
            services.alert_resolve(
                alert=self.alert,
                actor=self.request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("note", error.message_dict.get("note", error.messages)[0])
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect("alerts:inbox")
        messages.success(
            self.request, _("Resolved: %(title)s") % {"title": self.alert.title}
        )
        return redirect("alerts:inbox")
