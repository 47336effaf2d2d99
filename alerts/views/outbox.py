"""The outbox page (every message, filters, resend) and waitlist offers by text."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from alerts import hooks, selectors, services
from alerts.forms import OfferForm, OutboxFilterForm, ResendForm
from alerts.models import Notification
from clinic.edges import FilteredListMixin, PostActionView, ServiceFormMixin
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin


class OutboxView(RoleRequiredMixin, ListAccessLogMixin, FilteredListMixin, ListView):
    permission_required = "alerts.view_notification"
    template_name = "alerts/outbox.html"
    context_object_name = "notifications"
    paginate_by = 50
    access_what = "outbox"
    filter_form_class = OutboxFilterForm

    def get_queryset(self):
        filters = self.filter_arguments("status", "channel", "day", q="query")
        return selectors.outbox(**filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            status_counts=self.status_counts(),
            can_resend=self.request.user.has_perm("alerts.add_notification"),
            resendable=Notification.RESENDABLE_STATUSES,
        )
        return context

    def status_counts(self) -> list[tuple[str, str, int]]:
        counts = selectors.outbox_counts()
        return [
            (value, label, counts.get(value, 0))
            for value, label in Notification.Status.choices
        ]


class ResendView(RoleRequiredMixin, PatientAccessLogMixin, ServiceFormMixin, FormView):
    """A failed, undeliverable or skipped message sent again, with the reason."""

    permission_required = "alerts.add_notification"
    template_name = "alerts/resend.html"
    form_class = ResendForm
    access_what = "message"
    service = staticmethod(services.notification_resend)

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(
            Notification.objects.select_related("patient"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        banner = hooks.patient_banner(patient=self.object.patient)
        return super().get_context_data(
            notification=self.object, banner=banner, **kwargs
        )

    def get_service_kwargs(self) -> dict:
        return {"notification": self.object}

    def get_success_message(self, result) -> str:
        return _("Sent again: %(to)s") % {"to": self.object.address}

    def get_result_url(self, result) -> str:
        return reverse("alerts:outbox")


class OfferSendView(RoleRequiredMixin, PostActionView):
    """Text a cancelled visit's time to the best waitlist candidates (scheduling's
    rule, through ``alerts.hooks.freed_slot_offer``)."""

    permission_required = "alerts.add_waitlistoffer"

    def perform(self):
        form = OfferForm(self.request.POST)
        count = form.cleaned_data["count"] if form.is_valid() else None
        return hooks.freed_slot_offer(
            appointment_id=self.kwargs["pk"],
            count=count,
            actor=self.request.user,
            clinic=settings.CLINIC_NAME,
        )

    def get_success_message(self, result) -> str:
        return _("Offered by text to %(n)s patient(s); the first YES gets it.") % {
            "n": len(result)
        }

    def get_redirect_url(self, result=None) -> str:
        return reverse("scheduling:appointment-candidates", kwargs=self.kwargs)
