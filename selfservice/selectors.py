"""Reads of the self-service pages: the free times a link offers, whether a
booking is a first visit, the front desk's intake list and one intake's items."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from clinic.clock import today
from clinic.word_search import each_word
from medications.selectors import home_medications
from registration.models import Allergy
from registration.selectors import coverage_primary, patient_mrn_q
from scheduling.models import Appointment
from scheduling.slots import find_slots
from selfservice import intake_items
from selfservice.models import Intake

LINK_SLOTS = 12
SEEN = [
    Appointment.Status.ARRIVED,
    Appointment.Status.IN_ROOM,
    Appointment.Status.COMPLETED,
]


def link_slots(*, appointment: Appointment) -> list:
    """The next free times for this visit: its type, provider and place (not
    the time it already has)."""
    found = find_slots(
        appointment_type=appointment.appointment_type,
        provider=appointment.provider,
        location=appointment.location,
        limit=LINK_SLOTS + 1,
        ignore_appointment_id=appointment.pk,
    )
    return [slot for slot in found if slot.start != appointment.start][:LINK_SLOTS]


def _never_seen(patient_path: str = "patient"):
    seen = Appointment.objects.filter(status__in=SEEN).values("patient_id")
    return ~Q(**{f"{patient_path}__in": seen})


def intake_wanted(*, appointment: Appointment) -> bool:
    """The intake form is for a patient never seen who has sent none yet."""
    never_seen = Appointment.objects.filter(
        _never_seen("patient_id"), pk=appointment.pk
    )
    return (
        never_seen.exists()
        and not Intake.objects.filter(patient_id=appointment.patient_id).exists()
    )


def first_visits_without_intake(*, start_after, start_until) -> QuerySet:
    """Visits still expected in the window whose patient was never seen and sent
    no intake."""
    return Appointment.objects.filter(
        _never_seen("patient_id"),
        status__in=Appointment.UPCOMING_STATUSES,
        start__gt=start_after,
        start__lte=start_until,
        patient__intakes__isnull=True,
    ).select_related("patient")


def intake_list(*, query: str = "", status: str = "") -> QuerySet:
    """Intakes for the front desk, those waiting for review first by default."""
    rows = Intake.objects.select_related(
        "patient", "appointment__appointment_type", "appointment__provider"
    ).filter(status=status or Intake.Status.RECEIVED)
    rows = each_word(
        rows,
        query,
        "patient__family_name__icontains",
        "patient__given_name__icontains",
        lambda word: patient_mrn_q(mrn=word, path="patient__mrn"),
    )
    return rows.order_by("appointment__start", "pk")


@dataclass(frozen=True)
class ReviewRow:
    key: str
    label: str
    current: str
    proposed: str
    decision: str


def intake_review_rows(*, intake: Intake) -> list[ReviewRow]:
    """Each item of the intake: what the record says now, what the patient wrote,
    and the decision taken (empty while open)."""
    patient = intake.patient
    allergies = Allergy.objects.filter(patient=patient, status=Allergy.Status.ACTIVE)
    context = {
        "coverage": coverage_primary(patient=patient, on=today()),
        "allergies": [a.substance for a in allergies.order_by("substance")],
        "medications": [str(h) for h in home_medications(patient=patient)],
    }
    return [
        ReviewRow(
            item.key,
            item.label,
            intake_items.current_value(item.key, patient=patient, context=context),
            item.proposed,
            intake.decisions.get(item.key, ""),
        )
        for item in intake_items.items_of(intake.proposed)
    ]
