"""Diagnostics test helpers: orders through the real service, HL7 fixtures."""

from datetime import date
from pathlib import Path

from diagnostics import services
from diagnostics.models import Panel, TestDefinition
from tests.clinic.factories import UserFactory
from tests.registration.factories import PatientFactory

FIXTURES = Path(__file__).parent / "fixtures"


def clinician(**kwargs):
    return UserFactory(role="Clinician", **kwargs)


def make_order(
    *,
    patient=None,
    actor=None,
    panels=("CBC",),
    tests=(),
    priority="routine",
    reason_code="R53.83",
    **kwargs,
):
    return services.order_create(
        # An adult by default: flags depend on age bands, random ages would flake.
        patient=patient or PatientFactory(birth_date=date(1980, 1, 1)),
        panels=list(Panel.objects.filter(code__in=panels)),
        tests=list(TestDefinition.objects.filter(code__in=tests)),
        priority=priority,
        reason_code=reason_code,
        actor=actor or clinician(),
        **kwargs,
    )


def hl7_fixture(name: str, *, order=None, order2=None) -> str:
    """The fixture's text (CR-separated) with the orders' numbers filled in."""
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    if order is not None:
        patient = order.patient
        text = (
            text.replace("{ACC1}", order.accession)
            .replace("{MRN}", patient.mrn)
            .replace("{FAMILY}", patient.family_name)
            .replace("{GIVEN}", patient.given_name)
        )
    if order2 is not None:
        text = text.replace("{ACC2}", order2.accession)
    return text
