"""Finding a slot, booking, and everything done to one appointment."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView

from clinic.exceptions import ApplicationError
from clinic.mixins import PatientAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_record
from registration.banner import PatientBannerMixin
from scheduling import eligibility, services, visit_windows
from scheduling.exceptions import SlotTaken
from scheduling.forms import (
    BookForm,
    CancelForm,
    CheckInForm,
    FindSlotForm,
    MoveForm,
    UndoForm,
)
from scheduling.models import Appointment, WaitlistEntry
from scheduling.series import (
    series_book,
    series_cancel_following,
    series_reschedule_following,
)
from scheduling.slots import find_slots
from scheduling.undo import UNDO_LABELS, appointment_undo
from scheduling.waitlist import waitlist_candidates, waitlist_mark

BOOK = "scheduling.add_appointment"
CHANGE = "scheduling.change_appointment"
VIEW = "scheduling.view_appointment"


def book_url(*, slot, appointment_type, patient=None) -> str:
    params = {
        "appointment_type": appointment_type.pk,
        "provider": slot.provider.pk,
        "location": slot.location.pk,
        "start": timezone.localtime(slot.start).strftime("%Y-%m-%d %H:%M"),
    }
    if patient is not None:
        params["patient"] = patient.mrn
    return f"{reverse('scheduling:book')}?{urlencode(params)}"


def _with_book_urls(slots, appointment_type, patient):
    return [
        (slot, book_url(slot=slot, appointment_type=appointment_type, patient=patient))
        for slot in slots
    ]


class FindSlotView(RoleRequiredMixin, FormView):
    """Next free times for a visit type, optionally one provider, place, time of day."""

    permission_required = BOOK
    template_name = "scheduling/find_slot.html"
    form_class = FindSlotForm

    def get_form_kwargs(self):
        kwargs = {"initial": self.get_initial(), "prefix": None}
        if "appointment_type" in self.request.GET:
            kwargs["data"] = self.request.GET
        elif "patient" in self.request.GET:
            kwargs["initial"] = {"patient": self.request.GET["patient"]}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            slots = find_slots(
                appointment_type=data["appointment_type"],
                provider=data.get("provider"),
                location=data.get("location"),
                start_day=data.get("start_day"),
                part_of_day=data.get("part_of_day") or "",
            )
            context["slots"] = _with_book_urls(
                slots, data["appointment_type"], data.get("patient")
            )
            context["searched"] = True
        return context


class BookView(RoleRequiredMixin, FormView):
    """Confirm a chosen slot for a patient, then book it (or a weekly series)."""

    permission_required = BOOK
    template_name = "scheduling/book.html"
    form_class = BookForm

    def get_initial(self):
        return self.request.GET.dict()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["can_double_book"] = self.request.user.has_perm(
            services.DOUBLE_BOOK_PERMISSION
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        summary = {}
        for name in ("appointment_type", "provider", "location"):
            field = form.fields[name]
            value = form[name].value()
            try:
                summary[name] = (
                    field.queryset.filter(pk=value).first() if value else None
                )
            except (ValueError, TypeError):
                summary[name] = None
        start = form["start"].value()
        if isinstance(start, str):
            try:
                start = datetime.fromisoformat(start)
            except ValueError:
                start = None
        context.update(summary=summary, start=start)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        repeat = data.get("repeat_weeks") or 1
        common = {
            "patient": data["patient"],
            "appointment_type": data["appointment_type"],
            "provider": data["provider"],
            "location": data["location"],
            "actor": self.request.user,
            "notes": data.get("notes", ""),
        }
        try:
            if repeat > 1:
                series = series_book(first_start=data["start"], count=repeat, **common)
                appointment = series.appointments.order_by("series_index").first()
            else:
                appointment = services.appointment_book(
                    start=data["start"],
                    override_reason=data.get("override_reason", ""),
                    double_book=data.get("double_book", False),
                    **common,
                )
        except SlotTaken as error:
            form.add_error(None, error.message)
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    alternatives=_with_book_urls(
                        error.alternatives, data["appointment_type"], data["patient"]
                    ),
                )
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        entry = WaitlistEntry.objects.filter(
            pk=self.request.GET.get("waitlist") or 0, patient=appointment.patient
        ).first()
        if entry is not None:
            waitlist_mark(
                entry=entry,
                status=WaitlistEntry.Status.BOOKED,
                actor=self.request.user,
                appointment=appointment,
            )
        messages.success(
            self.request,
            _("Booked for %(patient)s, born %(birth)s: %(when)s with %(provider)s.")
            % {
                "patient": appointment.patient,
                "birth": f"{appointment.patient.birth_date:%Y-%m-%d}",
                "when": timezone.localtime(appointment.start).strftime(
                    "%a %d %b %H:%M"
                ),
                "provider": appointment.provider,
            },
        )
        return redirect(appointment)


class _AppointmentMixin(RoleRequiredMixin):
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
            (s, Appointment.Status(s).label, visit_windows.closed_message(a, s, now))
            for s in Appointment.Status.values
            if s in actions and s != Appointment.Status.ARRIVED
        ]
        return super().get_context_data(
            quick_actions=quick_actions,
            can_check_in=Appointment.Status.ARRIVED in actions,
            check_in_closed=visit_windows.closed_message(
                a, Appointment.Status.ARRIVED, now
            ),
            can_override=user.has_perm(visit_windows.OVERRIDE_PERMISSION),
            undo_label=UNDO_LABELS[a.status] if visit_windows.can_undo(a, now) else "",
            can_cancel=Appointment.Status.CANCELLED in services.TRANSITIONS[a.status],
            can_move=a.status in Appointment.UPCOMING_STATUSES,
            can_change=user.has_perm(CHANGE),
            stamps=stamps,
            **kwargs,
        )


class _BannerPage(PatientBannerMixin):
    """A page about one visit carries its patient's banner."""

    def get_banner_patient(self):
        return self.appointment.patient


class AppointmentActionView(_AppointmentMixin, View):
    """A quick status change (confirm, room, complete, no-show, check-in without
    copay) from the day view or the today list; htmx swaps the appointment's chip."""

    permission_required = CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        action = services.QUICK_ACTIONS.get(request.POST.get("action", ""))
        error = None
        if action is None:
            error = _("Unknown action.")
        else:
            try:
                self.appointment = action(
                    appointment=self.appointment,
                    actor=request.user,
                    reason=request.POST.get("reason", "")[:200],
                )
            except ApplicationError as exc:
                error = exc.message
            except ValidationError as exc:
                error = " ".join(exc.messages)
        if request.htmx:
            appointment = Appointment.objects.select_related(
                "patient", "provider", "appointment_type", "room", "location"
            ).get(pk=pk)
            return render(
                request,
                "scheduling/partials/_appointment_chip.html",
                {
                    "a": appointment,
                    "can_change": True,
                    "error": error,
                    "next": self.back(),
                },
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(patient)s: %(status)s")
                % {
                    "patient": self.appointment.patient.family_name,
                    "status": self.appointment.get_status_display(),
                },
            )
        return redirect(self.back())


@method_decorator(never_cache, name="dispatch")
class CheckInView(PatientAccessLogMixin, _AppointmentMixin, _BannerPage, FormView):
    """Check-in shows the eligibility warning and copay due; records the copay."""

    permission_required = CHANGE
    template_name = "scheduling/check_in.html"
    form_class = CheckInForm
    access_what = "check-in"

    def get_access_object(self):
        return self.appointment

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
            appointment=self.appointment,
            info=eligibility.check_in_info(appointment=self.appointment),
            closed=visit_windows.closed_message(
                self.appointment, Appointment.Status.ARRIVED, timezone.now()
            ),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.appointment_check_in(
                appointment=self.appointment,
                actor=self.request.user,
                copay_collected=form.cleaned_data.get("copay_collected"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.appointment)
        messages.success(
            self.request,
            _("%(patient)s is checked in.") % {"patient": self.appointment.patient},
        )
        return redirect(self.back())


@method_decorator(never_cache, name="dispatch")
class UndoView(PatientAccessLogMixin, _AppointmentMixin, _BannerPage, FormView):
    """Undo today's check-in, no-show or completion of a visit, with a reason."""

    permission_required = CHANGE
    template_name = "scheduling/undo.html"
    form_class = UndoForm
    access_what = "undo"

    def get_access_object(self):
        return self.appointment

    def get_context_data(self, **kwargs):
        a = self.appointment
        return super().get_context_data(
            appointment=a,
            undo_label=UNDO_LABELS.get(a.status, ""),
            deadline=visit_windows.undo_deadline(a),
            can_undo=visit_windows.can_undo(a, timezone.now()),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            appointment = appointment_undo(
                appointment=self.appointment,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
            return self.form_invalid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Undone: the visit is %(status)s again.")
            % {"status": appointment.get_status_display().lower()},
        )
        return redirect(appointment)


class CancelView(PatientAccessLogMixin, _AppointmentMixin, _BannerPage, FormView):
    permission_required = CHANGE
    template_name = "scheduling/cancel.html"
    form_class = CancelForm
    access_what = "cancel form"

    def get_access_object(self):
        return self.appointment

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "in_series": self.appointment.series_id is not None,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(appointment=self.appointment, **kwargs)

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        try:
            if form.cleaned_data.get("scope") == "following":
                series_cancel_following(
                    appointment=self.appointment, reason=reason, actor=self.request.user
                )
            else:
                services.appointment_cancel(
                    appointment=self.appointment, reason=reason, actor=self.request.user
                )
        except ValidationError as error:
            form.add_error("reason", error.messages)
            return self.form_invalid(form)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.appointment)
        messages.success(
            self.request, _("Cancelled. Offer the time to someone waiting.")
        )
        return redirect("scheduling:appointment-candidates", pk=self.appointment.pk)


class MoveView(PatientAccessLogMixin, _AppointmentMixin, _BannerPage, FormView):
    """Move a visit (or it and the following ones of its series) to another time."""

    permission_required = CHANGE
    form_class = MoveForm
    access_what = "move form"

    def get_access_object(self):
        return self.appointment

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
        return super().get_context_data(
            appointment=self.appointment, next=self.back(), **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        start = datetime.combine(
            data["date"], data["time"], tzinfo=timezone.get_default_timezone()
        )
        try:
            if data.get("scope") == "following":
                series_reschedule_following(
                    appointment=self.appointment, start=start, actor=self.request.user
                )
            else:
                services.appointment_reschedule(
                    appointment=self.appointment,
                    start=start,
                    provider=data["provider"],
                    actor=self.request.user,
                )
        except SlotTaken as error:
            form.add_error(None, error.message)
            alternatives = [
                timezone.localtime(s.start).strftime("%a %d %b %H:%M")
                for s in error.alternatives
            ]
            if alternatives:
                form.add_error(
                    None, _("Free: %(times)s") % {"times": ", ".join(alternatives)}
                )
            return self.form_invalid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Moved to %(when)s.") % {"when": start.strftime("%a %d %b %H:%M")},
        )
        if self.request.htmx:
            # A 302 would be followed inside the XHR; tell htmx to go there instead.
            return HttpResponse(headers={"HX-Redirect": self.back()})
        return redirect(self.back())


class CandidatesView(_AppointmentMixin, View):
    """Who on the waitlist could take a cancelled visit's time, best first."""

    permission_required = CHANGE

    def get(self, request, pk):
        a = self.appointment
        candidates = waitlist_candidates(appointment=a)
        slot_params = {
            "appointment_type": a.appointment_type_id,
            "provider": a.provider_id,
            "location": a.location_id,
            "start": timezone.localtime(a.start).strftime("%Y-%m-%d %H:%M"),
        }
        rows = [
            (
                entry,
                reverse("scheduling:book")
                + "?"
                + urlencode(
                    {**slot_params, "patient": entry.patient.mrn, "waitlist": entry.pk}
                ),
            )
            for entry in candidates
        ]
        response = render(
            request,
            "scheduling/candidates.html",
            {"appointment": a, "candidates": rows},
        )
        # Names the cancelled visit's patient; the candidates are other patients.
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW,
            patient=a.patient,
            obj=a,
            what=f"waitlist candidates ({len(rows)})",
            request=request,
        )
        return response
