"""Everything done to one appointment: its page, status changes, check-in, undo,
cancel and move."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView

from clinic.edges import PostActionView, ServiceFormMixin, refusal_messages
from clinic.mixins import PatientAccessLogMixin
from clinic.permissions import RoleRequiredMixin
from registration.banner import PatientBannerMixin
from scheduling import eligibility, services, visit_hooks, visit_windows
from scheduling.exceptions import SlotTaken
from scheduling.forms import CancelForm, CheckInForm, MoveForm, UndoForm
from scheduling.models import Appointment

CHANGE = "scheduling.change_appointment"
VIEW = "scheduling.view_appointment"
UNKNOWN_ACTION = _("Unknown action.")


# What the button that moves a visit to a status says: a verb, never the status.
ACTION_VERBS = {
    Appointment.Status.CONFIRMED: gettext_lazy("Confirm"),
    Appointment.Status.IN_ROOM: gettext_lazy("Room the patient"),
    Appointment.Status.COMPLETED: gettext_lazy("Complete the visit"),
    Appointment.Status.NO_SHOW: gettext_lazy("Mark as no-show"),
    Appointment.Status.SCHEDULED: gettext_lazy("Back to scheduled"),
}


class AppointmentMixin(RoleRequiredMixin):
    """Views under /appointments/<pk>/: ``self.appointment``; ``back()`` is the
    page to return to (a safe ``next``, else the appointment)."""

    def dispatch(self, request, *args, **kwargs):
        self.appointment = get_object_or_404(
            Appointment.objects.select_related(
                "patient", "provider", "appointment_type", "room", "location", "series"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        target = self.request.POST.get("next") or self.request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}
        ):
            return target
        return self.appointment.get_absolute_url()


class AppointmentDetailView(
    PatientAccessLogMixin, RoleRequiredMixin, PatientBannerMixin, DetailView
):
    permission_required = VIEW
    template_name = "scheduling/appointment_detail.html"
    access_what = "appointment"
    queryset = Appointment.objects.select_related(
        "patient",
        "provider",
        "appointment_type",
        "room",
        "location",
        "series",
        "booked_by",
        "confirmed_by",
        "arrived_by",
        "in_room_by",
        "completed_by",
        "cancelled_by",
        "no_show_by",
    )

    def get_banner_patient(self):
        return self.object.patient

    def get_context_data(self, **kwargs):
        a = self.object
        user = self.request.user
        now = timezone.now()
        actions = services.TRANSITIONS[a.status] - {Appointment.Status.CANCELLED}
        stamps = [
            (label, getattr(a, f"{stamp}_at"), getattr(a, f"{stamp}_by"))
            for label, stamp in [
                (_("Confirmed"), "confirmed"),
                (_("Arrived"), "arrived"),
                (_("In room"), "in_room"),
                (_("Completed"), "completed"),
                (_("Cancelled"), "cancelled"),
                (_("No-show"), "no_show"),
            ]
            if getattr(a, f"{stamp}_at")
        ]
        # Each status button with why it is closed now ("" when open); a closed
        # one is offered with a reason to those who may override the visit's time.
        quick_actions = [
            (
                s,
                ACTION_VERBS.get(s, Appointment.Status(s).label),
                visit_windows.closed_message(a, s, now),
            )
            for s in Appointment.Status.values
            if s in actions and s != Appointment.Status.ARRIVED
        ]
        undo_label = ""
        if visit_windows.can_undo(a, now):
            undo_label = services.UNDO_LABELS[a.status]
        can_cancel = Appointment.Status.CANCELLED in services.TRANSITIONS[a.status]
        # A finished visit says so instead of showing an empty list of actions.
        finished = not (
            quick_actions
            or Appointment.Status.ARRIVED in actions
            or can_cancel
            or undo_label
            or a.status == Appointment.Status.CANCELLED
            or a.status in Appointment.UPCOMING_STATUSES
        )
        return super().get_context_data(
            finished=finished,
            quick_actions=quick_actions,
            can_check_in=Appointment.Status.ARRIVED in actions,
            check_in_closed=visit_windows.closed_message(
                a, Appointment.Status.ARRIVED, now
            ),
            can_override=user.has_perm(visit_windows.OVERRIDE_PERMISSION),
            undo_label=undo_label,
            can_cancel=can_cancel,
            can_move=a.status in Appointment.UPCOMING_STATUSES,
            can_change=user.has_perm(CHANGE),
            stamps=stamps,
            notes=visit_hooks.visit_notes(a),
            **kwargs,
        )


class _AppointmentPage(PatientAccessLogMixin, AppointmentMixin, PatientBannerMixin):
    """A form page about one visit: logged as a look at it, with its patient's
    banner."""

    def get_access_object(self):
        return self.appointment

    def get_banner_patient(self):
        return self.appointment.patient

    def get_context_data(self, **kwargs):
        return super().get_context_data(appointment=self.appointment, **kwargs)

    def get_service_kwargs(self) -> dict:
        return {"appointment": self.appointment}


class AppointmentActionView(AppointmentMixin, PostActionView):
    """A quick status change (confirm, room, complete, no-show, check-in without
    copay) from the day view or the today list; htmx swaps the appointment's chip
    (with the refusal, if any) instead of redirecting."""

    permission_required = CHANGE
    error = None

    def perform(self):
        action = services.QUICK_ACTIONS.get(self.request.POST.get("action", ""))
        if action is None:
            raise ValidationError(UNKNOWN_ACTION)
        return action(
            appointment=self.appointment,
            actor=self.request.user,
            reason=self.request.POST.get("reason", "")[:200],
        )

    def refused(self, error) -> None:
        if self.request.htmx:
            self.error = " ".join(refusal_messages(error))
        else:
            super().refused(error)

    def get_success_message(self, appointment) -> str:
        if self.request.htmx:
            return ""
        return _("%(patient)s: %(status)s") % {
            "patient": appointment.patient.family_name,
            "status": appointment.get_status_display(),
        }

    def get_redirect_url(self, result=None) -> str:
        return self.back()

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if not request.htmx:
            return response
        appointment = Appointment.objects.select_related(
            "patient", "provider", "appointment_type", "room", "location"
        ).get(pk=self.appointment.pk)
        return render(
            request,
            "scheduling/partials/_appointment_chip.html",
            {
                "a": appointment,
                "can_change": True,
                "error": self.error,
                "next": self.back(),
            },
        )


@method_decorator(never_cache, name="dispatch")
class CheckInView(_AppointmentPage, ServiceFormMixin, FormView):
    """Check-in shows the visit's time, the eligibility warning and the copay due;
    records the copay."""

    permission_required = CHANGE
    template_name = "scheduling/check_in.html"
    form_class = CheckInForm
    access_what = "check-in"

    def get_form_kwargs(self):
        closed = visit_windows.closed_message(
            self.appointment, Appointment.Status.ARRIVED, timezone.now()
        )
        can_override = self.request.user.has_perm(visit_windows.OVERRIDE_PERMISSION)
        return {
            **super().get_form_kwargs(),
            "needs_reason": bool(closed and can_override),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            info=eligibility.check_in_info(appointment=self.appointment),
            closed=visit_windows.closed_message(
                self.appointment, Appointment.Status.ARRIVED, timezone.now()
            ),
            **kwargs,
        )

    def perform(self, form):
        return services.appointment_check_in(
            appointment=self.appointment,
            actor=self.request.user,
            copay_collected=form.cleaned_data.get("copay_collected"),
            reason=form.cleaned_data.get("reason", ""),
        )

    def get_success_message(self, appointment) -> str:
        return _("%(patient)s is checked in.") % {"patient": appointment.patient}

    def get_result_url(self, appointment) -> str:
        return self.back()


@method_decorator(never_cache, name="dispatch")
class UndoView(_AppointmentPage, ServiceFormMixin, FormView):
    """Undo today's check-in, no-show or completion of a visit, with a reason."""

    permission_required = CHANGE
    template_name = "scheduling/undo.html"
    form_class = UndoForm
    access_what = "undo"
    service = staticmethod(services.appointment_undo)

    def get_context_data(self, **kwargs):
        a = self.appointment
        return super().get_context_data(
            undo_label=services.UNDO_LABELS.get(a.status, ""),
            deadline=visit_windows.undo_deadline(a),
            can_undo=visit_windows.can_undo(a, timezone.now()),
            **kwargs,
        )

    def get_success_message(self, appointment) -> str:
        return _("Undone: the visit is %(status)s again.") % {
            "status": appointment.get_status_display().lower()
        }


class CancelView(_AppointmentPage, ServiceFormMixin, FormView):
    permission_required = CHANGE
    template_name = "scheduling/cancel.html"
    form_class = CancelForm
    access_what = "cancel form"
    success_message = _("Cancelled. Offer the time to someone waiting.")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "in_series": self.appointment.series_id is not None,
        }

    def perform(self, form):
        reason = form.cleaned_data["reason"]
        if form.cleaned_data.get("scope") == "following":
            return services.series_cancel_following(
                appointment=self.appointment, reason=reason, actor=self.request.user
            )
        return services.appointment_cancel(
            appointment=self.appointment, reason=reason, actor=self.request.user
        )

    def get_result_url(self, result) -> str:
        return reverse("scheduling:appointment-candidates", args=[self.appointment.pk])


class MoveView(_AppointmentPage, ServiceFormMixin, FormView):
    """Move a visit (or it and the following ones of its series) to another time."""

    permission_required = CHANGE
    form_class = MoveForm
    access_what = "move form"

    def get_template_names(self):
        if self.request.htmx:
            return ["scheduling/partials/_move_form.html"]
        return ["scheduling/move.html"]

    def get_initial(self):
        local = timezone.localtime(self.appointment.start)
        return {
            "date": local.date(),
            "time": local.time(),
            "provider": self.appointment.provider,
        }

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "in_series": self.appointment.series_id is not None,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.back(), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        self.start = datetime.combine(
            data["date"], data["time"], tzinfo=timezone.get_default_timezone()
        )
        try:
            if data.get("scope") == "following":
                return services.series_reschedule_following(
                    appointment=self.appointment,
                    start=self.start,
                    actor=self.request.user,
                )
            return services.appointment_reschedule(
                appointment=self.appointment,
                start=self.start,
                provider=data["provider"],
                actor=self.request.user,
            )
        except SlotTaken as error:
            # The refusal names the next free times (the edge shows it on the form).
            raise SlotTaken(_free_times(error), error.alternatives) from error

    def get_success_message(self, result) -> str:
        return _("Moved to %(when)s.") % {"when": self.start.strftime("%a %d %b %H:%M")}

    def get_result_url(self, result) -> str:
        return self.back()

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.htmx and response.status_code == 302:
            # A 302 would be followed inside the XHR; tell htmx to go there instead.
            return HttpResponse(headers={"HX-Redirect": response.url})
        return response


def _free_times(error: SlotTaken) -> str:
    times = [
        timezone.localtime(s.start).strftime("%a %d %b %H:%M")
        for s in error.alternatives
    ]
    if not times:
        return str(error.message)
    return f"{error.message} " + _("Free: %(times)s") % {"times": ", ".join(times)}
