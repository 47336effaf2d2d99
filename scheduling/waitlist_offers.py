"""Waitlist offers by text: a freed slot goes to the first waitlisted patient who
answers YES; later YES answers hear that it has been taken and stay on the list.

The offers are rows of alerts' outbox (``alerts.WaitlistOffer``, each with its
text); the rule (who is offered, what a YES books) is scheduling's. The outbox's
"offer by text" button reaches ``freed_slot_offer`` through ``alerts.hooks``.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts import hooks
from alerts.models import WaitlistOffer
from alerts.services import notification_create
from scheduling.exceptions import SchedulingError
from scheduling.models import Appointment, WaitlistEntry
from scheduling.selectors import waitlist_candidates
from scheduling.services import appointment_book, waitlist_mark

OFFER_TEXT = _(
    "Hi %(first_name)s, %(clinic)s has an earlier %(type)s on %(when)s with "
    "%(provider)s. Reply YES to take it; the first YES gets it."
)
REPLY_OFFER_ACCEPTED = _("It is yours: %(type)s on %(when)s with %(provider)s.")
REPLY_OFFER_TAKEN = _(
    "Sorry, that slot has been taken. You stay on the waitlist and we will text "
    "you when another one frees up."
)
# A YES later than this after the offer is not an answer to it.
ANSWER_WINDOW = timedelta(days=2)
ONLY_CANCELLED = gettext_lazy("Only a cancelled visit's time can be offered.")


class OfferRefused(SchedulingError):
    pass


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %H:%M")


def waitlist_offers_send(
    *, freed_appointment, entries, actor, clinic: str
) -> list[WaitlistOffer]:
    """Text the freed slot to each waitlisted patient given (once per patient and
    slot); their waitlist entries show "offered" until one of them answers."""
    made = []
    with transaction.atomic():
        for entry in entries:
            offer, created = WaitlistOffer.objects.get_or_create(
                freed_appointment=freed_appointment,
                entry=entry,
                defaults={"patient": entry.patient},
            )
            if not created:
                continue
            patient = entry.patient
            offer.notification = notification_create(
                patient=patient,
                channel="sms",
                body=OFFER_TEXT
                % {
                    "first_name": patient.preferred_name or patient.given_name,
                    "clinic": clinic,
                    "type": freed_appointment.appointment_type.name,
                    "when": _when(freed_appointment.start),
                    "provider": freed_appointment.provider.name,
                },
                scheduled_for=timezone.now(),
                actor=actor,
            )
            offer._change_reason = "offered by text"
            offer.save()
            waitlist_mark(
                entry=entry,
                status=WaitlistEntry.Status.OFFERED,
                actor=actor,
                appointment=freed_appointment,
            )
            made.append(offer)
    return made


def freed_slot_offer(
    *, appointment_id: int, count: int | None, actor, clinic: str
) -> list[WaitlistOffer]:
    """Only a cancelled visit's time is offered, to the best ``count`` waitlist
    candidates (``waitlist_candidates``). ``count`` is None when the page's form
    was not valid; an unknown visit is a 404."""
    freed = get_object_or_404(
        Appointment.objects.select_related("appointment_type", "provider"),
        pk=appointment_id,
    )
    if freed.status != Appointment.Status.CANCELLED or not count:
        raise OfferRefused(ONLY_CANCELLED)
    return waitlist_offers_send(
        freed_appointment=freed,
        entries=waitlist_candidates(appointment=freed, limit=count),
        actor=actor,
        clinic=clinic,
    )


def open_offer_for(*, patient, now: datetime) -> WaitlistOffer | None:
    """The patient's latest unanswered offer of a slot still ahead, if any."""
    return (
        WaitlistOffer.objects.filter(
            patient=patient,
            answered_at__isnull=True,
            created_at__gte=now - ANSWER_WINDOW,
            freed_appointment__start__gt=now,
        )
        .exclude(status=WaitlistOffer.Status.WITHDRAWN)
        .select_related("freed_appointment", "entry")
        .order_by("-created_at")
        .first()
    )


def waitlist_offer_answer_yes(*, offer: WaitlistOffer) -> tuple[bool, str]:
    """The first YES for a slot books it through scheduling; (won, reply text).

    Every offer of the slot is locked while one answer is handled, so two YES
    texts at the same moment are decided one after the other; a unique constraint
    (one accepted offer per slot) backs that up.
    """
    now = timezone.now()
    with transaction.atomic():
        offers = list(
            WaitlistOffer.objects.select_for_update()
            .filter(freed_appointment_id=offer.freed_appointment_id)
            .order_by("id")
        )
        mine = next(o for o in offers if o.pk == offer.pk)
        mine.answered_at = now
        freed = offer.freed_appointment
        booked = None
        if mine.status == WaitlistOffer.Status.OFFERED and not any(
            o.status == WaitlistOffer.Status.ACCEPTED for o in offers
        ):
            try:
                with transaction.atomic():
                    booked = appointment_book(
                        patient=mine.patient,
                        appointment_type=freed.appointment_type,
                        provider=freed.provider,
                        location=freed.location,
                        start=freed.start,
                        actor=None,
                        notes=_("Took a waitlist offer by text"),
                    )
            except SchedulingError:
                booked = None  # the desk booked the time meanwhile
        if booked is None:
            mine.status = WaitlistOffer.Status.TAKEN
            mine._change_reason = "answered YES: already taken"
            mine.save()
            waitlist_mark(
                entry=mine.entry, status=WaitlistEntry.Status.WAITING, actor=None
            )
            return False, str(REPLY_OFFER_TAKEN)
        mine.status = WaitlistOffer.Status.ACCEPTED
        mine.booked_appointment = booked
        mine._change_reason = "answered YES first: booked"
        mine.save()
        waitlist_mark(
            entry=mine.entry,
            status=WaitlistEntry.Status.BOOKED,
            actor=None,
            appointment=booked,
        )
        for other in offers:
            if other.pk != mine.pk and other.status == WaitlistOffer.Status.OFFERED:
                other.status = WaitlistOffer.Status.TAKEN
                other._change_reason = "another patient took the slot"
                other.save()
                waitlist_mark(
                    entry=other.entry, status=WaitlistEntry.Status.WAITING, actor=None
                )
    return True, str(
        REPLY_OFFER_ACCEPTED
        % {
            "type": freed.appointment_type.name,
            "when": _when(freed.start),
            "provider": freed.provider.name,
        }
    )


def register() -> None:
    hooks.freed_slot_offer.register(freed_slot_offer)
