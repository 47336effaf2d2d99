"""The outbox page (every message, filters, resend) and waitlist offers by text."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from alerts import selectors, services
from alerts.forms import OfferForm, OutboxFilterForm, ResendForm
from alerts.models import Notification
from clinic.exceptions import ApplicationError
from clinic.mixins import ListAccessLogMixin, PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration.banner import PatientBannerMixin


class OutboxView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    permission_required = "alerts.view_notification"
    template_name = "alerts/outbox.html"
    context_object_name = "notifications"
    paginate_by = 50
    access_what = "outbox"

    def get_queryset(self):
        self.filter_form = OutboxFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.outbox(
            query=data.get("q", ""),
            status=data.get("status", ""),
            channel=data.get("channel", ""),
            day=data.get("day"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            querystring=query.urlencode(),
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


class ResendView(
    RoleRequiredMixin, PatientAccessLogMixin, PatientBannerMixin, FormView
):
    permission_required = "alerts.add_notification"
    template_name = "alerts/resend.html"
    form_class = ResendForm
    access_what = "message"

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(
            Notification.objects.select_related("patient"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_banner_patient(self):
        return self.object.patient

    def get_context_data(self, **kwargs):
        return super().get_context_data(notification=self.object, **kwargs)

    def form_valid(self, form):
        try:
            services.notification_resend(
                notification=self.object,
                reason=form.cleaned_data["reason"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect("alerts:outbox")
        messages.success(
            self.request, _("Sent again: %(to)s") % {"to": self.object.address}
        )
        return redirect("alerts:outbox")


class OfferSendView(RoleRequiredMixin, View):
    """Text a cancelled visit's time to the best waitlist candidates."""

    permission_required = "alerts.add_waitlistoffer"
    http_method_names = ["post"]

    def post(self, request, pk):
        from alerts.offers import waitlist_offers_send
        from scheduling.models import Appointment
        from scheduling.selectors import waitlist_candidates

        freed = get_object_or_404(
            Appointment.objects.select_related("appointment_type", "provider"), pk=pk
        )
        form = OfferForm(request.POST)
        back = redirect("scheduling:appointment-candidates", pk=freed.pk)
        if freed.status != Appointment.Status.CANCELLED or not form.is_valid():
            messages.error(request, _("Only a cancelled visit's time can be offered."))
            return back
        candidates = waitlist_candidates(
            appointment=freed, limit=form.cleaned_data["count"]
        )
        offers = waitlist_offers_send(
            freed_appointment=freed,
            entries=candidates,
            actor=request.user,
            clinic=settings.CLINIC_NAME,
        )
        messages.success(
            request,
            _("Offered by text to %(n)s patient(s); the first YES gets it.")
            % {"n": len(offers)},
        )
        return back
