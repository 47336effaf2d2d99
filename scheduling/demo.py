"""Demo scheduling data (``manage.py seed_demo``): providers, rooms, visit types,
weekly templates, and ``--days`` days of visits around today (reaching at least
one working day back and one ahead) with realistic statuses. Deterministic for a
given ``--seed``; a second run adds nothing."""

from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic.clock import at_local
from registration.models import Patient
from scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityRule,
    Location,
    Provider,
    Room,
    WaitlistEntry,
)
from scheduling.validators import npi_with_check_digit

S = Appointment.Status

PROVIDERS = [
    # name, credentials, specialty, taxonomy, location, staff user
    ("Cal Ordway", "MD", "Family medicine", "207Q00000X", "main", "clinician"),
    ("Priya Raman", "MD", "Internal medicine", "207R00000X", "main", None),
    ("Tomas Lindqvist", "DO", "Family medicine", "207Q00000X", "main", None),
    ("Grace Okafor", "NP", "Nurse practitioner", "363L00000X", "main", None),
    ("Helen Brandt", "RN", "Infusion nursing", "163W00000X", "infusion", None),
    ("Marco Diaz", "RN", "Infusion nursing", "163W00000X", "infusion", None),
    ("Lena Fischer", "MLT", "Phlebotomy", "246Q00000X", "lab", None),
]
ROOMS = [
    *((f"Exam {i}", Room.Kind.EXAM, "main") for i in range(1, 6)),
    ("Procedure 1", Room.Kind.PROCEDURE, "main"),
    ("Ultrasound", Room.Kind.ULTRASOUND, "main"),
    *((f"Chair {i}", Room.Kind.INFUSION_CHAIR, "infusion") for i in range(1, 5)),
    ("Draw 1", Room.Kind.LAB_DRAW, "lab"),
]
TYPES = [
    # name, minutes, colour, room kind, billing code, specialties allowed
    ("New patient", 40, "blue", Room.Kind.EXAM, "99204", "main"),
    ("Follow-up", 20, "green", Room.Kind.EXAM, "99213", "main"),
    ("Annual physical", 30, "purple", Room.Kind.EXAM, "99396", "main"),
    ("Minor procedure", 60, "orange", Room.Kind.PROCEDURE, "11102", "main"),
    ("Infusion", 120, "teal", Room.Kind.INFUSION_CHAIR, "96365", "infusion"),
    ("Lab draw", 15, "grey", Room.Kind.LAB_DRAW, "36415", "lab"),
]
SESSIONS = {
    "main": [(time(8), time(12)), (time(13), time(17))],
    "infusion": [(time(8), time(16))],
    "lab": [(time(7, 30), time(11, 30))],
}


def _resources():
    locations = {loc.code: loc for loc in Location.objects.all()}
    User = get_user_model()
    providers = []
    for number, (name, cred, specialty, taxonomy, loc, username) in enumerate(
        PROVIDERS, start=1
    ):
        provider, created = Provider.objects.get_or_create(
            npi=npi_with_check_digit(f"19{number:07d}"),
            defaults={
                "name": name,
                "credentials": cred,
                "specialty": specialty,
                "taxonomy_code": taxonomy,
                "user": User.objects.filter(username=username).first()
                if username
                else None,
                "feed_token": Provider.new_feed_token() if number == 1 else "",
            },
        )
        provider.home = loc
        providers.append(provider)
        if created:
            for weekday in range(5):
                for start, end in SESSIONS[loc]:
                    AvailabilityRule.objects.create(
                        provider=provider,
                        location=locations[loc],
                        weekday=weekday,
                        start_time=start,
                        end_time=end,
                    )
    for name, kind, loc in ROOMS:
        Room.objects.get_or_create(
            location=locations[loc], name=name, defaults={"kind": kind}
        )
    types = []
    for name, minutes, colour, room_kind, code, loc in TYPES:
        visit_type, created = AppointmentType.objects.get_or_create(
            name=name,
            defaults={
                "duration_minutes": minutes,
                "colour": colour,
                "room_kind": room_kind,
                "billing_code": code,
            },
        )
        if created:
            visit_type.providers.set([p for p in providers if p.home == loc])
        visit_type.home = loc
        types.append(visit_type)
    return locations, providers, types


def seed_scheduling(*, faker, rng, options, stdout) -> None:
    locations, providers, types = _resources()
    if Appointment.objects.exists():
        return
    patients = list(Patient.objects.order_by("pk"))
    if not patients:
        return
    rooms = {}
    for room in Room.objects.order_by("name"):
        rooms.setdefault((room.location_id, room.kind), []).append(room)
    now = timezone.now()
    today = timezone.localdate()
    days = max(1, options.get("days") or 14)
    # At least one working day on each side of today, so a demo seeded on a weekend
    # or before the first visit of a Monday still has past visits (and future ones).
    first = min(today - timedelta(days=days // 2), _working_day(today, -1))
    last = max(today + timedelta(days=days - days // 2), _working_day(today, +1))
    clerk = get_user_model().objects.filter(username="frontdesk").first()
    patient_busy: dict[int, list] = {}
    room_busy: dict[int, list] = {}
    rows = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for provider in providers:
            location = locations[provider.home]
            kinds = [t for t in types if t.home == provider.home]
            for session_start, session_end in SESSIONS[provider.home]:
                cursor = at_local(day, session_start)
                end_of_session = at_local(day, session_end)
                while True:
                    visit_type = rng.choice(kinds)
                    length = timedelta(minutes=visit_type.duration_minutes)
                    if cursor + length > end_of_session:
                        break
                    if rng.random() < 0.3:  # an open slot
                        cursor += timedelta(minutes=15)
                        continue
                    start, end = cursor, cursor + length
                    cursor = end
                    room = next(
                        (
                            r
                            for r in rooms.get((location.pk, visit_type.room_kind), [])
                            if all(
                                e <= start or s >= end
                                for s, e in room_busy.get(r.pk, [])
                            )
                        ),
                        None,
                    )
                    patient = rng.choice(patients)
                    if room is None or any(
                        not (e <= start or s >= end)
                        for s, e in patient_busy.get(patient.pk, [])
                    ):
                        continue
                    room_busy.setdefault(room.pk, []).append((start, end))
                    patient_busy.setdefault(patient.pk, []).append((start, end))
                    rows.append(
                        _appointment(
                            rng,
                            now,
                            clerk,
                            patient,
                            provider,
                            location,
                            room,
                            visit_type,
                            start,
                            end,
                        )
                    )
    bulk_create_with_history(rows, Appointment, batch_size=500, default_user=clerk)
    for entry_patient in rng.sample(patients, min(5, len(patients))):
        visit_type = rng.choice(types[:3])
        WaitlistEntry.objects.create(
            patient=entry_patient,
            appointment_type=visit_type,
            provider=rng.choice([None, providers[0], providers[1]]),
            part_of_day=rng.choice(["", "morning", "afternoon"]),
            until=today + timedelta(days=30),
            note=rng.choice(["Any earlier time", "Mornings before work", ""]),
        )
    stdout.write(f"  scheduling: {len(rows)} appointments over {days} days")


def _working_day(day, step: int):
    """The first weekday after (step +1) or before (step -1) ``day``."""
    day += timedelta(days=step)
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def _appointment(
    rng, now, clerk, patient, provider, location, room, visit_type, start, end
):
    booked_at = start - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8))
    a = Appointment(
        patient=patient,
        provider=provider,
        location=location,
        room=room,
        appointment_type=visit_type,
        start=start,
        end=end,
        booked_by=clerk,
    )
    a.booked_at = min(booked_at, now)
    roll = rng.random()
    if end < now - timedelta(minutes=30):
        if roll < 0.08:
            a.status, a.no_show_at = S.NO_SHOW, start + timedelta(minutes=30)
        elif roll < 0.15:
            a.status, a.cancelled_at, a.cancelled_by = S.CANCELLED, a.booked_at, clerk
            a.cancel_reason = rng.choice(["Patient unwell", "Travelling", "Work"])
        else:
            a.status = S.COMPLETED
            a.arrived_at, a.arrived_by = (
                start - timedelta(minutes=rng.randint(2, 15)),
                clerk,
            )
            a.in_room_at = start + timedelta(minutes=rng.randint(0, 10))
            a.completed_at = end
    elif start < now:
        a.status = S.IN_ROOM if roll < 0.6 else S.ARRIVED
        a.arrived_at, a.arrived_by = (
            start - timedelta(minutes=rng.randint(2, 10)),
            clerk,
        )
        if a.status == S.IN_ROOM:
            a.in_room_at = start + timedelta(minutes=2)
    elif start < now + timedelta(hours=2) and roll < 0.3:
        a.status = S.ARRIVED
        a.arrived_at, a.arrived_by = now - timedelta(minutes=rng.randint(1, 25)), clerk
    else:
        a.status = S.CONFIRMED if roll < 0.4 else S.SCHEDULED
        if a.status == S.CONFIRMED:
            a.confirmed_at, a.confirmed_by = a.booked_at, clerk
        if start - now < timedelta(days=2):
            a.eligibility_status = "failed" if roll > 0.93 else "verified"
            a.eligibility_checked_at = now - timedelta(hours=rng.randint(1, 20))
    return a
