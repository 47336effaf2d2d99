from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from medications import services
from medications.models import Medication, MedicationOrder
from tests.clinic.factories import UserFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory


class MedicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medication

    name = factory.Sequence(lambda n: f"Testamycin {n}")
    form = Medication.Form.TABLET
    strength = Decimal("500")
    unit = "mg"
    routes = factory.LazyFunction(lambda: ["PO"])
    barcode = factory.Sequence(lambda n: f"{60000000000 + n:011d}")
    max_single_dose = Decimal("1000")
    ingredients = factory.LazyAttribute(lambda m: [m.name.lower()])
    is_high_alert = False


class MedicationOrderFactory(factory.django.DjangoModelFactory):
    """An order saved directly (no checks, no schedule): use the services for that."""

    class Meta:
        model = MedicationOrder

    patient = factory.SubFactory(PatientFactory)
    location = factory.SubFactory(LocationFactory, code="unit", name="Infusion Unit")
    medication = factory.SubFactory(MedicationFactory)
    dose = Decimal("500")
    dose_unit = "mg"
    route = "PO"
    frequency = MedicationOrder.Frequency.INTERVAL
    interval_hours = 8
    start_at = factory.LazyFunction(timezone.now)
    ordered_by = factory.SubFactory(UserFactory, role="Clinician")


def busy_unit(*, patients: int = 30, doses_per_patient: int = 10, nurse=None, now=None):
    """A unit with ``patients`` patients and ``doses_per_patient`` doses each inside
    the default MAR window (now − 4 h … now + 8 h), a third of them given."""
    from medications.models import Administration, ScheduledDose

    now = now or timezone.now()
    location = LocationFactory(
        code=f"busy{patients}", name=f"Busy Unit {patients}", kind="infusion"
    )
    medications = [MedicationFactory() for _ in range(3)]
    nurse = nurse or UserFactory(role="Nurse")
    clinician = UserFactory(role="Clinician")
    step = timedelta(hours=11) / doses_per_patient
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=3, minutes=45
    )
    for number in range(patients):
        patient = PatientFactory()
        orders = [
            MedicationOrderFactory(
                patient=patient,
                location=location,
                medication=medication,
                ordered_by=clinician,
                start_at=first,
            )
            for medication in medications
        ]
        for index in range(doses_per_patient):
            due = first + index * step + timedelta(minutes=number % 7)
            dose = ScheduledDose.objects.create(
                order=orders[index % len(orders)], due_at=due
            )
            if index % 3 == 0 and due < now:
                dose.status = ScheduledDose.Status.GIVEN
                dose.save()
                Administration.objects.create(
                    dose=dose,
                    amount=Decimal("500"),
                    unit="mg",
                    route="PO",
                    given_at=due,
                    given_by=nurse,
                )
    return location


def home_stop(home, nurse, reaction: str = "rash"):
    """``home`` stopped in a review with the patient (started here), after
    ``reaction``; the decision."""
    review = services.reconciliation_start(patient=home.patient, actor=nurse)
    return services.reconciliation_decide(
        reconciliation=review,
        home_medication=home,
        decision="stopped",
        reaction=reaction,
        actor=nurse,
    )


def augmentin_add(patient, nurse):
    """Augmentin (amoxicillin and clavulanate) typed on the patient's home list."""
    return services.home_medication_add(
        patient=patient,
        drug=services.HomeDrug(
            name="Augmentin",
            typed_reason="From abroad",
            ingredients=("amoxicillin", "clavulanate"),
            dose="875 mg",
            frequency="twice a day",
        ),
        actor=nurse,
    )
