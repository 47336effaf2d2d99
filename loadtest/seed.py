"""The load test's clinic: ``seed_demo`` (100,000 patients and a month of visits by
default, kept as a pg_dump between runs by ``run.py``), then, before each run, a
morning that is happening now: visits around the current hour to check in, hourly
doses due on the Infusion Unit, and results waiting for review. The demo clinic's
own "now" is the time it was seeded; a load test needs work that is due today,
whatever the weekday.

Run as ``python -m loadtest.seed morning`` (the owner's connection)."""

import os
import sys
from datetime import timedelta
from decimal import Decimal

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402  (after django.setup)
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from alerts.exceptions import NumberStopped  # noqa: E402
from alerts.models import NumberConsent  # noqa: E402
from alerts.services import notification_create, number_consent_record  # noqa: E402
from billing.x12.reader_835 import ClaimRemit  # noqa: E402
from billing.x12.writer_835 import write_835  # noqa: E402
from diagnostics import services as lab  # noqa: E402
from diagnostics.hl7v2.importer import hl7_receive  # noqa: E402
from diagnostics.hl7v2.writer import oru_message  # noqa: E402
from diagnostics.models import Panel  # noqa: E402
from medications import services as mar  # noqa: E402
from medications.models import Medication, MedicationOrder  # noqa: E402
from registration.models import Patient  # noqa: E402
from scheduling.models import Appointment, AppointmentType, Location, Room  # noqa: E402

MORNING_PATIENTS = 600  # drawn from the end of the MRN range: not the demo's own
UNIT_ORDERS = 40
RESULTS = 150
REMINDERS = 120
HOURLY = {
    "dose": Decimal("1"), "dose_unit": "g", "route": "IV",
    "frequency": "interval", "interval_hours": 1,
}  # fmt: skip
PAYER_AND_PAYEE = {
    "payer_name": "Acme Health Plans", "payer_tax_id": "987654321",
    "payee_name": "ClinicOps Family Practice", "payee_npi": "1234567893",
}  # fmt: skip
BMP = {
    "GLU": "92", "BUN": "14", "CREA": "0.9", "NA": "139",
    "K": "4.2", "CL": "102", "CO2": "25", "CA": "9.4",
}  # fmt: skip


def _people(count: int, offset: int = 0) -> list[Patient]:
    newest = Patient.objects.order_by("-mrn")[offset : offset + count]
    return list(newest)


def visits_now(*, now, clerk) -> int:
    """Booked follow-ups every 20 minutes from an hour ago to two hours ahead, for
    every provider of the main clinic, one exam room each."""
    follow_up = AppointmentType.objects.get(name="Follow-up")
    providers = list(follow_up.providers.order_by("pk"))
    rooms = list(Room.objects.filter(kind=Room.Kind.EXAM).order_by("name"))
    first = now.replace(second=0, microsecond=0) - timedelta(minutes=60)
    first -= timedelta(minutes=first.minute % 20)
    people = iter(_people(MORNING_PATIENTS))
    rows = []
    for step in range(9):
        start = first + timedelta(minutes=20 * step)
        taken = Appointment.objects.filter(start__lt=start + timedelta(minutes=20))
        taken = taken.filter(end__gt=start)
        busy = {*taken.values_list("provider_id", flat=True)}
        busy_rooms = {*taken.values_list("room_id", flat=True)}
        free_rooms = iter(room for room in rooms if room.pk not in busy_rooms)
        for provider in providers:
            room = next(free_rooms, None)
            if provider.pk in busy or room is None:
                continue
            rows.append(
                Appointment(
                    patient=next(people),
                    provider=provider,
                    location=room.location,
                    room=room,
                    appointment_type=follow_up,
                    start=start,
                    end=start + timedelta(minutes=20),
                    booked_by=clerk,
                    booked_at=now - timedelta(days=3),
                )
            )
    bulk_create_with_history(rows, Appointment, default_user=clerk)
    return len(rows)


def doses_now(*, now, clinician) -> int:
    """Hourly Ceftriaxone on the Infusion Unit for the unit's load-test patients."""
    drug = Medication.objects.get(name__startswith="Ceftriaxone")
    unit = Location.objects.get(code="infusion")
    made = 0
    for patient in _people(UNIT_ORDERS, offset=MORNING_PATIENTS):
        if MedicationOrder.objects.filter(patient=patient, location=unit).exists():
            continue
        order = mar.order_create(
            **HOURLY,
            patient=patient,
            location=unit,
            medication=drug,
            start_at=now - timedelta(hours=2),
            indication="Cellulitis",
            actor=clinician,
            confirm_duplicate=True,
            allergy_override_reason="Reviewed: tolerated before",
        )
        made += mar.schedule_generate(order=order, now=now)
    return made


def results_now(*, now, clinician, nurse) -> int:
    """Basic metabolic panels resulted through the HL7 interface, one in ten with
    a critical potassium (acknowledge before sign-off)."""
    bmp = list(Panel.objects.filter(code="BMP"))
    offset = MORNING_PATIENTS + UNIT_ORDERS
    for index, patient in enumerate(_people(RESULTS, offset=offset)):
        order = lab.order_create(
            patient=patient,
            panels=bmp,
            reason_code="I10",
            actor=clinician,
            ordered_at=now - timedelta(hours=3),
        )
        lab.specimen_collect(
            order=order, specimen_types=lab.order_specimen_types(order), actor=nurse
        )
        lab.order_send_to_lab(order=order, actor=nurse)
        values = {**BMP, "K": "6.9"} if index % 10 == 0 else BMP
        hl7_receive(
            text=oru_message(
                order=order,
                results=[(code, value, "", "F") for code, value in values.items()],
                control_id=f"LOAD-{now:%H%M%S}-{index:04d}",
            ),
            source="load test lab interface",
        )
    return RESULTS


def reminders_due(*, now, seconds: int, count: int) -> int:
    """SMS reminders falling due one after another over the run (each text names
    its number, so the fake Twilio's log can be matched to the outbox)."""
    # Consent belongs to the number: the patients who agreed have it recorded on
    # theirs (a number that replied STOP stays stopped and is left out), so each
    # text goes out; the count is what was made.
    people = Patient.objects.filter(sms_consent=True).exclude(phone_mobile="")
    made = 0
    for patient in people.order_by("-mrn")[:count]:
        try:
            number_consent_record(
                number=patient.phone_mobile,
                allowed=True,
                source=NumberConsent.Source.FRONT_DESK,
                how="load test",
            )
        except NumberStopped:
            continue
        notification_create(
            patient=patient,
            channel="sms",
            body=f"Reminder {now:%H%M%S}-{made}: your visit is tomorrow.",
            scheduled_for=now + timedelta(seconds=seconds * made / count),
        )
        made += 1
    return made


def remittances(*, now, folder: str, count: int) -> int:
    """835 files for billing users to post: each pays a claim the clinic never
    sent (it lands on the exceptions list), under its own trace number."""
    os.makedirs(folder, exist_ok=True)
    for index in range(count):
        trace = f"LOAD{now:%d%H%M%S}{index:03d}"
        remit = ClaimRemit(
            patient_control_number=f"X{index:05d}",
            status_code="1",
            charge=Decimal("120.00"),
            paid=Decimal("96.00"),
            patient_responsibility=Decimal("24.00"),
            payer_claim_number=trace,
        )
        text = write_835(
            **PAYER_AND_PAYEE,
            trace_number=trace,
            payment_date=now.date(),
            claims=[remit],
            control_number=index + 1,
        )
        with open(os.path.join(folder, f"{trace}.835"), "w") as out:
            out.write(text)
    return count


def morning() -> None:
    users = get_user_model().objects
    now = timezone.now()
    with transaction.atomic():
        visits = visits_now(now=now, clerk=users.get(username="frontdesk"))
        clinician = users.get(username="clinician")
        doses = doses_now(now=now, clinician=clinician)
        results = results_now(
            now=now, clinician=clinician, nurse=users.get(username="nurse")
        )
        texts = reminders_due(
            now=now, seconds=int(os.environ["LOADTEST_RUN_SECONDS"]), count=REMINDERS
        )
    remits = remittances(now=now, folder=os.environ["LOADTEST_835_DIR"], count=40)
    print(
        f"morning: {visits} visits now, {doses} unit doses, {results} results, "
        f"{texts} reminders due during the run, {remits} 835 files"
    )


if __name__ == "__main__":
    {"morning": morning}[sys.argv[1]]()
