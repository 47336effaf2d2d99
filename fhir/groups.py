"""Groups for Group-level ``$export``: the patients of one provider.

A provider's group holds every patient who has a visit with that provider (booked,
past or cancelled), so an EHR can pull "Dr Patel's patients" in one export.
``Group/<provider id>`` is served like any other resource (read, search, history
of the provider's record) and names how many patients it holds; its members are
not listed (a panel may hold thousands: export them instead).
"""

from clinic.fhir_datatypes import clean
from clinic.fhir_declaration import ResourceType, SearchParam
from registration.models import Patient
from scheduling.models import Appointment, Provider


def group_patients(provider_id: int):
    """The patients of ``Group/<provider_id>`` (a queryset of Patient)."""
    seen = Appointment.objects.filter(provider_id=provider_id).values("patient_id")
    return Patient.objects.filter(pk__in=seen)


def group_to_fhir(provider: Provider) -> dict:
    return clean(
        {
            "resourceType": "Group",
            "id": str(provider.pk),
            "type": "person",
            "actual": True,
            "code": {"text": "Patients with a visit with this provider"},
            "name": provider.name,
            "quantity": group_patients(provider.pk).count(),
        }
    )


RESOURCES = (
    ResourceType(
        name="Group",
        model=Provider,
        queryset=lambda: Provider.objects.all(),
        to_fhir=group_to_fhir,
        search=(SearchParam.string("name", "name"),),
        sorts={"name": "name"},
    ),
)
