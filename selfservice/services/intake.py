"""An intake's life: the link goes with a new patient's first booking (the
"New-patient welcome" automation's text, ``{intake_link}``), the form is sent
once, then decided item by item by the front desk. Nothing the patient wrote
reaches the record except through the owning app's service, for the one item
accepted, with the accepting user as ``actor``."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from automations.events import publish
from automations.models import Event, Trigger
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
    ITEM_DECIDED,
    ITEM_UNKNOWN,
    SelfServiceError,
)
from selfservice.models import Intake
from selfservice.selectors import first_visits_without_intake

REPORTED = "reported by the patient on the intake form"


def intake_submit(*, appointment: Appointment, proposed: dict, cards: dict) -> Intake:
    """A new patient's answers, sent once before a first visit, are kept as a
    proposed change; the record is untouched. ``cards``: the insurance card
    photos ({"card_front": file, ...}), checked as the coverage's own are."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if Intake.objects.filter(patient_id=locked.patient_id).exists():
            raise SelfServiceError(str(INTAKE_ALREADY_RECEIVED))
        intake = Intake(patient=locked.patient, appointment=locked)
        intake.proposed = {
            **proposed,
            "demographics": items.changed_demographics(
                proposed.get("demographics", {}), patient=locked.patient
            ),
        }
        for name, upload in cards.items():
            if upload:
                setattr(intake, name, upload)
        intake.full_clean()
        intake._change_reason = "filled in by the patient"
        intake.save()
        publish(Trigger.INTAKE_RECEIVED, subject=locked)
    return intake


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
    """A first visit ``SELF_SERVICE_INTAKE_RESEND_HOURS`` away whose patient sent
    no intake is published once (``intake.missing``, its event key), for an
    automation to text the link again."""
    ahead = now + timedelta(hours=settings.SELF_SERVICE_INTAKE_RESEND_HOURS)
    visits = first_visits_without_intake(start_after=now, start_until=ahead)
    keys = {f"{Trigger.INTAKE_MISSING}:{visit.pk}": visit for visit in visits}
    done = set(Event.objects.filter(key__in=keys).values_list("key", flat=True))
    made = 0
    for key, visit in keys.items():
        if key not in done:
            # Two sweeps at once: the second loses on the unique key (None).
            event = publish(Trigger.INTAKE_MISSING, subject=visit, key=key)
            made += event is not None
    return made
