"""The waitlist, providers' calendar-feed links, the .ics feed itself."""

from datetime import timedelta

import icalendar
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import CreateView, ListView

from clinic.edges import PostActionView, ServiceFormMixin
from clinic.mixins import ListAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from scheduling import services
from scheduling.forms import WaitlistForm
from scheduling.models import Appointment, Provider, WaitlistEntry

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 120


class WaitlistView(RoleRequiredMixin, ListAccessLogMixin, ListView):
    permission_required = "scheduling.view_waitlistentry"
    template_name = "scheduling/waitlist.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        return (
            WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
            .select_related("patient", "appointment_type", "provider")
            .order_by("created_at")
        )


class WaitlistCreateView(RoleRequiredMixin, ServiceFormMixin, CreateView):
    permission_required = "scheduling.add_waitlistentry"
    template_name = "scheduling/waitlist_form.html"
    form_class = WaitlistForm

    def perform(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        return services.waitlist_add(actor=self.request.user, **fields)

    def get_success_message(self, entry) -> str:
        return _("%(patient)s, born %(birth)s, added to the waitlist.") % {
            "patient": entry.patient,
            "birth": f"{entry.patient.birth_date:%Y-%m-%d}",
        }

    def get_result_url(self, entry) -> str:
        return reverse("scheduling:waitlist")


class WaitlistRemoveView(RoleRequiredMixin, PostActionView):
    permission_required = "scheduling.change_waitlistentry"
    success_message = _("Removed from the waitlist.")

    def perform(self):
        entry = get_object_or_404(WaitlistEntry, pk=self.kwargs["pk"])
        return services.waitlist_mark(
            entry=entry, status=WaitlistEntry.Status.REMOVED, actor=self.request.user
        )

    def get_redirect_url(self, result=None) -> str:
        return reverse("scheduling:waitlist")


class ProviderListView(RoleRequiredMixin, ListView):
    """Providers and their calendar-feed links (administrators)."""

    permission_required = "scheduling.change_provider"
    template_name = "scheduling/provider_list.html"
    context_object_name = "providers"
    paginate_by = 50
    queryset = Provider.objects.order_by("name")


class ProviderFeedView(RoleRequiredMixin, PostActionView):
    """Renew (a new secret URL; the old one stops working) or revoke a feed link."""

    permission_required = "scheduling.change_provider"

    def revoking(self) -> bool:
        return self.request.POST.get("action") == "revoke"

    def perform(self):
        provider = get_object_or_404(Provider, pk=self.kwargs["pk"])
        write = (
            services.provider_feed_revoke
            if self.revoking()
            else services.provider_feed_reset
        )
        return write(provider=provider, actor=self.request.user)

    def get_success_message(self, provider) -> str:
        if self.revoking():
            return _("Feed link revoked for %(p)s.") % {"p": provider}
        return _("New feed link for %(p)s.") % {"p": provider}

    def get_redirect_url(self, result=None) -> str:
        return reverse("scheduling:provider-list")


@login_not_required
def provider_feed(request, token: str):
    """A provider's schedule as iCalendar: times, type and room; never the patient."""
    if len(token) < 20:
        raise Http404
    provider = Provider.objects.filter(feed_token=token, is_active=True).first()
    if provider is None:
        raise Http404
    now = timezone.now()
    appointments = (
        Appointment.objects.filter(
            provider=provider,
            start__gte=now - timedelta(days=FEED_PAST_DAYS),
            start__lt=now + timedelta(days=FEED_FUTURE_DAYS),
            status__in=Appointment.ACTIVE_STATUSES,
        )
        .select_related("appointment_type", "room", "location")
        .order_by("start")
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//ClinicOps//Provider schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"ClinicOps: {provider.name}")
    for a in appointments:
        event = icalendar.Event()
        event.add("uid", f"appointment-{a.pk}@clinicops")
        event.add("dtstamp", now)
        event.add("dtstart", a.start)
        event.add("dtend", a.end)
        event.add("summary", a.appointment_type.name)
        place = a.location.name + (f", {a.room.name}" if a.room else "")
        event.add("location", place)
        calendar.add_component(event)
    response = HttpResponse(
        calendar.to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
