"""Finding a slot, booking it, and offering a freed one to the waitlist."""

from datetime import datetime

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from clinic.edges import ServiceFormMixin
from clinic.permissions import RoleRequiredMixin
from clinic.services import access_log_request
from scheduling import selectors, services
from scheduling.exceptions import SlotTaken
from scheduling.forms import BookForm, FindSlotForm
from scheduling.slots import find_slots
from scheduling.views.appointments import CHANGE, AppointmentMixin

BOOK = "scheduling.add_appointment"


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


class BookView(RoleRequiredMixin, ServiceFormMixin, FormView):
    """Confirm a chosen slot for a patient, then book it (or a weekly series); a
    page opened from a waitlist entry books it off the waitlist."""

    permission_required = BOOK
    template_name = "scheduling/book.html"
    form_class = BookForm
    alternatives = ()

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
        if self.alternatives:
            data = form.cleaned_data
            context["alternatives"] = _with_book_urls(
                self.alternatives, data["appointment_type"], data["patient"]
            )
        return context

    def perform(self, form):
        data = form.cleaned_data
        repeat = data.get("repeat_weeks") or 1
        common = {
            "patient": data["patient"],
            "appointment_type": data["appointment_type"],
            "provider": data["provider"],
            "location": data["location"],
            "actor": self.request.user,
            "notes": data.get("notes", ""),
            "waitlist_entry": selectors.waitlist_entry_for(
                pk=self.request.GET.get("waitlist"), patient=data["patient"]
            ),
        }
        try:
            if repeat > 1:
                series = services.series_book(
                    first_start=data["start"], count=repeat, **common
                )
                return series.appointments.order_by("series_index").first()
            return services.appointment_book(
                start=data["start"],
                override_reason=data.get("override_reason", ""),
                double_book=data.get("double_book", False),
                **common,
            )
        except SlotTaken as error:
            self.alternatives = error.alternatives  # offered beside the refusal
            raise

    def get_success_message(self, appointment) -> str:
        return _(
            "Booked for %(patient)s, born %(birth)s: %(when)s with %(provider)s."
        ) % {
            "patient": appointment.patient,
            "birth": f"{appointment.patient.birth_date:%Y-%m-%d}",
            "when": timezone.localtime(appointment.start).strftime("%a %d %b %H:%M"),
            "provider": appointment.provider,
        }


class CandidatesView(AppointmentMixin, View):
    """Who on the waitlist could take a cancelled visit's time, best first."""

    permission_required = CHANGE

    def get(self, request, pk):
        a = self.appointment
        candidates = selectors.waitlist_candidates(appointment=a)
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
        access_log_request(
            request, patient=a.patient, obj=a, what=f"waitlist candidates ({len(rows)})"
        )
        return response
