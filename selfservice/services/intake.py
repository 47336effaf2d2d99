"""An intake's life: requested with a new patient's first visit (a text through
the outbox, with the patient's consent checked when it is sent), filled in once
through the link, then decided item by item by the front desk. Nothing the
patient wrote reaches the record except through the owning app's service, for
the one item accepted, with the accepting user as ``actor``."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.services import notification_create
from automations.events import publish
from automations.models import Event, Trigger
from automations.texts import render, text_context
from medications.services import HomeDrug, home_medication_add
from registration.models import Patient, Payer
from registration.services import (
    allergy_add,
    allergy_mark_no_known,
    coverage_add,
    patient_update,
)
from scheduling.models import Appointment
from selfservice import intake_items as items
from selfservice.exceptions import (
    INTAKE_ALREADY_RECEIVED,
    INTAKE_NOT_RECEIVED,
    ITEM_DECIDED,
    ITEM_UNKNOWN,
    SelfServiceError,
)
from selfservice.models import Intake
from selfservice.selectors import is_first_visit

INTAKE_TEXT = (
    "Welcome to {clinic}, {first_name}! Before your visit on {date_time}, please "
    "fill in your intake form: {intake_link}"
)
REPORTED = "reported by the patient on the intake form"


def intake_request(*, appointment: Appointment, actor) -> Intake | None:
    """A new patient's first visit gets one intake and its link by text, in the
    booking's transaction (``scheduling.visit_hooks.BOOKED``)."""
    if not is_first_visit(appointment=appointment):
        return None
    intake = Intake(patient=appointment.patient, appointment=appointment)
    intake._change_reason = "sent with the first visit's booking"
    intake.save()
    context = text_context(
        patient=appointment.patient, visit=appointment, language="en"
    )
    notification_create(
        patient=appointment.patient,
        channel="sms",
        body=render(INTAKE_TEXT, context),
        scheduled_for=timezone.now(),
        appointment=appointment,
        language="en",
        actor=actor,
    )
    return intake


def intake_submit(*, intake: Intake, proposed: dict, cards: dict) -> Intake:
    """The patient's answers are kept as proposed, once; the record is untouched.
    ``cards``: the insurance card photos ({"card_front": file, ...}), checked as
    the coverage's own are."""
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status != Intake.Status.REQUESTED:
            raise SelfServiceError(str(INTAKE_ALREADY_RECEIVED))
        proposed = dict(proposed)
        proposed["demographics"] = items.changed_demographics(
            proposed.get("demographics", {}), patient=locked.patient
        )
        locked.proposed = proposed
        for name, upload in cards.items():
            if upload:
                setattr(locked, name, upload)
        locked.full_clean()
        locked.status = Intake.Status.RECEIVED
        locked.received_at = timezone.now()
        locked._change_reason = "filled in by the patient"
        locked.save()
        publish(Trigger.INTAKE_RECEIVED, subject=locked.appointment)
    return locked


def _accept(intake: Intake, key: str, patient: Patient, actor) -> None:
    """Write one item through the service that owns it."""
    proposed = intake.proposed
    reason = f"accepted from intake {intake.pk}"
    if key in items.DEMOGRAPHICS:
        value = proposed["demographics"][key]
        patient_update(patient=patient, data={key: value}, actor=actor, reason=reason)
    elif key == items.SMS_CONSENT:
        data = {"sms_consent": True, "sms_consent_method": Patient.ConsentMethod.PORTAL}
        patient_update(patient=patient, data=data, actor=actor, reason=reason)
    elif key == items.INSURANCE:
        insurance = proposed[items.INSURANCE]
        data = {
            "payer": Payer.objects.get(pk=insurance["payer"]),
            "member_id": insurance["member_id"],
            "group_number": insurance.get("group_number", ""),
            "card_front": intake.card_front.name,
            "card_back": intake.card_back.name,
        }
        coverage_add(patient=patient, data=data, actor=actor)
    elif key == items.NO_KNOWN_ALLERGIES:
        allergy_mark_no_known(patient=patient, actor=actor)
    elif key.startswith(items.ALLERGY):
        allergy = proposed["allergies"][int(key.removeprefix(items.ALLERGY))]
        allergy_add(patient=patient, data=allergy, actor=actor)
    else:
        drug = proposed["medications"][int(key.removeprefix(items.MEDICATION))]
        home_medication_add(
            patient=patient, drug=HomeDrug(typed_reason=REPORTED, **drug), actor=actor
        )


def intake_decide(*, intake: Intake, key: str, accept: bool, actor) -> Intake:
    """Each item is decided once, by a user: accepted, it is written through the
    owning app's service (its history names the user); declined, the record keeps
    what it had. The last decision closes the review."""
    with transaction.atomic():
        locked = (
            Intake.objects.select_for_update()
            .select_related("patient")
            .get(pk=intake.pk)
        )
        if locked.status == Intake.Status.REQUESTED:
            raise SelfServiceError(str(INTAKE_NOT_RECEIVED))
        keys = [item.key for item in items.items_of(locked.proposed)]
        if key not in keys:
            raise SelfServiceError(str(ITEM_UNKNOWN))
        if key in locked.decisions:
            raise SelfServiceError(str(ITEM_DECIDED))
        D = Intake.Decision
        if accept:
            patient = Patient.objects.select_for_update().get(pk=locked.patient_id)
            _accept(locked, key, patient, actor)
        locked.decisions = {
            **locked.decisions,
            key: D.ACCEPTED if accept else D.DECLINED,
        }
        if set(keys) <= set(locked.decisions):
            locked.status = Intake.Status.REVIEWED
            locked.reviewed_at = timezone.now()
            locked.reviewed_by = actor
        locked._change_reason = f"{key} {locked.decisions[key]}"[:100]
        locked.save()
    return locked


def intakes_missing_publish(*, now: datetime) -> int:
    """An intake not filled in ``SELF_SERVICE_INTAKE_RESEND_HOURS`` before its
    visit is published once per visit (``intake.missing``: its event key), for an
    automation to text the link again."""
    ahead = now + timedelta(hours=settings.SELF_SERVICE_INTAKE_RESEND_HOURS)
    waiting = Intake.objects.filter(
        status=Intake.Status.REQUESTED,
        appointment__status__in=Appointment.UPCOMING_STATUSES,
        appointment__start__gt=now,
        appointment__start__lte=ahead,
    ).select_related("appointment__patient")
    keys = {
        f"{Trigger.INTAKE_MISSING}:{intake.appointment_id}": intake
        for intake in waiting
    }
    done = set(Event.objects.filter(key__in=keys).values_list("key", flat=True))
    made = 0
    for key, intake in keys.items():
        if key not in done:
            # Two sweeps at once: the second loses on the unique key (None).
            made += (
                publish(Trigger.INTAKE_MISSING, subject=intake.appointment, key=key)
                is not None
            )
    return made
