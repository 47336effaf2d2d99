"""The facts of an event that conditions test, taken when the event is published.

Stored with the event, so a dry run weeks later decides on what was true then, the
same way the live run did.
"""

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from automations.sources import is_visit, visit_model
from registration.models import Coverage
from registration.selectors import coverage_primary, coverage_primary_ids

AGE_BANDS = [
    ("child", "0–17", 0, 17),
    ("adult", "18–39", 18, 39),
    ("middle", "40–64", 40, 64),
    ("senior", "65+", 65, 200),
]


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for code, _label, low, high in AGE_BANDS:
        if low <= age <= high:
            return code
    return ""


def _facts(patient, *, today, payer_id, last) -> dict:
    age = patient.age_on(today)
    return {
        "patient_id": patient.pk,
        "age": age,
        "age_band": age_band(age),
        "language": (patient.preferred_language or "").lower(),
        "payer": str(payer_id) if payer_id else "",
        "first_visit": last is None,
        "days_since_last_visit": (today - timezone.localtime(last).date()).days
        if last is not None
        else None,
    }


def _visits_before(Appointment):
    S = Appointment.Status
    return Appointment.objects.filter(status__in=[S.COMPLETED, S.ARRIVED, S.IN_ROOM])


def patient_facts(patient, *, at: datetime, appointment=None) -> dict:
    Appointment = visit_model()
    today = timezone.localtime(at).date()
    primary = coverage_primary(patient=patient, on=today)
    visits = _visits_before(Appointment).filter(
        patient=patient,
        start__lt=appointment.start if appointment is not None else at,
    )
    if appointment is not None:
        visits = visits.exclude(pk=appointment.pk)
    last = visits.order_by("-start").values_list("start", flat=True).first()
    payer_id = primary.payer_id if primary is not None else None
    return _facts(patient, today=today, payer_id=payer_id, last=last)


def patients_facts(patients, *, at: datetime) -> dict[int, dict]:
    """``patient_facts`` of many patients (none about a visit of their own), by
    patient id, in three queries."""
    ids = {patient.pk for patient in patients}
    today = timezone.localtime(at).date()
    primary = coverage_primary_ids(patient_ids=ids, on=today)
    payers = dict(
        Coverage.objects.filter(pk__in=primary.values()).values_list("pk", "payer_id")
    )
    last = dict(
        _visits_before(visit_model())
        .filter(patient_id__in=ids, start__lt=at)
        .values("patient_id")
        .annotate(last=Max("start"))
        .values_list("patient_id", "last")
    )
    return {
        patient.pk: _facts(
            patient,
            today=today,
            payer_id=payers.get(primary.get(patient.pk)),
            last=last.get(patient.pk),
        )
        for patient in patients
    }


def subject_facts(subject) -> dict:
    """Facts of the record the event is about (an appointment, a result ...)."""
    if subject is None:
        return {}
    label = subject._meta.label
    if is_visit(subject):
        return {
            "appointment_id": subject.pk,
            "appointment_type": str(subject.appointment_type_id),
            "provider": str(subject.provider_id),
            "location": str(subject.location_id),
            "appointment_start": subject.start.isoformat(),
            "appointment_status": subject.status,
        }
    if label == "diagnostics.Observation":
        return {"result_flags": [subject.flag]}
    if label == "diagnostics.DiagnosticOrder":
        return {
            "result_flags": sorted(
                set(subject.observations.values_list("flag", flat=True))
            )
        }
    if label == "medications.ScheduledDose":
        order = subject.order
        return {
            "location": str(order.location_id),
            "due_at": subject.due_at.isoformat(),
        }
    if label == "registration.EligibilityCheck":
        return {"payer": str(subject.coverage.payer_id), "result": subject.result}
    return {}


def facts_for(
    *, patient, subject, at: datetime, of_patient=None, of_subject=None
) -> dict:
    """The subject's facts, then its patient's (``of_patient``, ``of_subject``:
    read already)."""
    facts = subject_facts(subject) if of_subject is None else dict(of_subject)
    if patient is not None:
        appointment = subject if is_visit(subject) else None
        if of_patient is None:
            of_patient = patient_facts(patient, at=at, appointment=appointment)
        for name, value in of_patient.items():
            facts.setdefault(name, value)
    return facts
