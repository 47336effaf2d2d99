"""Demo intakes: the "New-patient welcome" automation switched on, three new
patients with a first visit in the coming days booked through the booking
service (so each gets the welcome text with the intake link in the outbox); two
of them filled the form in and wait for the front desk's review."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from automations.engine.batches import event_process
from automations.models import Automation, Event, Trigger
from automations.services import automation_enable
from clinic.clock import today
from registration.exceptions import PossibleDuplicates
from registration.models import Payer
from registration.services import patient_register
from scheduling.models import AppointmentType
from scheduling.services import appointment_book
from scheduling.slots import find_slots
from selfservice.models import Intake
from selfservice.services import intake_submit

NEW_PATIENTS = [
    ("Lena", "Okafor", date(1990, 4, 2), "+16175550141", 3),
    ("Tomas", "Reyes", date(1985, 9, 17), "+16175550142", 4),
    ("Mia", "Chen", date(2001, 1, 23), "+16175550143", 5),
]
ANSWERS = {
    "Lena": {
        "demographics": {"preferred_name": "Lee", "city": "Cambridge"},
        "allergies": [{"substance": "Penicillin", "reaction": "hives"}],
        "medications": [
            {"name": "Levothyroxine", "dose": "50 mcg", "frequency": "every morning"}
        ],
        "sms_consent": True,
    },
    "Tomas": {
        "demographics": {"email": "tomas.reyes@example.org", "postal_code": "02139"},
        "no_known_allergies": True,
        "medications": [
            {"name": "Lisinopril", "dose": "10 mg", "frequency": "once a day"},
            {"name": "Ibuprofen", "dose": "200 mg", "frequency": "as needed"},
        ],
        "sms_consent": True,
    },
}


def _first_visit(patient, *, visit_type, days_ahead: int, clerk):
    slots = find_slots(
        appointment_type=visit_type,
        start_day=today() + timedelta(days=days_ahead),
        limit=1,
    )
    if not slots:
        return None
    slot = slots[0]
    return appointment_book(
        patient=patient,
        appointment_type=visit_type,
        provider=slot.provider,
        location=slot.location,
        room=slot.room,
        start=slot.start,
        actor=clerk,
    )


def _welcome_on() -> None:
    automation = Automation.objects.filter(starter="new-patient-welcome").first()
    if automation is not None and not automation.enabled:
        automation_enable(automation=automation, actor=automation.owner)


def _welcome(visit) -> None:
    """The booking's event runs at once (as a worker would): the welcome text
    with the intake link is in the outbox."""
    booked = Event.objects.filter(
        kind=Trigger.APPOINTMENT_BOOKED, subject_id=str(visit.pk)
    ).first()
    if booked is not None and booked.processed_at is None:
        event_process(event_id=booked.pk)


def seed_selfservice(*, faker, rng, options, stdout) -> None:
    if Intake.objects.exists():
        return
    clerk = get_user_model().objects.filter(username="frontdesk").first()
    visit_type = AppointmentType.objects.filter(name="New patient").first()
    payer = Payer.objects.filter(is_active=True).order_by("name").first()
    if clerk is None or visit_type is None:
        return
    _welcome_on()
    made = 0
    for given, family, born, mobile, days_ahead in NEW_PATIENTS:
        data = {
            "given_name": given,
            "family_name": family,
            "birth_date": born,
            "phone_mobile": mobile,
            "address_line1": "12 Elm Street",
            "city": "Somerville",
            "state": "MA",
            "postal_code": "02143",
            "sms_consent": True,
            "sms_consent_method": "verbal",
        }
        try:
            patient = patient_register(data=data, actor=clerk)
        except PossibleDuplicates:
            continue
        visit = _first_visit(
            patient, visit_type=visit_type, days_ahead=days_ahead, clerk=clerk
        )
        if visit is None:
            continue
        _welcome(visit)
        made += 1
        answers = ANSWERS.get(given)
        if answers is None:
            continue  # the third has not filled the form in yet
        if payer is not None:
            answers = answers | {
                "insurance": {
                    "payer": payer.pk,
                    "payer_name": payer.name,
                    "member_id": f"DEMO{born:%Y%m%d}",
                    "group_number": "",
                }
            }
        intake_submit(appointment=visit, proposed=answers, cards={})
    stdout.write(f"Self-service: {made} first visits with an intake link.")
